"""Periodic work of the intermediary services market for the background loop
(onewindow.core.jobs)."""

from __future__ import annotations

import logging

from django.conf import settings

from onewindow.agencies.services import biddings_close_due
from onewindow.core.jobs import periodic

log = logging.getLogger("onewindow.agencies")


@periodic("agencies.biddings_close", interval=settings.BACKGROUND_INTERVAL)
def biddings_close() -> int:
    """docs/rules/agencies.md §I6: a bidding whose deadline has passed gets its winner."""
    closed = biddings_close_due()
    if closed:
        log.info("agencies: %s bidding(s) closed", closed)
    return closed
