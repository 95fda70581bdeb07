"""Reads of the working-day calendar: the per-process WorkCalendar and what it says.

The calendar is built from the chinesecalendar package plus the administrator's override
tables (docs/rules/workdays.md §A4) and cached per process. Each process compares the cached
revision with the ``CalendarRevision`` row at most every ``CHECK_SECONDS`` seconds, so a change made
in any process (another gunicorn worker, the background worker, another machine) is picked up within
that time; the process that made the change rebuilds right after its commit.

Precedence, per year: a ``HolidayYear`` row means the override rows of that year are its whole
arrangement (an official notice loaded in full); otherwise the package's arrangement (or the
provisional one) applies, with single ``CalendarDay`` rows winning date by date.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Any

from chinese_calendar import constants as package
from django.conf import settings
from django.utils.translation import gettext as _

from onewindow.calendars.models import CalendarDay, CalendarRevision, DayKind, HolidayYear
from onewindow.core import clock
from onewindow.lib.workdays import (
    Due,
    ReceiptPolicy,
    WorkCalendar,
    YearArrangement,
)

CHECK_SECONDS = 3.0

PACKAGE_YEARS = frozenset(day.year for day in package.holidays)


@dataclass(frozen=True)
class _Cached:
    calendar: WorkCalendar
    revision: int
    checked_at: float


_cached: _Cached | None = None
_build_lock = threading.Lock()


def get_calendar() -> WorkCalendar:
    """The process-wide calendar, rebuilt when the override tables changed anywhere."""
    global _cached
    cached, now = _cached, time.monotonic()
    if cached is not None and now - cached.checked_at < CHECK_SECONDS:
        return cached.calendar
    revision = current_revision()
    if cached is not None and cached.revision == revision:
        _cached = _Cached(cached.calendar, revision, now)
        return cached.calendar
    with _build_lock:
        cached = _cached
        if cached is not None and cached.revision == revision:  # another thread just built it
            return cached.calendar
        calendar = build_calendar()
        _cached = _Cached(calendar, revision, now)
    return calendar


def calendar_cache_clear() -> None:
    """Forget this process's calendar; the next ``get_calendar`` rebuilds it."""
    global _cached
    _cached = None


def current_revision() -> int:
    number = CalendarRevision.objects.filter(pk=1).values_list("number", flat=True).first()
    return number or 0


def build_calendar() -> WorkCalendar:
    """A fresh WorkCalendar from the package and the override tables (no caching)."""
    return calendar_from(override_state())


def override_state() -> dict[str, list[Any]]:
    """The override tables as JSON (loaded years, days as [iso date, kind, name]): what
    ``calendar_from`` rebuilds a calendar from, kept to recompute deadlines later (A4)."""
    return {
        "years": sorted(HolidayYear.objects.values_list("year", flat=True)),
        "days": [
            [day.isoformat(), kind, name]
            for day, kind, name in CalendarDay.objects.order_by("date").values_list(
                "date", "kind", "name"
            )
        ],
    }


def calendar_from(state: dict[str, list[Any]]) -> WorkCalendar:
    """The WorkCalendar of the package plus the override tables described by ``state``."""
    override_years = set(state["years"])
    holidays = {
        day: _package_name(name)
        for day, name in package.holidays.items()
        if day.year not in override_years
    }
    workdays = {
        day: _package_name(name)
        for day, name in package.workdays.items()
        if day.year not in override_years
    }
    for iso, kind, name in state["days"]:
        day = dt.date.fromisoformat(iso)
        holidays.pop(day, None)
        workdays.pop(day, None)
        (holidays if kind == DayKind.HOLIDAY else workdays)[day] = name
    return WorkCalendar(
        loaded_years=PACKAGE_YEARS | override_years, holidays=holidays, workdays=workdays
    )


def _package_name(name: str) -> str:
    """chinesecalendar names days in English; show the Chinese name it carries alongside."""
    try:
        return str(package.Holiday(name).chinese)
    except ValueError:
        return name


def add_working_days(start: dt.date, n: int) -> Due:
    """Shortcut: ``get_calendar().add_working_days(start, n)``."""
    return get_calendar().add_working_days(start, n)


def receipt_date(day: dt.date) -> Due:
    """The day a submission made on ``day`` counts as received, per the deployment's setting.

    docs/rules/workdays.md §A2: on a non-working day it is deemed received on the next working day
    (``RECEIVE_ON_NON_WORKING_DAY=next``, the default) or on that day (``same``).
    """
    policy: ReceiptPolicy = "same" if settings.RECEIVE_ON_NON_WORKING_DAY == "same" else "next"
    return get_calendar().receipt_date(day, policy)


def stored_due(
    date: dt.date | None,
    *,
    counted_from: dt.date | None = None,
    provisional: bool | None = None,
    paused: bool = False,
) -> Due | None:
    """A stored due date as every page and API answer shows it (docs/rules/workdays.md §A5).

    docs/rules/workdays.md §A4: a date is provisional exactly when its counting, from
    ``counted_from`` (the day the period started; suspensions and extensions only move the end
    later) to the date, reaches a year whose arrangement is not loaded. With the start known the
    calendar decides for each date: a case stores one ``due_provisional`` for its intake, decision
    and statutory dates together, so the stored flag (``provisional``) alone would mark an intake
    date inside a loaded year. The calendar is skipped only when the stored flag is False and every
    year counted is one chinesecalendar carries (those can never become unloaded), so lists of
    ordinary dates cost no look-up. ``paused``: the clock stands still (B4), the date will move
    and is not due.
    """
    if date is None:
        return None
    flag = bool(provisional)
    if counted_from is not None and (
        provisional is not False or not _package_span(counted_from, date)
    ):
        with contextlib.suppress(ValueError):  # outside the calendar's span: keep what was stored
            flag = get_calendar().is_provisional(counted_from, date)
    return Due(date, flag, paused)


def _package_span(start: dt.date, end: dt.date) -> bool:
    low, high = sorted((start.year, end.year))
    return all(year in PACKAGE_YEARS for year in range(low, high + 1))


def unloaded_years_alert(today: dt.date | None = None) -> list[int]:
    """The current and next year when their official arrangement is not loaded.

    docs/rules/workdays.md §A4: administrators see a warning from the moment a deadline can fall in
    an unloaded year; in late November the next year's notice is usually out but not yet loaded.
    """
    today = today or clock.today()
    calendar = get_calendar()
    return [year for year in (today.year, today.year + 1) if not calendar.is_loaded(year)]


@dataclass(frozen=True)
class YearView:
    """A year's arrangement as applied, where it came from, and the override rows behind it."""

    arrangement: YearArrangement
    source: str
    override_days: int

    @property
    def provisional(self) -> bool:
        return not self.arrangement.loaded


def year_view(year: int) -> YearView:
    """What the calendar applies in ``year`` (ValueError outside the covered span)."""
    arrangement = get_calendar().arrangement(year)
    row = HolidayYear.objects.filter(year=year).first()
    if row is not None:
        source = row.source or _("管理员载入")
    elif year in PACKAGE_YEARS:
        source = "chinesecalendar"
    else:
        source = _("临时计算（尚未载入）")
    overrides = CalendarDay.objects.filter(date__year=year).count()
    return YearView(arrangement=arrangement, source=source, override_days=overrides)
