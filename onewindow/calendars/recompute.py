"""Recomputing stored deadlines after the working-day calendar changed (docs/rules/workdays.md §A4).

Deadlines are stored columns, computed once (docs/rules/workdays.md §A7). When a year's arrangement
is loaded (or unloaded, or one override day is set or removed), every open deadline whose counting
touched the changed days is counted again: the same number of working days after the same start, on
the new calendar, and its provisional mark follows the new calendar too.

The working-day count of a stored date is what the calendar in force when it was computed gave
between its start and it — the calendar just before the change, because every change
recomputes the dates it touches, in order. So ``CalendarChange.moved`` recovers the count on the
old calendar and adds it on the new one; extensions, special procedures and paused branches,
which moved a date by a number of working days, are carried along in that count.

The change is recorded (``DeadlineRecompute``, with the override tables before and after it) in
the calendar write's own transaction; the recomputation then runs in batches of one
transaction each, every batch moving its recomputer's cursor in that same transaction. A crash
or a failed batch leaves the rest for ``deadline_recomputes_run`` (also a background job), which
resumes at the cursor: no row is moved twice, and a finished change is never run again.

The calendar app cannot import the apps whose rows hold the dates (they import it), so each of
them registers a *recomputer* in its ``AppConfig.ready`` (``recomputer_register``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction

from onewindow.calendars.models import DeadlineRecompute
from onewindow.calendars.selectors import calendar_from
from onewindow.core import clock
from onewindow.lib.workdays import Due, WorkCalendar

log = logging.getLogger("onewindow.calendars")

BATCH = 200


@dataclass(frozen=True)
class CalendarChange:
    """The calendar before and after one change, and the days whose counting it can affect."""

    record_id: int
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

    def in_batches(
        self, name: str, ids: Sequence[int], recompute: Callable[[Sequence[int]], int]
    ) -> int:
        """Call ``recompute`` on ``ids`` (ascending) in batches, each in one transaction that
        also moves this change's cursor for ``name``; ids at or below the cursor are done."""
        done = 0
        for i in range(0, len(ids), self.batch):
            chunk = ids[i : i + self.batch]
            with transaction.atomic():
                record = DeadlineRecompute.objects.select_for_update().get(pk=self.record_id)
                cursor = int(record.cursors.get(name, 0))
                todo = [pk for pk in chunk if pk > cursor]
                if not todo:
                    continue
                changed = recompute(todo)
                record.cursors[name] = todo[-1]
                record.counts[name] = int(record.counts.get(name, 0)) + changed
                record.save(update_fields=["cursors", "counts"])
            done += changed
        return done


Recomputer = Callable[[CalendarChange], int]
_recomputers: dict[str, Recomputer] = {}


def recomputer_register(name: str, recomputer: Recomputer) -> None:
    """Called from an app's ``ready``: ``recomputer`` updates that app's stored dates (through
    ``CalendarChange.in_batches`` with this name) and returns how many rows it changed."""
    _recomputers[name] = recomputer


def recompute_record(
    *, before: dict[str, list[object]], after: dict[str, list[object]], reason: str
) -> DeadlineRecompute | None:
    """In the calendar write's transaction: record the change, if any day or year differs."""
    if before == after:
        return None
    span = _calendar(after).changed_span(_calendar(before))
    if span is None:
        return None
    return DeadlineRecompute.objects.create(
        created_at=clock.now(),
        reason=reason[:200],
        first=span[0],
        last=span[1],
        before=before,
        after=after,
    )


def _calendar(state: dict[str, list[object]]) -> WorkCalendar:
    """``calendar_from`` with the last few results kept: a change's two calendars are built
    once for recording it and reused right after to run it (a build takes ~0.15 s)."""
    key = json.dumps(state, sort_keys=True)
    calendar = _built.pop(key, None) or calendar_from(state)
    _built[key] = calendar
    while len(_built) > 4:
        _built.pop(next(iter(_built)))
    return calendar


_built: dict[str, WorkCalendar] = {}


def deadline_recomputes_run() -> dict[str, int]:
    """Run every unfinished recomputation, oldest first (each from where it stopped); rows
    changed per recomputer. Safe in several processes: batches lock the record."""
    total: dict[str, int] = {}
    for record in DeadlineRecompute.objects.filter(finished_at__isnull=True).order_by("pk"):
        for name, count in _run(record).items():
            total[name] = total.get(name, 0) + count
    return total


def _run(record: DeadlineRecompute) -> dict[str, int]:
    change = CalendarChange(
        record_id=record.pk,
        before=_calendar(record.before),
        after=_calendar(record.after),
        first=record.first,
        last=record.last,
        now=clock.now(),
        reason=record.reason,
        batch=BATCH,
    )
    done = {name: recomputer(change) for name, recomputer in sorted(_recomputers.items())}
    DeadlineRecompute.objects.filter(pk=record.pk, finished_at__isnull=True).update(
        finished_at=clock.now()
    )
    if any(done.values()):
        log.info(
            "deadlines recomputed after a calendar change %s..%s (%s): %s",
            record.first,
            record.last,
            record.reason,
            done,
        )
    return done
