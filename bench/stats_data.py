"""Fill a scratch database for the statistics benchmark: N received cases over three years.

Usage: .venv/bin/python -m bench.stats_data [--database-url URL] [--cases 10000000]
       [--chunk 200000] [--replace]

The target is a SQLite file (``sqlite:////tmp/ow-stats/bench.sqlite3``, the default) or a
PostgreSQL database; it must be empty or absent (``--replace`` drops it first; the helpers are
``bench.sweep_data``'s). The schema comes from the Django migrations. Then:

1. The world: ``DEPARTMENTS`` departments, each with a window clerk and an approver,
   ``ITEMS_PER_DEPARTMENT`` published items per department (every other one reviewed in parallel
   by the next department too: two process branches), a city with ``DISTRICTS`` districts, and
   one applicant. The items ask for no material, so a draft can be submitted as it is.
2. Bulk rows with set-based SQL (PostgreSQL: ``INSERT … SELECT … FROM generate_series``; SQLite:
   a recursive-CTE ``INSERT … SELECT`` with ``PRAGMA synchronous=OFF`` and a large page cache),
   in primary-key order like real traffic, ``--chunk`` cases per transaction. The secondary
   indexes of the filled tables are dropped first and built again at the end (faster than
   keeping them up to date row by row); unique constraints stay.

What every case gets is what the statistics read (``onewindow.stats.facts``): the case (received
day spread evenly over the three years ending today, item, department, region, channel, status,
acceptance day, committed and statutory dates, closing time), its decision (grant or refusal),
its review tasks (done, open or cancelled, with opening and closing days), a special procedure
for 2 % of the decided cases (and for every suspended one), and a correction notice for 5 % of
the accepted cases (answered before acceptance) and for every case now waiting for correction.
Of the case events only the two the correction stage is read from are generated (the notice and
the resubmission); no other statistic reads events (the incremental path is measured with new
events written by the real services, ``bench.stats_bench``).

Statuses by the age of the case (days since receipt): older than 35 days, 78 % completed, 2 %
granted (awaiting delivery), 6 % refused, 6 % rejected at intake, 5 % withdrawn, 3 % terminated;
5 to 35 days: 70 % in review, 4 % suspended, 6 % waiting for correction, 10 % rejected, 10 %
withdrawn; the last 5 days: 80 % submitted, 10 % waiting for correction, 10 % withdrawn. A
decision comes 4 to 19 calendar days after acceptance against a committed date 18 days after it
(so about 6 % are late), delivery 1 to 5 days after a grant.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.sweep_data import Dialect, bench_env, target_prepare

DEFAULT_URL = "sqlite:////tmp/ow-stats/bench.sqlite3"
YEARS = 3
DEPARTMENTS = 12
ITEMS_PER_DEPARTMENT = 5
DISTRICTS = 6
DEPT_PREFIX = "STATS-"
ITEM_PREFIX = "BENCH-STATS-"
APPLICANT = "stats-applicant"
DECIDED = ("granted", "refused", "completed")
CLOSED = ("completed", "refused", "rejected", "withdrawn", "terminated")
REVIEWED = ("in_review", "suspended", "granted", "refused", "completed", "terminated")


# --- SQL pieces on top of sweep_data's dialect ---------------------------------------------------
@dataclass(frozen=True)
class Sql(Dialect):
    start: dt.date = dt.date(2000, 1, 1)  # the first day of the period
    days: int = 1  # the period's length: "today" is start + days

    def day(self, offset: str) -> str:
        """``start`` plus ``offset`` days (an integer SQL expression), as a date."""
        return self.date_plus(self.start, offset)

    def stamp(self, offset: str, minutes: str) -> str:
        """``start`` plus ``offset`` days and ``minutes`` minutes (UTC), as a timestamp."""
        if self.vendor == "postgresql":
            return (
                f"(TIMESTAMP '{self.start.isoformat()} 00:00:00' + ({offset}) * INTERVAL '1 day'"
                f" + ({minutes}) * INTERVAL '1 minute')"
            )
        return f"datetime('{self.start.isoformat()}', ({offset}) || ' days', ({minutes}) || ' minutes')"

    def add(self, column: str, days: str) -> str:
        """A date column plus ``days`` days."""
        if self.vendor == "postgresql":
            return f"({column} + ({days})::int)"
        return f"date({column}, ({days}) || ' days')"

    def at(self, column: str, minutes: str) -> str:
        """A date column plus ``minutes`` minutes, as a timestamp."""
        if self.vendor == "postgresql":
            return f"({column} + ({minutes}) * INTERVAL '1 minute')"
        return f"datetime({column}, ({minutes}) || ' minutes')"


def in_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def when(mapping: dict[int, int]) -> str:
    """``WHEN k THEN v`` for a CASE over an index."""
    return " ".join(f"WHEN {k} THEN {v}" for k, v in mapping.items())


# --- the world ---------------------------------------------------------------------------------
@dataclass
class World:
    departments: list[int]
    items: list[int]  # item ids, in item-index order
    versions: list[int]  # the published version of each item, same order
    item_department: list[int]  # the item's department id, same order
    regions: list[int]  # the districts
    applicant: int
    clerk_of: dict[int, int]  # department id → window clerk user id
    approver_of: dict[int, int]  # department id → approver user id


def world_create() -> World:
    from onewindow.accounts.models import User
    from onewindow.accounts.roles import Role
    from onewindow.catalog.models import (
        Department,
        Item,
        ItemVersion,
        ProcessBranch,
        Region,
        RegionLevel,
        VersionStatus,
    )

    city = Region.objects.create(code="429800", name="统计基准市", level=RegionLevel.CITY)
    regions = [
        Region.objects.create(
            code=f"4298{n:02d}", name=f"统计基准{n}区", level=RegionLevel.DISTRICT, parent=city
        )
        for n in range(1, DISTRICTS + 1)
    ]
    departments = [
        Department.objects.create(code=f"{DEPT_PREFIX}{n:02d}", name=f"统计基准第{n}局", sort=n)
        for n in range(1, DEPARTMENTS + 1)
    ]

    def user(name: str, role: str, department: Any) -> User:
        return User.objects.create_user(
            username=name,
            password=uuid.uuid4().hex,
            role=role,
            full_name=name,
            department=department,
        )

    clerk_of: dict[int, int] = {}
    approver_of: dict[int, int] = {}
    for dept in departments:
        clerk_of[dept.pk] = user(f"stats-clerk-{dept.code}", Role.CLERK, dept).pk
        approver_of[dept.pk] = user(f"stats-approver-{dept.code}", Role.APPROVER, dept).pk
    applicant = user(APPLICANT, Role.APPLICANT, None)
    items: list[int] = []
    versions: list[int] = []
    item_department: list[int] = []
    for n in range(DEPARTMENTS * ITEMS_PER_DEPARTMENT):
        dept = departments[n % DEPARTMENTS]
        item = Item.objects.create(code=f"{ITEM_PREFIX}{n + 1:03d}", department=dept)
        version = ItemVersion.objects.create(
            item=item,
            number=1,
            name=f"统计基准许可{n + 1}",
            legal_basis="基准",
            statutory_days=20,
            committed_days=12,
            consolidation_days=2,
            result_name="基准证",
            delivery_methods=["window"],
        )
        branches = [(dept, True, 8)]
        if n % 2 == 0:  # every other item is reviewed in parallel by the next department too
            branches.append((departments[(n + 1) % DEPARTMENTS], False, 6))
        for sort, (department, lead, days) in enumerate(branches, 1):
            ProcessBranch.objects.create(
                version=version,
                department=department,
                is_lead=lead,
                allotted_days=days,
                steps=[{"kind": "approve", "role": "approver"}],
                sort=sort,
            )
        version.status = VersionStatus.PUBLISHED
        version.save()
        item.published_version = version
        item.save()
        items.append(item.pk)
        versions.append(version.pk)
        item_department.append(dept.pk)
    return World(
        departments=[d.pk for d in departments],
        items=items,
        versions=versions,
        item_department=item_department,
        regions=[r.pk for r in regions],
        applicant=applicant.pk,
        clerk_of=clerk_of,
        approver_of=approver_of,
    )


# --- bulk rows ---------------------------------------------------------------------------------
def cases_insert(cursor: Any, q: Sql, w: World, *, first: int, count: int, total: int) -> None:
    """``count`` received cases with ids ``first`` …; case ``i`` of ``total`` is received on
    day ``(i - 1) * days / total`` of the period (so ids follow receipt, like real traffic)."""
    from onewindow.cases.models import Case

    days = q.days
    prefix, source = q.series(count)
    nitems, nreg = len(w.items), len(w.regions)
    accepted = f"(st IN {in_list(REVIEWED)} OR (st = 'withdrawn' AND age > 35 AND cid %% 2 = 0))"
    corrected = f"({accepted} AND cid %% 20 = 7)"
    suspended = f"(st IN {in_list(DECIDED)} AND cid %% 50 = 11)"
    susp = f"(CASE WHEN {suspended} THEN 3 ELSE 0 END)"
    acc_off = f"(off + cid %% 3 + CASE WHEN {corrected} THEN 3 ELSE 0 END)"
    dec_off = f"({acc_off} + 4 + (cid * 13) %% 16 + {susp})"
    close_off = (
        f"CASE st WHEN 'completed' THEN {dec_off} + 1 + cid %% 5 WHEN 'refused' THEN {dec_off} "
        f"WHEN 'rejected' THEN off + 2 WHEN 'terminated' THEN {acc_off} + 10 "
        f"WHEN 'withdrawn' THEN CASE WHEN {accepted} THEN {acc_off} + 3 ELSE off END END"
    )
    status = (
        "CASE WHEN age > 35 THEN CASE WHEN b < 78 THEN 'completed' WHEN b < 80 THEN 'granted' "
        "WHEN b < 86 THEN 'refused' WHEN b < 92 THEN 'rejected' WHEN b < 97 THEN 'withdrawn' "
        "ELSE 'terminated' END "
        "WHEN age > 4 THEN CASE WHEN b < 70 THEN 'in_review' WHEN b < 74 THEN 'suspended' "
        "WHEN b < 80 THEN 'correction' WHEN b < 90 THEN 'rejected' ELSE 'withdrawn' END "
        "ELSE CASE WHEN b < 80 THEN 'submitted' WHEN b < 90 THEN 'correction' "
        "ELSE 'withdrawn' END END"
    )
    version = when(dict(enumerate(w.versions)))
    department = when(dict(enumerate(w.item_department)))
    region = when(dict(enumerate(w.regions)))
    submitted = q.stamp("off", "60 + cid %% 480")
    cursor.execute(
        f"""{prefix}INSERT INTO {Case._meta.db_table} (
            id, number, query_code, item_version_id, department_id, region_id, applicant_id,
            created_by_id, channel, route, status, form_data, revision, submitted_at,
            received_on, intake_due, accepted_on, deemed_accepted, decision_due, statutory_due,
            due_provisional, correction_count, closed_at, created_at, updated_at, priority)
        SELECT cid, 'ST' || cid, 'Q' || (cid %% 1000000),
            CASE it {version} END, CASE it {department} END, CASE rg {region} END,
            {w.applicant}, {w.applicant},
            CASE WHEN cid %% 3 = 0 THEN 'window' ELSE 'online' END, 'standard', st,
            {q.json("{}")}, 3, {submitted}, {q.day("off")}, {q.day("off + 7")},
            CASE WHEN {accepted} THEN {q.day(acc_off)} END, {q.false()},
            CASE WHEN {accepted} THEN {q.day(f"{acc_off} + 18 + {susp}")} END,
            CASE WHEN {accepted} THEN {q.day(f"{acc_off} + 28 + {susp}")} END,
            {q.false()},
            CASE WHEN {corrected} OR st = 'correction' THEN 1 ELSE 0 END,
            CASE WHEN st IN {in_list(CLOSED)} THEN {q.stamp(close_off, "120 + cid %% 300")} END,
            {submitted}, {submitted}, 0
        FROM (
            SELECT cid, off, age, b, it, rg, {status} AS st
            FROM (
                SELECT cid, off, {days} - off AS age, ((cid * 7919) / 7) %% 100 AS b,
                    (cid * 48271) %% {nitems} AS it, ((cid * 31) / 3) %% {nreg} AS rg
                FROM (
                    SELECT {first} - 1 + s.i AS cid, (({first} - 2 + s.i) * {days}) / {total} AS off
                    FROM {source}
                ) ids
            ) dims
        ) x""",
        {},
    )


def children_insert(cursor: Any, q: Sql, w: World, *, first: int, last: int) -> None:
    """Decisions, tasks, special procedures and correction notices of cases first … last."""
    from onewindow.cases.models import Case, CaseEvent, CorrectionNotice, Notice
    from onewindow.catalog.models import ProcessBranch
    from onewindow.review.models import Decision, Suspension, Task

    cases = Case._meta.db_table
    between = f"c.id BETWEEN {first} AND {last}"
    approver = f"CASE c.department_id {when(w.approver_of)} END"
    clerk = f"CASE c.department_id {when(w.clerk_of)} END"
    susp = "(CASE WHEN c.id %% 50 = 11 THEN 3 ELSE 0 END)"
    decided = q.add("c.accepted_on", f"4 + (c.id * 13) %% 16 + {susp}")
    cursor.execute(
        f"""INSERT INTO {Decision._meta.db_table} (
            case_id, kind, reasons, remedies, conditions, decided_by_id, decided_on,
            certificate_due, at, sm2_key_id, sm2_signature)
        SELECT c.id, CASE WHEN c.status = 'refused' THEN 'refuse' ELSE 'grant' END,
            CASE WHEN c.status = 'refused' THEN '不符合许可条件' ELSE '' END,
            CASE WHEN c.status = 'refused' THEN '可依法申请行政复议或者提起行政诉讼' ELSE '' END,
            '', {approver}, {decided},
            CASE WHEN c.status = 'refused' THEN NULL ELSE {q.add(decided, "14")} END,
            {q.at(decided, "90 + c.id %% 300")}, '', ''
        FROM {cases} c
        WHERE {between} AND c.status IN {in_list(DECIDED)}""",
        {},
    )
    lag = "CASE WHEN b.is_lead THEN 0 ELSE 1 END"
    task_closed = q.add("c.accepted_on", f"2 + (c.id * 13) %% 16 + {susp} - {lag}")
    cursor.execute(
        f"""INSERT INTO {Task._meta.db_table} (
            case_id, branch_id, department_id, is_lead, status, steps, allotted_days, step,
            opened_on, due, due_provisional, paused_days, revision, closed_at)
        SELECT c.id, b.id, b.department_id, b.is_lead,
            CASE WHEN c.status IN {in_list(DECIDED)} THEN 'done'
                WHEN c.status IN ('withdrawn', 'terminated') THEN 'cancelled' ELSE 'open' END,
            b.steps, b.allotted_days, 0, c.accepted_on, {q.add("c.accepted_on", "b.allotted_days + 4")},
            {q.false()}, 0, 1,
            CASE WHEN c.status IN {in_list(DECIDED)} THEN {q.at(task_closed, "100 + c.id %% 400")}
                WHEN c.status IN ('withdrawn', 'terminated') THEN c.closed_at END
        FROM {cases} c JOIN {ProcessBranch._meta.db_table} b ON b.version_id = c.item_version_id
        WHERE {between} AND c.accepted_on IS NOT NULL""",
        {},
    )
    cursor.execute(
        f"""INSERT INTO {Suspension._meta.db_table} (
            case_id, kind, reason, expected_days, started_on, ended_on, days_spent,
            started_by_id, ended_by_id, result)
        SELECT c.id, 'testing', '产品检验', 3,
            CASE WHEN c.status = 'suspended' THEN c.accepted_on
                ELSE {q.add("c.accepted_on", "2")} END,
            CASE WHEN c.status = 'suspended' THEN NULL ELSE {q.add("c.accepted_on", "5")} END,
            CASE WHEN c.status = 'suspended' THEN 0 ELSE 2 END,
            {approver}, CASE WHEN c.status = 'suspended' THEN NULL ELSE {approver} END,
            CASE WHEN c.status = 'suspended' THEN '' ELSE '检验合格' END
        FROM {cases} c
        WHERE {between} AND (c.status = 'suspended'
            OR (c.status IN {in_list(DECIDED)} AND c.id %% 50 = 11))""",
        {},
    )
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {Notice._meta.db_table}")
    last_notice = int(cursor.fetchone()[0])
    issued = q.at(
        q.add("c.received_on", "CASE WHEN c.accepted_on IS NULL THEN 0 ELSE 1 END"),
        "150 + c.id %% 200",
    )
    cursor.execute(
        f"""INSERT INTO {Notice._meta.db_table} (case_id, kind, number, issued_at, issued_by_id,
            content)
        SELECT c.id, 'correction', 'STN' || c.id, {issued}, {clerk}, {q.json("{}")}
        FROM {cases} c
        WHERE {between} AND c.correction_count > 0""",
        {},
    )
    answered = q.at(q.add("c.received_on", "2"), "200 + c.id %% 200")
    cursor.execute(
        f"""INSERT INTO {CorrectionNotice._meta.db_table} (
            case_id, notice_id, sequence, signed_off_by_id, sign_off_reason, answered_at)
        SELECT n.case_id, n.id, 1, NULL, '',
            CASE WHEN c.accepted_on IS NULL THEN NULL ELSE {answered} END
        FROM {Notice._meta.db_table} n JOIN {cases} c ON c.id = n.case_id
        WHERE n.id > {last_notice}""",
        {},
    )
    # The correction stage is read from these two events (the notice, then the resubmission).
    for action, old, new, at, answered_only in (
        ("correction_requested", "submitted", "correction", "n.issued_at", False),
        ("resubmitted", "correction", "submitted", "k.answered_at", True),
    ):
        cursor.execute(
            f"""INSERT INTO {CaseEvent._meta.db_table} (
                case_id, at, actor_id, actor_role, action, old_status, new_status, reason,
                public, data)
            SELECT k.case_id, {at}, NULL, '', '{action}', '{old}', '{new}', '', {q.true()},
                {q.json("{}")}
            FROM {CorrectionNotice._meta.db_table} k
                JOIN {Notice._meta.db_table} n ON n.id = k.notice_id
            WHERE n.id > {last_notice}{" AND k.answered_at IS NOT NULL" if answered_only else ""}
            ORDER BY k.case_id""",
            {},
        )


# --- indexes: dropped while loading, built again after -----------------------------------------
def indexes_drop(cursor: Any, vendor: str, tables: list[str]) -> list[str]:
    """Drop the secondary indexes of ``tables`` (not those of primary keys or unique
    constraints on PostgreSQL, nor SQLite's automatic ones); returns their CREATE statements."""
    creates: list[tuple[str, str]] = []
    for table in tables:
        if vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "AND tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u', 'x'))",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
        creates.extend((name, sql) for name, sql in cursor.fetchall())
    for name, _sql in creates:
        cursor.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in creates]


TABLES = (
    ("cases.Case", "办件 cases"),
    ("review.Decision", "审批决定 decisions"),
    ("review.Task", "审查任务 tasks"),
    ("review.Suspension", "特别程序 special procedures"),
    ("cases.Notice", "文书 notices"),
    ("cases.CorrectionNotice", "补正告知 correction notices"),
    ("cases.CaseEvent", "办件记录 case events"),
    ("catalog.Item", "事项 items"),
    ("catalog.Department", "部门 departments"),
    ("catalog.Region", "区划 regions"),
)


def row_counts() -> dict[str, int]:
    from django.apps import apps

    return {label: apps.get_model(model).objects.count() for model, label in TABLES}


def generate(
    *, cases: int, chunk: int, today: dt.date | None = None, log: Callable[[str], None] = print
) -> dict[str, int]:
    """Fill the (migrated-here) database named by the environment; returns row counts."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from onewindow.cases.models import Case, CaseEvent, CorrectionNotice, Notice
    from onewindow.core import clock
    from onewindow.review.models import Decision, Suspension, Task

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    world = world_create()
    log(f"schema and catalog: {time.perf_counter() - started:.1f} s")
    end = today or clock.today()
    start = end.replace(year=end.year - YEARS)
    q = Sql(connection.vendor, start, (end - start).days)
    tune = not connection.in_atomic_block  # a test calls this inside its transaction
    models = (Case, Decision, Task, Suspension, Notice, CorrectionNotice, CaseEvent)
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        if q.vendor == "sqlite" and tune:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")  # 1 GB while loading
        indexes = indexes_drop(cursor, q.vendor, tables) if tune else []
    first = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    done = 0
    while done < cases:
        count = min(chunk, cases - done)
        began = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cases_insert(cursor, q, world, first=first, count=count, total=cases)
            children_insert(cursor, q, world, first=first, last=first + count - 1)
        first += count
        done += count
        log(f"  cases {done:,}/{cases:,} ({time.perf_counter() - began:.1f} s)")
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in indexes:
            cursor.execute(sql)
        if q.vendor == "postgresql":  # the cases were inserted with explicit ids
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{Case._meta.db_table}', 'id'), "
                f"(SELECT max(id) FROM {Case._meta.db_table}))"
            )
    log(f"{len(indexes)} indexes built in {time.perf_counter() - began:.1f} s")
    with connection.cursor() as cursor:
        if q.vendor == "postgresql" and tune:
            log("VACUUM ANALYZE (what autovacuum does to tables this size) …")
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")
        elif tune:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts = row_counts()
    log(
        f"generated in {time.perf_counter() - started:.1f} s; received "
        f"{start.isoformat()} … {end.isoformat()}"
    )
    for label, n in counts.items():
        log(f"  {label:<32} {n:>12,}")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--cases", type=int, default=10_000_000, help="received cases")
    parser.add_argument("--chunk", type=int, default=200_000, help="cases per transaction")
    parser.add_argument("--replace", action="store_true", help="drop an existing target first")
    args = parser.parse_args()
    if args.cases < 1 or args.chunk < 1:
        print("参数错误 (invalid arguments): --cases 与 --chunk 须为正整数")
        return 2
    target_prepare(args.database_url, replace=args.replace)
    os.environ.update(bench_env(args.database_url))
    generate(cases=args.cases, chunk=args.chunk)
    return 0


if __name__ == "__main__":
    sys.exit(main())
