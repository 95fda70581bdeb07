"""Writes to the working-day calendar: loading a year's arrangement and single-day edits.

Every write bumps ``CalendarRevision`` in the same transaction, so each process's cached
calendar (``selectors.get_calendar``) is rebuilt: at once in this process, within
``selectors.CHECK_SECONDS`` in every other one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from onewindow.calendars.formats import arrangement_parse
from onewindow.calendars.models import CalendarDay, CalendarRevision, DayKind, HolidayYear
from onewindow.calendars.recompute import deadline_recomputes_run, recompute_record
from onewindow.calendars.selectors import calendar_cache_clear, get_calendar, override_state
from onewindow.core import clock
from onewindow.lib.workdays import FIRST_YEAR, LAST_YEAR

__all__ = [
    "calendar_day_delete",
    "calendar_day_set",
    "calendar_file_load",
    "calendar_year_load",
    "calendar_year_source_set",
    "calendar_year_unload",
    "get_calendar",
]

DayList = Mapping[dt.date, str] | Iterable[dt.date]
NAME_MAX = CalendarDay._meta.get_field("name").max_length or 50
SOURCE_MAX = HolidayYear._meta.get_field("source").max_length or 200
WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
T = TypeVar("T")
log = logging.getLogger("onewindow.calendars")


def _recomputing(write: Callable[[], T], *, reason: Callable[[], str]) -> tuple[T, dict[str, int]]:
    """Run ``write`` in one transaction, then recompute the stored deadlines it moved.

    docs/rules/workdays.md §A4: every open deadline whose counting touched a changed day is counted
    again (``calendars.recompute``). The change is recorded with the override tables before and
    after it in the write's transaction (the revision row locked, so "before" is exactly what the
    stored dates were computed with); the recomputation then runs in batches of one transaction
    each. Should it stop half-way, the background job resumes it.
    """
    with transaction.atomic():
        CalendarRevision.objects.select_for_update().filter(pk=1).first()
        before = override_state()
        result = write()
        recompute_record(before=before, after=override_state(), reason=reason())
    try:
        return result, deadline_recomputes_run()
    except Exception:  # the calendar change stands; the background job finishes the rest
        log.exception("deadline recomputation stopped; the background job will resume it")
        return result, {}


def calendar_year_load(
    *, year: int, holidays: DayList, workdays: DayList, source: str = ""
) -> HolidayYear:
    """Make ``holidays`` and ``workdays`` the whole official arrangement of ``year``.

    Replaces that year's override rows and marks the year loaded, so deadlines touching it stop
    being provisional and are recomputed (docs/rules/workdays.md §A4; ``row.recomputed`` counts the
    rows changed). Validates everything before writing anything.
    """
    holiday_names, workday_names = _named(holidays), _named(workdays)
    _validate_year(year, holiday_names, workday_names, source)

    def write() -> HolidayYear:
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d, kind=DayKind.HOLIDAY, name=n) for d, n in holiday_names.items()]
            + [CalendarDay(date=d, kind=DayKind.WORKDAY, name=n) for d, n in workday_names.items()]
        )
        row, _created = HolidayYear.objects.update_or_create(
            year=year, defaults={"source": source.strip()}
        )
        _revision_bump()
        return row

    row, recomputed = _recomputing(
        write, reason=lambda: _("%(year)d 年节假日安排已载入") % {"year": year}
    )
    row.recomputed = recomputed
    return row


def calendar_file_load(
    *, name: str, content: bytes, source: str = "", year: int | None = None
) -> HolidayYear:
    """Parse an uploaded CSV/JSON arrangement (see ``formats``) and load it in one step."""
    parsed = arrangement_parse(name=name, content=content, year=year)
    assert parsed.year is not None  # arrangement_parse raises when it cannot tell the year
    return calendar_year_load(
        year=parsed.year,
        holidays=parsed.holidays,
        workdays=parsed.workdays,
        source=source or parsed.source,
    )


def calendar_year_unload(*, year: int) -> bool:
    """Forget a loaded year and its override rows; it falls back to the package or provisional,
    and the deadlines touching it are recomputed (and marked provisional again, A4)."""

    def write() -> bool:
        deleted, _detail = HolidayYear.objects.filter(year=year).delete()
        if not deleted:
            return False
        CalendarDay.objects.filter(date__year=year).delete()
        _revision_bump()
        return True

    unloaded, _recomputed = _recomputing(
        write, reason=lambda: _("%(year)d 年节假日安排已撤销，改为临时计算") % {"year": year}
    )
    return unloaded


def calendar_day_set(*, day: dt.date, kind: str, name: str = "") -> CalendarDay:
    """Declare one day a holiday or a working weekend day; the row wins over the package.
    The deadlines whose counting crosses the day are recomputed (A4)."""
    calendar_day_validate(day=day, kind=kind, name=name)

    def write() -> CalendarDay:
        row, _created = CalendarDay.objects.update_or_create(
            date=day, defaults={"kind": kind, "name": name.strip()}
        )
        _revision_bump()
        return row

    row, recomputed = _recomputing(
        write,
        reason=lambda: (
            _("%(date)s 调整为%(kind)s") % {"date": day.isoformat(), "kind": DayKind(kind).label}
        ),
    )
    row.recomputed = recomputed
    return row


def calendar_day_delete(*, day: dt.date) -> bool:
    """Remove one override day; the package's (or provisional) classification applies again,
    and the deadlines whose counting crosses the day are recomputed (A4)."""

    def write() -> bool:
        deleted, _detail = CalendarDay.objects.filter(date=day).delete()
        if deleted:
            _revision_bump()
        return bool(deleted)

    deleted, _recomputed = _recomputing(
        write, reason=lambda: _("%(date)s 的节假日调整已删除") % {"date": day.isoformat()}
    )
    return deleted


def calendar_day_validate(*, day: dt.date, kind: str, name: str = "") -> None:
    """The checks ``calendar_day_set`` applies, for forms that want them before saving."""
    errors: list[str] = []
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors.append(_span_message(day.year))
    if kind not in DayKind.values:
        errors.append(_("类型“%(kind)s”无效，应为法定节假日或调休上班日。") % {"kind": kind})
    elif kind == DayKind.WORKDAY and day.weekday() < 5:
        errors.append(_weekday_message(day))
    if len(name.strip()) > NAME_MAX:
        errors.append(_("节日名称不能超过 %(max)d 个字。") % {"max": NAME_MAX})
    if errors:
        raise ValidationError(errors)


def _validate_year(
    year: int, holidays: dict[dt.date, str], workdays: dict[dt.date, str], source: str
) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(_span_message(year))
    errors: list[str] = []
    for day in sorted({*holidays, *workdays}):
        if day.year != year:
            errors.append(
                _("%(date)s 不在 %(year)d 年内。") % {"date": day.isoformat(), "year": year}
            )
    for day in sorted(holidays.keys() & workdays.keys()):
        errors.append(_("%(date)s 同时被列为放假日和调休上班日。") % {"date": day.isoformat()})
    # A working weekend day (调休上班日) moves a weekend day to work; on a weekday it means nothing.
    errors.extend(_weekday_message(day) for day in sorted(workdays) if day.weekday() < 5)
    if not holidays:
        errors.append(_("%(year)d 年的安排中没有任何放假日，请检查文件。") % {"year": year})
    errors.extend(
        _("%(date)s 的节日名称不能超过 %(max)d 个字。") % {"date": d.isoformat(), "max": NAME_MAX}
        for d, n in sorted({**holidays, **workdays}.items())
        if len(n) > NAME_MAX
    )
    if len(source.strip()) > SOURCE_MAX:
        errors.append(_("来源不能超过 %(max)d 个字。") % {"max": SOURCE_MAX})
    if errors:
        raise ValidationError(errors)


def _named(days: DayList) -> dict[dt.date, str]:
    if isinstance(days, Mapping):
        return {day: str(name or "").strip() for day, name in days.items()}
    return dict.fromkeys(days, "")


def _span_message(year: int) -> str:
    return _("年份 %(year)d 超出日历覆盖范围（%(first)d–%(last)d 年）。") % {
        "year": year,
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
    }


def _weekday_message(day: dt.date) -> str:
    return _("%(date)s 是%(weekday)s，调休上班日只能是周六或周日。") % {
        "date": day.isoformat(),
        "weekday": WEEKDAY_NAMES[day.weekday()],
    }


def _revision_bump() -> None:
    """Tell every process its cached calendar is stale (see selectors.get_calendar)."""
    now = clock.now()
    bumped = CalendarRevision.objects.filter(pk=1).update(number=F("number") + 1, changed_at=now)
    if not bumped:
        _row, created = CalendarRevision.objects.get_or_create(pk=1, defaults={"number": 1})
        if not created:  # another transaction created it meanwhile: still count this change
            CalendarRevision.objects.filter(pk=1).update(number=F("number") + 1, changed_at=now)
    # This connection sees the change now; other threads of this process after the commit.
    calendar_cache_clear()
    transaction.on_commit(calendar_cache_clear)


@transaction.atomic
def calendar_year_source_set(*, year: int, source: str) -> HolidayYear:
    """Correct the recorded source (the notice's title) of a loaded year."""
    if len(source.strip()) > SOURCE_MAX:
        raise ValidationError(_("来源不能超过 %(max)d 个字。") % {"max": SOURCE_MAX})
    row = HolidayYear.objects.select_for_update().get(year=year)
    row.source = source.strip()
    row.save(update_fields=["source", "loaded_at"])
    return row
