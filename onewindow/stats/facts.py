"""What one case contributes to the rollups, computed from the case as it stands
(docs/rules/statistics.md §M1, §M3, §M4).

``case_facts(case_id)`` reads the case, its decision, its special procedures, its review tasks
and correction notices, and returns its ``CaseFact`` fields and its stage rows (or nothing for
a case never received: a draft). ``services.case_refresh`` stores them and applies the
difference to the rollups; ``recount`` reads the same definitions from the cases in bulk.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from onewindow.calendars.selectors import get_calendar
from onewindow.cases.models import Case, CaseEvent, CaseStatus
from onewindow.catalog.models import ItemVersion
from onewindow.core import clock
from onewindow.review.models import Decision, Suspension, Task, TaskStatus
from onewindow.stats.models import CaseFact, CaseStageFact, Stage

_V = TypeVar("_V")

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
    row = _fetch(_case_sql(), [CORRECTION_REQUESTED, case_id])
    if not row:
        return None, {}
    (
        department_id,
        region_id,
        status,
        received_on,
        accepted_on,
        decision_due,
        closed_at,
        item_id,
        decided_on,
        corrected,
        suspended_days,
    ) = row[0]
    received_on = stored_date(received_on)
    if received_on is None:
        return None, {}
    case = CaseRow(
        pk=case_id,
        status=status,
        received_on=received_on,
        accepted_on=stored_date(accepted_on),
        closed_at=_datetime(closed_at),
    )
    decided: dt.date | None = None
    suspended = 0
    if case.accepted_on is not None:  # no decision nor special procedure before acceptance
        decided = stored_date(decided_on)
        suspended = int(suspended_days or 0)
    closed_month, on_time, early, days = decision_facts(
        decided, stored_date(decision_due), case.accepted_on, suspended
    )
    fact = Fact(
        department_id=department_id,
        item_id=item_id,
        region_id=region_id,
        status=status,
        received_month=month_of(received_on),
        accepted_month=month_of(case.accepted_on) if case.accepted_on else None,
        closed_month=closed_month,
        on_time=on_time,
        early=early,
        days=days,
    )
    return fact, stage_facts(case, decided, corrected=bool(corrected))


# --- the refresh's reads, in SQL written once -----------------------------------------------------
# An event's refresh runs on every transition (docs/rules/statistics.md §M3), several times a
# request: building and compiling these reads through the ORM cost about 3 ms a refresh, the
# statements themselves some 50 µs. Each is built once per database vendor; ``stats.tests``
# compare their answers with the full recount.
@dataclass(frozen=True)
class CaseRow:
    """What ``stage_facts`` reads of a case."""

    pk: int
    status: str
    received_on: dt.date | None
    accepted_on: dt.date | None
    closed_at: dt.datetime | None


_SQL: dict[tuple[str, str], str] = {}


def _t(model: type[models.Model]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _q(column: str) -> str:
    return str(connection.ops.quote_name(column))


def _built(name: str, build: Callable[[], str]) -> str:
    key = (connection.vendor, name)
    sql = _SQL.get(key)
    if sql is None:
        sql = _SQL[key] = build()
    return sql


def _case_sql() -> str:
    def build() -> str:
        return (
            "SELECT c.department_id, c.region_id, c.status, c.received_on, c.accepted_on, "
            "c.decision_due, c.closed_at, v.item_id, "
            f"(SELECT d.decided_on FROM {_t(Decision)} d WHERE d.case_id = c.id LIMIT 1), "
            f"EXISTS (SELECT 1 FROM {_t(CaseEvent)} e WHERE e.case_id = c.id AND e.action = %s), "
            f"(SELECT SUM(s.days_spent) FROM {_t(Suspension)} s WHERE s.case_id = c.id) "
            f"FROM {_t(Case)} c JOIN {_t(ItemVersion)} v ON v.id = c.item_version_id "
            "WHERE c.id = %s"
        )

    return _built("case", build)


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def stored_date(value: Any) -> dt.date | None:
    """A DATE column's value (SQLite answers text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _datetime(value: Any) -> dt.datetime | None:
    """A datetime column's value, aware (SQLite answers naive UTC text)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = parse_datetime(str(value))
        assert value is not None, "a datetime column holds a datetime"
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def stage_facts(case: CaseRow, decided: dt.date | None, *, corrected: bool = True) -> StageFacts:
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
    events = _fetch(_events_sql(), [*CORRECTION_ACTIONS, case.pk]) if corrected else []
    for action, moment in events:
        day = clock.local_date(_required(_datetime(moment)))
        if action == CORRECTION_REQUESTED:
            notice_day = day
        elif notice_day is not None:
            put(Stage.CORRECTION, 0, day, working_days(notice_day, day))
            notice_day = None
    if case.accepted_on is None:  # no review task before acceptance
        return stages
    tasks = _fetch(_tasks_sql(), [*FINISHED_TASKS, case.pk])
    last: dt.datetime | None = None  # the last finished task's end: the decision stage's start
    for department_id, opened_on, closed_at, paused in tasks:
        ended = _required(_datetime(closed_at))  # filtered in the SQL
        last = ended if last is None else max(last, ended)
        closed = clock.local_date(ended)
        spent = working_days(_required(stored_date(opened_on)), closed)
        put(Stage.REVIEW, department_id, closed, None if spent is None else max(spent - paused, 0))
    if decided is not None:
        if last is not None:
            put(Stage.DECISION, 0, decided, working_days(clock.local_date(last), decided))
        if case.status == CaseStatus.COMPLETED and case.closed_at is not None:
            done = clock.local_date(case.closed_at)
            put(Stage.DELIVERY, 0, done, working_days(decided, done))
    return stages


def _required(value: _V | None) -> _V:
    assert value is not None, "a NOT NULL column"
    return value


def _events_sql() -> str:
    return _built(
        "events",
        lambda: (
            f"SELECT e.action, e.at FROM {_t(CaseEvent)} e "
            f"WHERE e.action IN ({', '.join(['%s'] * len(CORRECTION_ACTIONS))}) "
            "AND e.case_id = %s ORDER BY e.id"
        ),
    )


def _tasks_sql() -> str:
    marks = ", ".join(["%s"] * len(FINISHED_TASKS))
    return _built(
        "tasks",
        lambda: (
            "SELECT t.department_id, t.opened_on, t.closed_at, t.paused_days "
            f"FROM {_t(Task)} t WHERE t.status IN ({marks}) AND t.case_id = %s "
            "AND t.closed_at IS NOT NULL"
        ),
    )


def stored_facts(case_id: int) -> tuple[Fact | None, StageFacts]:
    """The case's contribution as ``services`` last stored it (``CaseFact``, ``CaseStageFact``)."""
    names = [f.name for f in dataclasses.fields(Fact)]
    rows = _fetch(
        _built(
            "stored",
            lambda: f"SELECT {', '.join(map(_q, names))} FROM {_t(CaseFact)} WHERE case_id = %s",
        ),
        [case_id],
    )
    fact = None
    if rows:
        values = dict(zip(names, rows[0], strict=True))
        for month in ("received_month", "accepted_month", "closed_month"):
            values[month] = stored_date(values[month])
        values["on_time"], values["early"] = bool(values["on_time"]), bool(values["early"])
        fact = Fact(**values)
    stage_rows = _fetch(
        _built(
            "stored stages",
            lambda: (
                f"SELECT {', '.join(map(_q, ('stage', 'stage_department_id', 'month', 'days')))} "
                f"FROM {_t(CaseStageFact)} WHERE case_id = %s"
            ),
        ),
        [case_id],
    )
    stages: StageFacts = {
        (stage, dep): (_required(stored_date(month)), days)
        for stage, dep, month, days in stage_rows
    }
    return fact, stages
