"""Keeping the statistics rollups exact (docs/rules/statistics.md §M3).

- ``case_refresh(case_id)``: the incremental path. Called by the case-event subscription
  (``stats.events``) in the writer's transaction: it recomputes the case's contribution
  (``facts.case_facts``), compares it with the stored one (``CaseFact``, ``CaseStageFact``) and
  adds the difference to the rollups. A replayed or doubly delivered event finds nothing
  changed and adds nothing.
- ``rebuild()``: the full recount, set-based: a handful of ``INSERT … SELECT … GROUP BY``
  statements over the cases, their decisions, special procedures, review tasks and correction
  notices, never a loop over cases. For a calendar change (working days counted again), a
  restore, or a database loaded without events.
- ``reset()``: empty every statistics table (the demo's reset).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q

from onewindow.calendars.selectors import get_calendar
from onewindow.cases.models import Case, CaseEvent, CaseStatus
from onewindow.catalog.models import ItemVersion
from onewindow.review.models import Decision, Suspension, Task
from onewindow.stats.facts import (
    CORRECTION_ANSWERED,
    CORRECTION_REQUESTED,
    FINISHED_TASKS,
    Fact,
    StageFacts,
    case_facts,
    stored_facts,
)
from onewindow.stats.models import (
    HISTOGRAM_CAP,
    CaseFact,
    CaseStageFact,
    DurationRollup,
    MonthlyRollup,
    Stage,
    StageRollup,
    StatusRollup,
    WorkdayIndex,
)

log = logging.getLogger("onewindow.stats")

ROLLUPS: tuple[type[models.Model], ...] = (
    MonthlyRollup,
    StatusRollup,
    DurationRollup,
    StageRollup,
)
# (rollup model, its key as a tuple of (column, value)) → {counter column: delta}
Deltas = dict[tuple[type[models.Model], tuple[tuple[str, Any], ...]], dict[str, int]]


def _contribution(fact: Fact | None, stages: StageFacts) -> Deltas:
    """Everything one case adds to the rollups (docs/rules/statistics.md §M2)."""
    out: Deltas = defaultdict(lambda: defaultdict(int))
    if fact is None:
        return out
    dims = (
        ("department_id", fact.department_id),
        ("item_id", fact.item_id),
        ("region_id", fact.region_id),
    )
    out[(MonthlyRollup, (("month", fact.received_month), *dims))]["received"] += 1
    out[(StatusRollup, (("month", fact.received_month), *dims, ("status", fact.status)))]["n"] += 1
    if fact.accepted_month is not None:
        out[(MonthlyRollup, (("month", fact.accepted_month), *dims))]["accepted"] += 1
    if fact.closed_month is not None:
        row = out[(MonthlyRollup, (("month", fact.closed_month), *dims))]
        row["closed"] += 1
        row["closed_on_time"] += int(fact.on_time)
        row["closed_early"] += int(fact.early)
        if fact.days is not None:
            row["days_sum"] += fact.days
            row["measured"] += 1
            bucket = min(fact.days, HISTOGRAM_CAP)
            out[(DurationRollup, (("month", fact.closed_month), *dims, ("days", bucket)))]["n"] += 1
    for (stage, stage_department_id), (month, days) in stages.items():
        key = (
            ("month", month),
            *dims,
            ("stage", stage),
            ("stage_department_id", stage_department_id),
        )
        out[(StageRollup, key)]["n"] += 1
        out[(StageRollup, key)]["days_sum"] += days
    return out


def _difference(old: Deltas, new: Deltas) -> Deltas:
    diff: Deltas = defaultdict(lambda: defaultdict(int))
    for source, sign in ((old, -1), (new, 1)):
        for key, counters in source.items():
            for column, value in counters.items():
                diff[key][column] += sign * value
    return {
        key: {c: v for c, v in counters.items() if v}
        for key, counters in diff.items()
        if any(counters.values())
    }


def _upsert(
    model: type[models.Model],
    keys: list[str],
    rows: list[dict[str, Any]],
    *,
    add: Sequence[str] = (),
    put: Sequence[str] = (),
) -> None:
    """One ``INSERT … ON CONFLICT (keys) DO UPDATE`` for ``rows`` (SQLite ≥ 3.24 and PostgreSQL
    alike): an existing row adds the ``add`` columns' values to its own and takes the ``put``
    columns' values; a missing one is created. Race-safe without a savepoint: the unique key
    decides, not a read before the write."""
    if not rows:
        return
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    columns = [*keys, *add, *put]
    values = ", ".join("(" + ", ".join(["%s"] * len(columns)) + ")" for _ in rows)
    change = [f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in add]
    change += [f"{q(c)} = excluded.{q(c)}" for c in put]
    sql = (
        f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) VALUES {values} "
        f"ON CONFLICT ({', '.join(q(c) for c in keys)}) DO UPDATE SET {', '.join(change)}"
    )
    params = [row[c] for row in rows for c in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _apply(deltas: Deltas) -> None:
    """Add the deltas to the rollup rows, creating the missing ones: one upsert per rollup table,
    its rows in key order (two writers lock them in the same order)."""
    by_model: dict[type[models.Model], list[tuple[tuple[tuple[str, Any], ...], dict[str, int]]]]
    by_model = defaultdict(list)
    for (model, key), counters in deltas.items():
        by_model[model].append((key, counters))
    for model in sorted(by_model, key=lambda m: m.__name__):
        entries = sorted(by_model[model], key=lambda kv: str(kv[0]))
        keys = [column for column, _value in entries[0][0]]
        # Every counter column: the table has no database defaults (a new row states them all).
        columns = [
            f.column
            for f in model._meta.concrete_fields
            if not f.primary_key and f.column not in keys
        ]
        rows = [{**dict(key), **{c: change.get(c, 0) for c in columns}} for key, change in entries]
        _upsert(model, keys, rows, add=columns)


def _store(
    case_id: int,
    facts: tuple[Fact | None, Fact | None],
    stages: tuple[StageFacts, StageFacts],
) -> None:
    """Write what changed in the case's contribution records, (old, new) each: its ``CaseFact``
    row (deleted when the case no longer counts) and its stage rows."""
    old_fact, fact = facts
    old, new = stages
    if fact is None:
        if old_fact is not None:
            CaseFact.objects.filter(case_id=case_id).delete()
    elif fact != old_fact:
        fields = fact.fields()
        _upsert(CaseFact, ["case_id"], [{"case_id": case_id, **fields}], put=sorted(fields))
    gone = [key for key in old if key not in new]
    if gone:
        where = Q()
        for stage, department_id in gone:
            where |= Q(stage=stage, stage_department_id=department_id)
        CaseStageFact.objects.filter(where, case_id=case_id).delete()
    changed = sorted((key, value) for key, value in new.items() if old.get(key) != value)
    _upsert(
        CaseStageFact,
        ["case_id", "stage", "stage_department_id"],
        [
            {"case_id": case_id, "stage": s, "stage_department_id": d, "month": m, "days": n}
            for (s, d), (m, n) in changed
        ],
        put=["month", "days"],
    )


@transaction.atomic(savepoint=False)  # inside the writer's transaction: its failure undoes ours
def case_refresh(case_id: int) -> bool:
    """Bring one case's contribution up to date; True when something changed. Idempotent."""
    # Serialise two writers of the same case (the transition already holds this lock). SQLite
    # has one writer at a time already (the transaction began IMMEDIATE).
    if connection.features.has_select_for_update:
        list(Case.objects.select_for_update().filter(pk=case_id).values_list("pk", flat=True))
    old_fact, old_stages = stored_facts(case_id)
    new_fact, new_stages = case_facts(case_id)
    if old_fact == new_fact and old_stages == new_stages:
        return False
    _apply(_difference(_contribution(old_fact, old_stages), _contribution(new_fact, new_stages)))
    _store(case_id, (old_fact, new_fact), (old_stages, new_stages))
    return True


def cases_refresh(case_ids: list[int]) -> int:
    """``case_refresh`` for a few cases (e.g. after a set-based update); returns how many moved."""
    return sum(case_refresh(case_id) for case_id in case_ids)


def stats_recompute(change: Any) -> int:
    """The calendar changed (``calendars.recompute``): working days are counted anew, so the
    rollups are recounted (set-based) when any case's figures can reach the changed days — a
    case still open, or one received, accepted or decided in or after the first changed month.
    Returns 0: the recomputers report moved deadlines, and no deadline moved here."""
    since = change.first.replace(day=1)
    reach = (
        Q(closed_month__isnull=True)
        | Q(received_month__gte=since)
        | Q(accepted_month__gte=since)
        | Q(closed_month__gte=since)
    )
    if CaseFact.objects.filter(reach).exists():
        rebuild()
    return 0


# --- the full recount ---------------------------------------------------------------------------
def reset() -> None:
    """Empty the rollups and the contribution records."""
    with transaction.atomic():
        tables: tuple[type[models.Model], ...] = (*ROLLUPS, CaseFact, CaseStageFact)
        for model in tables:
            model._default_manager.all().delete()


def workday_index_fill() -> int:
    """(Re)fill ``WorkdayIndex`` from the calendar over its whole span (about 35,000 days)."""
    calendar = get_calendar()
    first, last = calendar.first_day, calendar.last_day
    rows = []
    day, n = first, 0
    one = dt.timedelta(days=1)
    while day <= last:
        if day > first and calendar.is_working_day(day):
            n += 1
        rows.append(WorkdayIndex(day=day, n=n, month=day.replace(day=1)))
        day += one
    WorkdayIndex.objects.all().delete()
    WorkdayIndex.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _greatest() -> str:
    return "MAX" if connection.vendor == "sqlite" else "GREATEST"


def _local_date(column: str) -> str:
    """SQL for the local calendar date of a datetime column."""
    sql, params = connection.ops.datetime_cast_date_sql(column, (), settings.TIME_ZONE)
    # The parameters are time-zone names from the settings: inlined as quoted literals.
    literals = tuple("'" + str(p).replace("'", "''") + "'" for p in params)
    return str(sql) % literals if literals else str(sql)


def _sql(statement: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return int(cursor.rowcount or 0)


def _t(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Recount every rollup from the cases, set-based (docs/rules/statistics.md §M3).

    Returns the number of rows written per table. Runs in one transaction: readers see the old
    rollups until it commits, and on SQLite writers wait for it.
    """
    g = _greatest()
    t_case, t_dec, t_susp = _t(Case), _t(Decision), _t(Suspension)
    t_task, t_event, t_ver = _t(Task), _t(CaseEvent), _t(ItemVersion)
    t_fact, t_sfact, t_wd = _t(CaseFact), _t(CaseStageFact), _t(WorkdayIndex)
    done = set(str(s) for s in FINISHED_TASKS)
    finished = ", ".join(f"'{s}'" for s in sorted(done))
    completed = f"'{CaseStatus.COMPLETED.value}'"
    counts: dict[str, int] = {}
    reset()
    counts["workdays"] = workday_index_fill()
    counts["case_facts"] = _sql(
        f"""
        INSERT INTO {t_fact} (case_id, department_id, item_id, region_id, status, received_month,
            accepted_month, closed_month, on_time, early, days)
        SELECT c.id, c.department_id, v.item_id, c.region_id, c.status, wr.month, wa.month,
            wd.month,
            CASE WHEN d.decided_on IS NOT NULL AND c.decision_due IS NOT NULL
                AND d.decided_on <= c.decision_due THEN 1 ELSE 0 END = 1,
            CASE WHEN d.decided_on IS NOT NULL AND c.decision_due IS NOT NULL
                AND d.decided_on < c.decision_due THEN 1 ELSE 0 END = 1,
            CASE WHEN d.decided_on IS NULL OR c.accepted_on IS NULL THEN NULL
                ELSE {g}({g}(wd.n - wa.n, 0) - COALESCE(s.spent, 0), 0) END
        FROM {t_case} c
        JOIN {t_ver} v ON v.id = c.item_version_id
        JOIN {t_wd} wr ON wr.day = c.received_on
        LEFT JOIN {t_wd} wa ON wa.day = c.accepted_on
        LEFT JOIN {t_dec} d ON d.case_id = c.id
        LEFT JOIN {t_wd} wd ON wd.day = d.decided_on
        LEFT JOIN (SELECT case_id, SUM(days_spent) AS spent FROM {t_susp} GROUP BY case_id) s
            ON s.case_id = c.id
        WHERE c.received_on IS NOT NULL
        """
    )
    stage_insert = f"INSERT INTO {t_sfact} (case_id, stage, stage_department_id, month, days) "
    counts["stage_intake"] = _sql(
        stage_insert
        + f"""
        SELECT c.id, '{Stage.INTAKE.value}', 0, wa.month, {g}(wa.n - wr.n, 0)
        FROM {t_case} c JOIN {t_fact} f ON f.case_id = c.id
        JOIN {t_wd} wr ON wr.day = c.received_on JOIN {t_wd} wa ON wa.day = c.accepted_on
        """
    )
    issued, answered = _local_date("q.at"), _local_date("r.answered_at")
    counts["stage_correction"] = _sql(
        stage_insert
        + f"""
        SELECT r.case_id, '{Stage.CORRECTION.value}', 0, MAX(wa.month),
            SUM({g}(wa.n - wi.n, 0))
        FROM (
            SELECT e.case_id, e.at AS answered_at,
                (SELECT MAX(p.id) FROM {t_event} p WHERE p.case_id = e.case_id
                    AND p.action = '{CORRECTION_REQUESTED}' AND p.id < e.id) AS notice_event
            FROM {t_event} e WHERE e.action = '{CORRECTION_ANSWERED}'
        ) r
        JOIN {t_event} q ON q.id = r.notice_event
        JOIN {t_fact} f ON f.case_id = r.case_id
        JOIN {t_wd} wi ON wi.day = {issued} JOIN {t_wd} wa ON wa.day = {answered}
        GROUP BY r.case_id
        """
    )
    closed = _local_date("t.closed_at")
    counts["stage_review"] = _sql(
        stage_insert
        + f"""
        SELECT t.case_id, '{Stage.REVIEW.value}', t.department_id, MAX(wc.month),
            SUM({g}({g}(wc.n - wo.n, 0) - t.paused_days, 0))
        FROM {t_task} t JOIN {t_fact} f ON f.case_id = t.case_id
        JOIN {t_wd} wo ON wo.day = t.opened_on JOIN {t_wd} wc ON wc.day = {closed}
        WHERE t.status IN ({finished}) AND t.closed_at IS NOT NULL
        GROUP BY t.case_id, t.department_id
        """
    )
    last = _local_date("x.last_at")
    counts["stage_decision"] = _sql(
        stage_insert
        + f"""
        SELECT d.case_id, '{Stage.DECISION.value}', 0, wd.month, {g}(wd.n - wl.n, 0)
        FROM {t_dec} d JOIN {t_fact} f ON f.case_id = d.case_id
        JOIN (SELECT case_id, MAX(closed_at) AS last_at FROM {t_task}
              WHERE status IN ({finished}) AND closed_at IS NOT NULL GROUP BY case_id) x
            ON x.case_id = d.case_id
        JOIN {t_wd} wl ON wl.day = {last} JOIN {t_wd} wd ON wd.day = d.decided_on
        """
    )
    done_day = _local_date("c.closed_at")
    counts["stage_delivery"] = _sql(
        stage_insert
        + f"""
        SELECT c.id, '{Stage.DELIVERY.value}', 0, wc.month, {g}(wc.n - wd.n, 0)
        FROM {t_case} c JOIN {t_fact} f ON f.case_id = c.id
        JOIN {t_dec} d ON d.case_id = c.id
        JOIN {t_wd} wd ON wd.day = d.decided_on JOIN {t_wd} wc ON wc.day = {done_day}
        WHERE c.status = {completed} AND c.closed_at IS NOT NULL
        """
    )
    dims = "department_id, item_id, region_id"
    counts["monthly"] = _sql(
        f"""
        INSERT INTO {_t(MonthlyRollup)} (month, {dims}, received, accepted, closed,
            closed_on_time, closed_early, days_sum, measured)
        SELECT month, {dims}, SUM(received), SUM(accepted), SUM(closed), SUM(on_time),
            SUM(early), SUM(days), SUM(measured)
        FROM (
            SELECT received_month AS month, {dims}, 1 AS received, 0 AS accepted, 0 AS closed,
                0 AS on_time, 0 AS early, 0 AS days, 0 AS measured FROM {t_fact}
            UNION ALL
            SELECT accepted_month, {dims}, 0, 1, 0, 0, 0, 0, 0 FROM {t_fact}
            WHERE accepted_month IS NOT NULL
            UNION ALL
            SELECT closed_month, {dims}, 0, 0, 1, CASE WHEN on_time THEN 1 ELSE 0 END,
                CASE WHEN early THEN 1 ELSE 0 END, COALESCE(days, 0),
                CASE WHEN days IS NULL THEN 0 ELSE 1 END FROM {t_fact}
            WHERE closed_month IS NOT NULL
        ) u
        GROUP BY month, {dims}
        """
    )
    counts["status"] = _sql(
        f"""
        INSERT INTO {_t(StatusRollup)} (month, {dims}, status, n)
        SELECT received_month, {dims}, status, COUNT(*) FROM {t_fact}
        GROUP BY received_month, {dims}, status
        """
    )
    bucket = f"CASE WHEN days >= {HISTOGRAM_CAP} THEN {HISTOGRAM_CAP} ELSE days END"
    counts["duration"] = _sql(
        f"""
        INSERT INTO {_t(DurationRollup)} (month, {dims}, days, n)
        SELECT closed_month, {dims}, {bucket}, COUNT(*) FROM {t_fact}
        WHERE closed_month IS NOT NULL AND days IS NOT NULL
        GROUP BY closed_month, {dims}, {bucket}
        """
    )
    counts["stage"] = _sql(
        f"""
        INSERT INTO {_t(StageRollup)} (month, department_id, item_id, region_id, stage,
            stage_department_id, n, days_sum)
        SELECT s.month, f.department_id, f.item_id, f.region_id, s.stage, s.stage_department_id,
            COUNT(*), SUM(s.days)
        FROM {t_sfact} s JOIN {t_fact} f ON f.case_id = s.case_id
        GROUP BY s.month, f.department_id, f.item_id, f.region_id, s.stage, s.stage_department_id
        """
    )
    # Fresh planner statistics for the rewritten tables: with them SQLite reads the rollups
    # through their covering indexes (without, it walks the unique key and sorts).
    for model in ROLLUPS:
        _sql(f"ANALYZE {_t(model)}")
    log.info("statistics rebuilt: %s", counts)
    return counts
