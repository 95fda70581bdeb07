"""Periodic calendar work for the background loop (onewindow.core.jobs)."""

from __future__ import annotations

import logging

from onewindow.calendars.recompute import deadline_recomputes_run
from onewindow.calendars.selectors import unloaded_years_alert
from onewindow.core.jobs import periodic

log = logging.getLogger("onewindow.calendars")


@periodic("calendar-unloaded-years", interval=6 * 3600)
def warn_unloaded_years() -> list[int]:
    """Log, for operators, the current or next year whose arrangement is not loaded (A4)."""
    years = unloaded_years_alert()
    if years:
        log.warning(
            "holiday arrangement not loaded for %s: deadlines touching it are provisional "
            "（节假日安排尚未载入，相关期限为临时计算）",
            ", ".join(str(year) for year in years),
        )
    return years


@periodic("calendar-deadline-recompute", interval=60)
def resume_deadline_recomputes() -> dict[str, int]:
    """Finish any recomputation of stored deadlines a calendar change left unfinished (A4)."""
    return deadline_recomputes_run()
