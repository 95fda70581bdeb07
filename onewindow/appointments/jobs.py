"""Periodic appointment work for the background loop (onewindow.core.jobs)."""

from __future__ import annotations

import logging

from django.conf import settings

from onewindow.appointments import services
from onewindow.core.jobs import periodic

log = logging.getLogger("onewindow.appointments")


@periodic("appointments.remind", interval=settings.BACKGROUND_INTERVAL)
def remind() -> int:
    """docs/rules/hall.md §J7: the day before, a reminder for every appointment still booked."""
    sent = services.remind_due()
    if sent:
        log.info("appointment reminders: %s sent", sent)
    return sent


@periodic("appointments.no_shows", interval=settings.BACKGROUND_INTERVAL)
def no_shows() -> int:
    """docs/rules/hall.md §J7: not checked in by the slot's end plus the grace → no-show."""
    marked = services.mark_no_shows()
    if marked:
        log.info("appointments marked no-show: %s", marked)
    return marked
