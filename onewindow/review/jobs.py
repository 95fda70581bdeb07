"""Periodic review work for the background loop (onewindow.core.jobs).

Discovered like every app's ``jobs`` module (``run_loop`` imports ``<app>.jobs``). The job claims
tasks with a conditional UPDATE, so any number of ``onewindow worker`` processes may run it.
"""

from __future__ import annotations

import logging

from django.conf import settings

from onewindow.core.jobs import periodic
from onewindow.review import services

log = logging.getLogger("onewindow.review")


@periodic("review.deem_consent", interval=settings.BACKGROUND_INTERVAL)
def deem_consent() -> int:
    """docs/rules/licensing.md §C2: a department silent past its due date is recorded as 默许同意."""
    done = services.tasks_deem_consent()
    if done:
        log.info("deemed consent: %s task(s)", done)
    return done
