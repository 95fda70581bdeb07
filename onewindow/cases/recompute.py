"""The case's stored deadlines counted again after a calendar change (docs/rules/workdays.md §A4).

Registered with ``calendars.recompute`` by ``CasesConfig.ready``. Dates and their starts:

* ``received_on`` / ``intake_due`` — the receipt day of the submission (A2) and 5 working days
  after it (ALL Art. 32), while awaiting intake;
* ``decision_due`` / ``statutory_due`` — after ``accepted_on`` (Art. 42), with the extensions,
  special procedures and paused branches that moved them, while the case is open;
* an open commitment's ``due_on`` — after the case's ``accepted_on`` (G2).

Each changed case gets one event row with every old → new date; when a date the applicant was
told changes, the event is public and the applicant is notified (outbox, same transaction).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q
from django.utils.translation import gettext as _

from onewindow.calendars.recompute import CalendarChange
from onewindow.cases.models import (
    AWAITING_INTAKE,
    Case,
    CaseEvent,
    Commitment,
    CommitmentStatus,
)
from onewindow.cases.transitions import event_record
from onewindow.catalog import deadlines
from onewindow.core import clock
from onewindow.lib.workdays import Due

# The case is accepted and no decision is made yet: its decision periods run.
DECIDING = ("accepted", "in_review", "suspended")
RECOMPUTED = "deadline_recomputed"


@dataclass(frozen=True)
class DateChange:
    """One stored date moved by a calendar change: for the event row and the applicant's text."""

    field: str
    label: str
    old: dt.date
    new: dt.date

    def as_data(self) -> dict[str, str]:
        return {
            "field": self.field,
            "label": self.label,
            "old": self.old.isoformat(),
            "new": self.new.isoformat(),
        }


def deadline_event_record(
    case: Case,
    *,
    change: CalendarChange,
    moved: list[DateChange],
    provisional: bool,
) -> CaseEvent:
    """The event row of one recomputation (old → new per date). Every date recomputed here was
    told to the applicant (notice or message), so when one moved the event is public and the
    applicant is told (its kind's message); a mark alone changing stays an internal record."""
    lines = [
        _("%(label)s由 %(old)s 调整为 %(new)s") % {"label": m.label, "old": m.old, "new": m.new}
        for m in moved
    ]
    if not lines:
        lines = [_("日期不变，现为临时计算") if provisional else _("日期不变，不再为临时计算")]
    public = bool(moved)
    return event_record(
        case,
        actor=None,
        action=RECOMPUTED,
        old=case.status,
        reason=_("%(why)s，期限重新计算：%(lines)s。")
        % {"why": change.reason, "lines": ";".join(lines)},
        public=public,
        now=change.now,
        data={"changes": [m.as_data() for m in moved], "provisional": provisional},
    )


def cases_recompute(change: CalendarChange) -> int:
    """Recompute the dates of every open case whose counting touched the changed days."""
    first, last = change.first, change.last
    # Awaiting intake: the receipt date itself may move (a changed submission day), so no bound
    # on it; these are the few cases inside their 5-day intake period.
    touched = Q(status__in=AWAITING_INTAKE, intake_due__gte=first) | Q(
        Q(decision_due__gte=first) | Q(statutory_due__gte=first),
        status__in=DECIDING,
        accepted_on__lte=last,
    )
    ids = list(Case.objects.filter(touched).order_by("pk").values_list("pk", flat=True))
    ids += list(
        Commitment.objects.filter(
            status=CommitmentStatus.OPEN,
            due_on__gte=first,
            case__accepted_on__lte=last,
        )
        .exclude(case_id__in=ids)
        .order_by("case_id")
        .values_list("case_id", flat=True)
        .distinct()
    )

    def recompute(chunk: Sequence[int]) -> int:
        cases = (
            Case.objects.select_for_update(of=("self",))
            .select_related("applicant", "agent", "item_version", "department")
            .filter(pk__in=chunk)
            .order_by("pk")
        )
        return sum(_case_recompute(case, change) for case in cases)

    return change.in_batches("cases", sorted(set(ids)), recompute)


def _case_dates(case: Case, change: CalendarChange) -> list[tuple[str, str, dt.date, Due]]:
    """(field, label, stored date, date on the new calendar) of each open date of ``case``."""
    if case.status in AWAITING_INTAKE and case.received_on and case.intake_due:
        return _intake_dates(case, change)
    if case.status in DECIDING and case.accepted_on:
        start = case.accepted_on
        return [
            (field, str(label), old, change.moved(start, old))
            for field, label, old in (
                ("decision_due", _("承诺办结期限"), case.decision_due),
                ("statutory_due", _("法定办结期限"), case.statutory_due),
            )
            if old is not None
        ]
    return []


def _intake_dates(case: Case, change: CalendarChange) -> list[tuple[str, str, dt.date, Due]]:
    """A2 / ALL Art. 32: the receipt date of the (last) submission day on the new calendar — a
    day that stopped being a working day moves it to the next one — and 5 working days on."""
    assert case.received_on is not None and case.intake_due is not None
    submitted = (
        case.events.filter(action__in=("submitted", "resubmitted"))
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    if submitted is None:  # no submission event (imported data): keep the receipt date
        due = change.moved(case.received_on, case.intake_due)
        return [("intake_due", _("受理期限"), case.intake_due, due)]
    received = change.after.receipt_date(clock.local_date(submitted), deadlines.receipt_policy())
    due = change.after.add_working_days(received.date, deadlines.INTAKE_DAYS)
    mark = received.provisional or due.provisional
    return [
        ("received_on", _("收件日期"), case.received_on, Due(received.date, mark)),
        ("intake_due", _("受理期限"), case.intake_due, Due(due.date, mark)),
    ]


def _case_recompute(case: Case, change: CalendarChange) -> int:
    moved: list[DateChange] = []
    provisional = False
    dates = _case_dates(case, change)
    for field, label, old, due in dates:
        provisional = provisional or due.provisional
        if due.date != old:
            moved.append(DateChange(field, label, old, due.date))
    case_changed = bool(dates) and (moved or provisional != case.due_provisional)
    if case_changed:
        values: dict[str, Any] = {m.field: m.new for m in moved}
        Case.objects.filter(pk=case.pk).update(
            **values,
            due_provisional=provisional,
            revision=F("revision") + 1,
            updated_at=change.now,
        )
        for name, value in values.items():
            setattr(case, name, value)
        case.due_provisional, case.revision = provisional, case.revision + 1
    commitments, commitment_rows = _commitments_recompute(case, change)
    if case_changed or commitment_rows:
        deadline_event_record(
            case, change=change, moved=moved + commitments, provisional=provisional
        )
        return 1
    return 0


def _commitments_recompute(case: Case, change: CalendarChange) -> tuple[list[DateChange], int]:
    """G2: an open commitment's due date, counted from the acceptance like the limit it may not
    pass; with the rows changed (a mark alone changes too). The signed text keeps its words;
    the applicant is told the new date."""
    if case.accepted_on is None:
        return [], 0
    moved: list[DateChange] = []
    rows = case.commitments.filter(
        status=CommitmentStatus.OPEN, due_on__isnull=False, due_on__gte=change.first
    ).select_related("material")
    updates: dict[tuple[dt.date, bool], list[int]] = defaultdict(list)
    for row in rows:
        assert row.due_on is not None
        due = change.moved(case.accepted_on, row.due_on)
        if (due.date, due.provisional) == (row.due_on, row.due_provisional):
            continue
        updates[(due.date, due.provisional)].append(row.pk)
        if due.date != row.due_on:
            name = row.material.name if row.material else ""
            label = _("“%(m)s”补齐期限") % {"m": name} if name else _("承诺履行期限")
            moved.append(DateChange(f"commitment:{row.pk}", label, row.due_on, due.date))
    for (day, provisional), pks in updates.items():
        Commitment.objects.filter(pk__in=pks).update(due_on=day, due_provisional=provisional)
    return moved, sum(len(pks) for pks in updates.values())
