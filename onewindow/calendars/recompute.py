"""Recomputing stored deadlines after the working-day calendar changed (DOMAIN-RULES A4).

Deadlines are stored columns, computed once (STYLE). When a year's arrangement is loaded (or
unloaded, or one override day is set or removed), every open deadline whose counting touched the
changed days is counted again: the same number of working days after the same start, on the new
calendar, and its provisional mark follows the new calendar too.

The working-day count of a stored date is what the calendar in force when it was computed gave
between its start and it — which is exactly the calendar just before the change, because every
change recomputes the dates it touches. So ``CalendarChange.moved`` recovers the count on the
old calendar and adds it on the new one; extensions, special procedures and paused branches,
which moved a date by a number of working days, are carried along in that count.

The calendar app cannot import the apps whose rows hold the dates (they import it), so each of
those apps registers a *recomputer* in its ``AppConfig.ready`` (``recomputer_register``) and the
calendar services call ``deadlines_recompute`` after their write. A recomputer works in batches,
one transaction each, and changes (and records) only rows whose date or mark differs: running it
again on the same calendar finds nothing to do.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from onewindow.core import clock
from onewindow.lib.workdays import Due, WorkCalendar

log = logging.getLogger("onewindow.calendars")

BATCH = 200
T = TypeVar("T")


@dataclass(frozen=True)
class CalendarChange:
    """The calendar before and after one change, and the days whose counting it can affect."""

    before: WorkCalendar
    after: WorkCalendar
    first: dt.date  # the first day whose working status or year's loaded state changed
    last: dt.date  # the last such day
    now: dt.datetime
    reason: str  # what changed, in the site's words, for the event rows
    batch: int = BATCH

    def moved(self, start: dt.date, due: dt.date) -> Due:
        """``due`` counted again: as many working days after ``start`` on the new calendar as it
        was on the old one (A2: the start day itself is never counted)."""
        days = self.before.count_working_days(start, due) if due > start else 0
        return self.after.add_working_days(start, days)

    def touches(self, start: dt.date, due: dt.date) -> bool:
        """Whether counting from ``start`` to ``due`` went through a changed day."""
        return start <= self.last and due >= self.first


Recomputer = Callable[[CalendarChange], int]
_recomputers: dict[str, Recomputer] = {}


def recomputer_register(name: str, recomputer: Recomputer) -> None:
    """Called from an app's ``ready``: ``recomputer`` updates that app's stored dates and
    returns how many rows it changed. Registering a name again replaces it (reloads in tests)."""
    _recomputers[name] = recomputer


def calendar_change(
    before: WorkCalendar, after: WorkCalendar, *, reason: str, now: dt.datetime | None = None
) -> CalendarChange | None:
    """The change from ``before`` to ``after``; None when no day or year differs."""
    span = after.changed_span(before)
    if span is None:
        return None
    return CalendarChange(before, after, span[0], span[1], now or clock.now(), reason)


def deadlines_recompute(change: CalendarChange | None) -> dict[str, int]:
    """Run every registered recomputer on ``change``; rows changed per recomputer."""
    if change is None:
        return {}
    done = {name: recomputer(change) for name, recomputer in sorted(_recomputers.items())}
    if not any(done.values()):
        return done
    log.info(
        "deadlines recomputed after a calendar change %s..%s (%s): %s",
        change.first,
        change.last,
        change.reason,
        done,
    )
    return done


def batched(ids: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``ids`` in slices of ``size``: each recomputer batch is one transaction."""
    for i in range(0, len(ids), size):
        yield ids[i : i + size]
