"""Periodic case work for the background loop (onewindow.core.jobs).

Both jobs are set-based and claim each case through ``transition``'s conditional UPDATE, so any
number of ``onewindow worker`` processes may run them at once.
"""

from __future__ import annotations

import logging

from django.conf import settings

from onewindow.cases import services
from onewindow.core.jobs import periodic

log = logging.getLogger("onewindow.cases")


@periodic("cases.accept_deemed", interval=settings.BACKGROUND_INTERVAL)
def accept_deemed() -> int:
    """ALL Art. 32 / docs/rules/licensing.md §B1: no intake decision in time → accepted from
    receipt."""
    done = services.cases_accept_deemed()
    if done:
        log.info("deemed acceptance: %s case(s) accepted from their receipt date", done)
    return done


@periodic("cases.terminate_overdue_commitments", interval=settings.BACKGROUND_INTERVAL)
def terminate_overdue_commitments() -> int:
    """docs/rules/licensing.md §G2: a tolerated material not supplied by its due date ends the
    case."""
    done = services.commitments_terminate_overdue()
    if done:
        log.info("overdue 容缺 commitments: %s case(s) terminated", done)
    return done
