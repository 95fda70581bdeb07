"""What one case contributes to the rollups, computed from the case as it stands
(docs/rules/statistics.md §M1, §M3, §M4).

``case_facts(case_id)`` reads the case, its decision, its special procedures, its review tasks
and correction notices, and returns its ``CaseFact`` fields and its stage rows (or nothing for
a case never received: a draft). ``services.case_refresh`` stores them and applies the
difference to the rollups; ``recount`` reads the same definitions from the cases in bulk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Subquery, Sum

from onewindow.calendars.selectors import get_calendar
from onewindow.cases.models import Case, CaseEvent, CaseStatus
from onewindow.core import clock
from onewindow.review.models import Decision, Suspension, Task, TaskStatus
from onewindow.stats.models import Stage

# Review tasks that ended with an opinion (given or deemed); cancelled ones took no review time.
FINISHED_TASKS = (TaskStatus.DONE, TaskStatus.DEEMED)
# The events that open and close the applicant's correction wait (docs/rules/statistics.md §M4).
CORRECTION_REQUESTED = "correction_requested"
CORRECTION_ANSWERED = "resubmitted"
CORRECTION_ACTIONS = (CORRECTION_REQUESTED, CORRECTION_ANSWERED)


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def working_days(start: dt.date, end: dt.date) -> int | None:
    """Working days after ``start`` up to and including ``end``: 0 when ``end`` ≤ ``start``;
    None outside the calendar's span (docs/rules/statistics.md §M1)."""
    if end <= start:
        return 0
    try:
        return get_calendar().count_working_days(start, end)
    except ValueError:
        return None


@dataclass(frozen=True)
class Fact:
    """The ``CaseFact`` fields of one case."""

    department_id: int
    item_id: int
    region_id: int
    status: str
    received_month: dt.date
    accepted_month: dt.date | None
    closed_month: dt.date | None
    on_time: bool
    early: bool
    days: int | None

    def fields(self) -> dict[str, Any]:
        return dict(self.__dict__)


# (stage, stage department id) → (month the stage ended, working days)
StageFacts = dict[tuple[str, int], tuple[dt.date, int]]


def decision_facts(
    decided_on: dt.date | None,
    decision_due: dt.date | None,
    accepted_on: dt.date | None,
    suspended_days: int,
) -> tuple[dt.date | None, bool, bool, int | None]:
    """(closed month, on time, early, working days) of a decision (docs/rules/statistics.md §M1):
    closed when decided; on time when decided on or before the committed date (a special
    procedure already moved it), early when before it; the duration counts from acceptance to
    the decision, less the special procedures' working days."""
    if decided_on is None:
        return None, False, False, None
    on_time = decision_due is not None and decided_on <= decision_due
    early = decision_due is not None and decided_on < decision_due
    days = None
    if accepted_on is not None:
        spent = working_days(accepted_on, decided_on)
        days = None if spent is None else max(spent - suspended_days, 0)
    return month_of(decided_on), on_time, early, days


def case_facts(case_id: int) -> tuple[Fact | None, StageFacts]:
    """The case's contribution; (None, {}) when it was never received (or no longer exists)."""
    # One statement for the case, its decision date and its special procedures' working days
    # (an event's refresh runs on every transition: docs/rules/statistics.md §M3).
    case = (
        Case.objects.filter(pk=case_id)
        .select_related("item_version")
        .only(
            "department_id",
            "region_id",
            "status",
            "received_on",
            "accepted_on",
            "decision_due",
            "closed_at",
            "item_version__item_id",
        )
        .annotate(
            decided=Subquery(
                Decision.objects.filter(case_id=OuterRef("pk")).values("decided_on")[:1]
            ),
            corrected=Exists(
                CaseEvent.objects.filter(case_id=OuterRef("pk"), action=CORRECTION_REQUESTED)
            ),
            suspended=Subquery(
                Suspension.objects.filter(case_id=OuterRef("pk"))
                .order_by()
                .values("case_id")
                .annotate(s=Sum("days_spent"))
                .values("s")
            ),
        )
        .first()
    )
    if case is None or case.received_on is None:
        return None, {}
    decided: dt.date | None = None
    suspended = 0
    if case.accepted_on is not None:  # no decision nor special procedure before acceptance
        decided = case.decided
        suspended = case.suspended or 0
    closed_month, on_time, early, days = decision_facts(
        decided, case.decision_due, case.accepted_on, suspended
    )
    fact = Fact(
        department_id=case.department_id,
        item_id=case.item_version.item_id,
        region_id=case.region_id,
        status=case.status,
        received_month=month_of(case.received_on),
        accepted_month=month_of(case.accepted_on) if case.accepted_on else None,
        closed_month=closed_month,
        on_time=on_time,
        early=early,
        days=days,
    )
    return fact, stage_facts(case, decided, corrected=case.corrected)


def stage_facts(case: Case, decided: dt.date | None, *, corrected: bool = True) -> StageFacts:
    """The working days of each stage the case has finished (docs/rules/statistics.md §M4).
    ``corrected`` False: the case never had a correction notice (its events are not read)."""
    stages: StageFacts = {}

    def put(stage: str, department_id: int, end: dt.date, days: int | None) -> None:
        if days is None:
            return
        old = stages.get((stage, department_id))
        if old is None:
            stages[(stage, department_id)] = (month_of(end), days)
        else:
            stages[(stage, department_id)] = (max(old[0], month_of(end)), old[1] + days)

    if case.received_on and case.accepted_on:
        put(Stage.INTAKE, 0, case.accepted_on, working_days(case.received_on, case.accepted_on))
    # Each answer (resubmission) ends the correction wait that the last notice before it began;
    # read from the events, which exist when the answer's own event is handled.
    notice_day = None
    events = CaseEvent.objects.filter(case_id=case.pk, action__in=CORRECTION_ACTIONS).order_by("pk")
    for action, moment in events.values_list("action", "at") if corrected else ():
        day = clock.local_date(moment)
        if action == CORRECTION_REQUESTED:
            notice_day = day
        elif notice_day is not None:
            put(Stage.CORRECTION, 0, day, working_days(notice_day, day))
            notice_day = None
    if case.accepted_on is None:  # no review task before acceptance
        return stages
    tasks = Task.objects.filter(
        case_id=case.pk, status__in=FINISHED_TASKS, closed_at__isnull=False
    ).values_list("department_id", "opened_on", "closed_at", "paused_days")
    last: dt.datetime | None = None  # the last finished task's end: the decision stage's start
    for department_id, opened_on, closed_at, paused in tasks:
        assert closed_at is not None  # filtered above
        last = closed_at if last is None else max(last, closed_at)
        closed = clock.local_date(closed_at)
        spent = working_days(opened_on, closed)
        put(Stage.REVIEW, department_id, closed, None if spent is None else max(spent - paused, 0))
    if decided is not None:
        if last is not None:
            put(Stage.DECISION, 0, decided, working_days(clock.local_date(last), decided))
        if case.status == CaseStatus.COMPLETED and case.closed_at is not None:
            done = clock.local_date(case.closed_at)
            put(Stage.DELIVERY, 0, done, working_days(decided, done))
    return stages
