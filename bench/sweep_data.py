"""Fill a scratch database for the supervision-sweep benchmark: N rows, M of them open tasks.

Usage: .venv/bin/python -m bench.sweep_data [--database-url URL] [--rows 10000000]
       [--open-tasks 1000000] [--drafts 20000] [--yellow 5] [--red 5] [--replace]

The target is a SQLite file (``sqlite:////tmp/ow-sweep/sweep.sqlite3``, the default) or a
PostgreSQL database; it must be empty or absent (``--replace`` drops it first). The schema comes
from the Django migrations (which also seed the supervision rules). Then:

1. ``bench.cases_bench.seed`` adds the submission world the benchmark's clients use: one
   published item, an applicant with an API token and ``--drafts`` drafts ready to submit.
2. The sweep world: 20 departments, each with a head (科长, with email: the sweep notifies
   heads) and an approver, one published item per department reviewed in parallel by it (lead)
   and the next department, two materials (one core) per item.
3. Bulk rows with set-based SQL (PostgreSQL: ``INSERT … SELECT … FROM generate_series``;
   SQLite: a recursive-CTE ``INSERT … SELECT`` with ``PRAGMA synchronous=OFF`` and a large page
   cache, in transactions of ``--chunk`` cases), in primary-key order like real traffic: older
   cases completed (case, 2 done tasks, a grant decision, 2 materials, 6 events = 12 rows),
   newer cases in review (case, 2 open tasks, 2 materials, 3 events = 8 rows). ``M / 2`` cases
   are in review; completed cases fill the rest up to ``N`` rows in all (drafts and catalog
   included).

Due dates of open tasks and of cases in review are spread so that, at the benchmark's "today"
(``TODAY``, a Tuesday), ``--red`` % already crossed the red threshold of the seeded rules
(due at least one working day ago: 1 to 60 days late), ``--yellow`` % are yellow (due today or
the next working day) and the rest are due later (up to 40 days ahead). Task and case dues are
drawn independently. Prints the row count of every table it filled.
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
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

# The benchmark's "today": a working Tuesday inside the chinesecalendar package's years.
TODAY = dt.date(2025, 11, 18)
DEFAULT_URL = "sqlite:////tmp/ow-sweep/sweep.sqlite3"
DEPARTMENTS = 20
DEPT_PREFIX = "SWEEP-"
# Rows per case (see the module docstring).
OPEN_CASE_ROWS = 8
CLOSED_CASE_ROWS = 12
OPEN_EVENTS = ("submit", "accept", "review_open")
CLOSED_EVENTS = ("submit", "accept", "review_open", "opinions_complete", "decide", "complete")


# --- the target database -----------------------------------------------------------------------
def data_dir_for(database_url: str) -> Path:
    """Where uploads and the secret key of this database live (beside it, under /tmp)."""
    parsed = urlparse(database_url)
    if parsed.scheme.startswith("sqlite"):
        path = Path(parsed.path)
        return path.with_name(f"{path.stem}-data")
    return Path(f"/tmp/ow-sweep-{parsed.path.lstrip('/')}-data")


def bench_env(database_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "ONEWINDOW_DATA_DIR": str(data_dir_for(database_url)),
        "DJANGO_SETTINGS_MODULE": "onewindow.settings",
    }


def target_prepare(database_url: str, *, replace: bool) -> None:
    """Make sure the target is empty: refuse a filled one unless ``replace`` drops it."""
    import shutil

    parsed = urlparse(database_url)
    if parsed.scheme.startswith("sqlite"):
        path = Path(parsed.path)
        if path.exists() and not replace:
            raise SystemExit(f"{path} 已存在;如需重新生成请加 --replace (exists; use --replace)")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    elif parsed.scheme.startswith("postgres"):
        import psycopg

        name = parsed.path.lstrip("/")
        admin = parsed._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and not replace:
                with psycopg.connect(database_url) as db:
                    tables = db.execute(
                        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                    ).fetchone()
                if tables and tables[0]:
                    raise SystemExit(
                        f"数据库 {name} 非空;如需重新生成请加 --replace (not empty; use --replace)"
                    )
            else:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
    else:
        raise SystemExit(f"不支持的数据库地址 (unsupported database URL): {database_url}")
    shutil.rmtree(data_dir_for(database_url), ignore_errors=True)


# --- SQL dialect helpers -----------------------------------------------------------------------
@dataclass(frozen=True)
class Dialect:
    vendor: str

    def series(self, count: int) -> tuple[str, str]:
        """(a WITH prefix, a FROM item) yielding ``s.i`` = 1..count."""
        if self.vendor == "postgresql":
            return "", f"generate_series(1::bigint, {int(count)}::bigint) AS s(i)"
        prefix = (
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s "
            f"WHERE i < {int(count)}) "
        )
        return prefix, "s"

    def date_plus(self, day: dt.date, days: str) -> str:
        """``day`` plus an integer SQL expression, as a date."""
        if self.vendor == "postgresql":
            return f"(DATE '{day.isoformat()}' + ({days})::int)"
        return f"date('{day.isoformat()}', ({days}) || ' days')"

    def date(self, day: dt.date) -> str:
        iso = day.isoformat()
        return f"DATE '{iso}'" if self.vendor == "postgresql" else f"'{iso}'"

    def json(self, literal: str) -> str:
        return f"'{literal}'::jsonb" if self.vendor == "postgresql" else f"'{literal}'"

    def true(self) -> str:
        return "TRUE" if self.vendor == "postgresql" else "1"

    def false(self) -> str:
        return "FALSE" if self.vendor == "postgresql" else "0"


def spread_due(
    d: Dialect, key: str, *, red_last: dt.date, yellow_last: dt.date, red: int, yellow: int
) -> str:
    """A due date per row from the integer ``key``: red % crossed red, yellow % yellow."""
    bucket = f"(({key}) * 7919 %% 100)"
    yellow_days = max(1, (yellow_last - red_last).days)
    return (
        f"CASE WHEN {bucket} < {red} THEN {d.date_plus(red_last, f'-(({key}) * 31 %% 60)')} "
        f"WHEN {bucket} < {red + yellow} "
        f"THEN {d.date_plus(red_last, f'1 + ({key}) * 13 %% {yellow_days}')} "
        f"ELSE {d.date_plus(yellow_last, f'1 + ({key}) * 17 %% 40')} END"
    )


# --- the world ---------------------------------------------------------------------------------
@dataclass
class World:
    versions: list[int]  # one per department, in department order
    region: int
    applicant: int
    approver_of: dict[int, int]  # department id → approver user id
    departments: list[int]


def world_create() -> World:
    """Departments, heads, approvers and one parallel-reviewed item per department."""
    from onewindow.accounts.models import User
    from onewindow.accounts.roles import Role
    from onewindow.catalog.models import (
        Department,
        Item,
        ItemVersion,
        Material,
        ProcessBranch,
        Region,
        VersionStatus,
    )

    region = Region.objects.get(code="429900")  # created by cases_bench.seed
    departments = [
        Department.objects.create(code=f"{DEPT_PREFIX}{n:02d}", name=f"监察基准第{n}局", sort=n)
        for n in range(1, DEPARTMENTS + 1)
    ]

    def user(name: str, role: str, department: Any, email: str = "") -> User:
        return User.objects.create_user(
            username=name,
            password=uuid.uuid4().hex,
            role=role,
            full_name=name,
            department=department,
            email=email,
        )

    approver_of: dict[int, int] = {}
    for dept in departments:
        user(f"sweep-chief-{dept.code}", Role.CHIEF, dept, f"chief-{dept.code.lower()}@example.cn")
        approver_of[dept.pk] = user(f"sweep-approver-{dept.code}", Role.APPROVER, dept).pk
    applicant = user("sweep-applicant", Role.APPLICANT, None)
    versions: list[int] = []
    for n, dept in enumerate(departments):
        item = Item.objects.create(code=f"BENCH-SWEEP-{n + 1:03d}", department=dept)
        version = ItemVersion.objects.create(
            item=item,
            number=1,
            name=f"监察基准许可{n + 1}",
            legal_basis="基准",
            statutory_days=20,
            committed_days=12,
            consolidation_days=2,
            result_name="基准证",
            delivery_methods=["window"],
        )
        Material.objects.create(version=version, sort=1, name="申请书", is_core=True)
        Material.objects.create(version=version, sort=2, name="营业执照", is_core=False)
        co = departments[(n + 1) % len(departments)]
        for sort, (department, lead, days) in enumerate(((dept, True, 8), (co, False, 6)), 1):
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
        versions.append(version.pk)
    return World(versions, region.pk, applicant.pk, approver_of, [d.pk for d in departments])


# --- bulk rows ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    open_cases: int
    closed_cases: int


def plan_rows(rows: int, open_tasks: int, existing: int) -> Plan:
    open_cases = (open_tasks + 1) // 2
    rest = rows - existing - open_cases * OPEN_CASE_ROWS
    return Plan(open_cases, max(0, rest // CLOSED_CASE_ROWS))


def cases_insert(
    cursor: Any,
    d: Dialect,
    w: World,
    *,
    first: int,
    count: int,
    open_: bool,
    red_last: dt.date,
    yellow_last: dt.date,
    red: int,
    yellow: int,
    stamp: dt.datetime,
) -> None:
    """``count`` cases with ids ``first`` … ; the department/version cycle with the id."""
    from onewindow.cases.models import Case

    prefix, source = d.series(count)
    dept_case = " ".join(f"WHEN {n} THEN {pk}" for n, pk in enumerate(w.departments))
    version_case = " ".join(f"WHEN {n} THEN {pk}" for n, pk in enumerate(w.versions))
    cid = f"({first} - 1 + s.i)"
    received = TODAY - dt.timedelta(days=40 if open_ else 120)
    accepted = received + dt.timedelta(days=1)
    if open_:
        status, closed_at = "in_review", "NULL"
        decision_due = spread_due(
            d, f"{cid} + 5", red_last=red_last, yellow_last=yellow_last, red=red, yellow=yellow
        )
    else:
        status, closed_at = "completed", "%(stamp)s"
        decision_due = d.date_plus(accepted, "20")
    intake_due = received + dt.timedelta(days=5)
    ndept, nver = len(w.departments), len(w.versions)
    cursor.execute(
        f"""{prefix}INSERT INTO {Case._meta.db_table} (
            id, number, query_code, item_version_id, department_id, region_id, applicant_id,
            created_by_id, channel, route, status, form_data, revision, submitted_at,
            received_on, intake_due, accepted_on, deemed_accepted, decision_due, statutory_due,
            due_provisional, correction_count, closed_at, created_at, updated_at, priority)
        SELECT {cid}, 'SW' || {cid}, 'Q' || ({cid} %% 1000000),
            CASE {cid} %% {nver} {version_case} END, CASE {cid} %% {ndept} {dept_case} END,
            {w.region}, {w.applicant}, {w.applicant}, 'online', 'standard', '{status}',
            {d.json("{}")}, 3, %(stamp)s, {d.date(received)}, {d.date(intake_due)},
            {d.date(accepted)}, {d.false()}, {decision_due}, {d.date_plus(accepted, "30")},
            {d.false()}, 0, {closed_at}, %(stamp)s, %(stamp)s, 0
        FROM {source}""",
        {"stamp": stamp},
    )


def children_insert(
    cursor: Any,
    d: Dialect,
    *,
    first: int,
    last: int,
    open_: bool,
    red_last: dt.date,
    yellow_last: dt.date,
    red: int,
    yellow: int,
    stamp: dt.datetime,
    approver_case: str,
) -> None:
    """Tasks, materials, events (and decisions) of the cases with ids first … last."""
    from onewindow.cases.models import Case, CaseEvent, CaseMaterial
    from onewindow.catalog.models import Material, ProcessBranch
    from onewindow.review.models import Decision, Task

    between = f"c.id BETWEEN {first} AND {last}"
    lead = "CASE WHEN b.is_lead THEN 1 ELSE 0 END"
    if open_:
        due = spread_due(
            d,
            f"c.id * 2 + {lead}",
            red_last=red_last,
            yellow_last=yellow_last,
            red=red,
            yellow=yellow,
        )
        status, closed = "open", "NULL"
    else:
        due = "c.decision_due"
        status, closed = "done", "%(stamp)s"
    cursor.execute(
        f"""INSERT INTO {Task._meta.db_table} (
            case_id, branch_id, department_id, is_lead, status, steps, allotted_days, step,
            opened_on, due, due_provisional, paused_days, revision, closed_at)
        SELECT c.id, b.id, b.department_id, b.is_lead, '{status}', b.steps, b.allotted_days, 0,
            c.accepted_on, {due}, {d.false()}, 0, 0, {closed}
        FROM {Case._meta.db_table} c JOIN {ProcessBranch._meta.db_table} b
            ON b.version_id = c.item_version_id
        WHERE {between}""",
        {"stamp": stamp},
    )
    cursor.execute(
        f"""INSERT INTO {CaseMaterial._meta.db_table} (case_id, material_id, status, remark)
        SELECT c.id, m.id, 'ok', ''
        FROM {Case._meta.db_table} c JOIN {Material._meta.db_table} m
            ON m.version_id = c.item_version_id
        WHERE {between}""",
        {"stamp": stamp},  # unused; every statement takes parameters, so "%%" is a literal %
    )
    actions = OPEN_EVENTS if open_ else CLOSED_EVENTS
    values = " UNION ALL ".join(f"SELECT {n} AS k, '{a}' AS a" for n, a in enumerate(actions))
    cursor.execute(
        f"""INSERT INTO {CaseEvent._meta.db_table} (
            case_id, at, actor_id, actor_role, action, old_status, new_status, reason, public,
            data)
        SELECT c.id, %(stamp)s, NULL, '', e.a, '', '', '', {d.true()}, {d.json("{}")}
        FROM {Case._meta.db_table} c CROSS JOIN ({values}) e
        WHERE {between}""",
        {"stamp": stamp},
    )
    if not open_:
        cursor.execute(
            f"""INSERT INTO {Decision._meta.db_table} (
                case_id, kind, reasons, remedies, conditions, decided_by_id, decided_on,
                certificate_due, at, sm2_key_id, sm2_signature)
            SELECT c.id, 'grant', '', '', '', CASE c.department_id {approver_case} END,
                {d.date_plus(TODAY, "-60")}, {d.date_plus(TODAY, "-50")}, %(stamp)s, '', ''
            FROM {Case._meta.db_table} c
            WHERE {between}""",
            {"stamp": stamp},
        )


TABLES = (
    ("cases.Case", "办件 cases"),
    ("cases.CaseEvent", "办件记录 case events"),
    ("cases.CaseMaterial", "办件材料 case materials"),
    ("cases.CaseFile", "材料文件 case files"),
    ("review.Task", "审查任务 tasks"),
    ("review.Decision", "审批决定 decisions"),
    ("catalog.Department", "部门 departments"),
    ("catalog.ItemVersion", "事项版本 item versions"),
    ("catalog.ProcessBranch", "流程分支 process branches"),
    ("accounts.User", "用户 users"),
    ("supervision.Rule", "监察规则 rules"),
    ("supervision.Card", "监察牌 cards"),
)


def row_counts() -> dict[str, int]:
    from django.apps import apps

    return {label: apps.get_model(model).objects.count() for model, label in TABLES}


def generate(
    *,
    rows: int,
    open_tasks: int,
    drafts: int,
    yellow: int,
    red: int,
    chunk: int,
    log: Callable[[str], None] = print,
) -> dict[str, int]:
    """Fill the (migrated-here) database named by the environment; returns row counts."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from bench.cases_bench import seed as submission_seed
    from onewindow.cases.models import Case, CaseEvent, CaseMaterial
    from onewindow.core import clock
    from onewindow.review.models import Decision, Task, TaskStatus
    from onewindow.supervision.models import Rule
    from onewindow.supervision.rules import due_window

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    submission_seed(drafts)
    world = world_create()
    log(
        f"schema, rules, catalog and {drafts} submission drafts: "
        f"{time.perf_counter() - started:.1f} s"
    )
    d = Dialect(connection.vendor)
    rule = Rule.objects.get(code="task_due")
    red_window = due_window(rule, "red", TODAY)
    yellow_window = due_window(rule, "yellow", TODAY)
    assert red_window and yellow_window
    red_last, yellow_last = red_window[1], yellow_window[1]
    existing = sum(row_counts().values())
    plan = plan_rows(rows, open_tasks, existing)
    approver_case = " ".join(f"WHEN {dept} THEN {pk}" for dept, pk in world.approver_of.items())
    stamp = clock.now()
    tune = not connection.in_atomic_block  # a test calls this inside its transaction
    if d.vendor == "sqlite" and tune:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")  # 1 GB while loading
    first = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    common: dict[str, Any] = {
        "red_last": red_last,
        "yellow_last": yellow_last,
        "red": red,
        "yellow": yellow,
        "stamp": stamp,
    }
    for kind, total in (("closed", plan.closed_cases), ("open", plan.open_cases)):
        done = 0
        while done < total:
            count = min(chunk, total - done)
            began = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cases_insert(
                    cursor, d, world, first=first, count=count, open_=kind == "open", **common
                )
                children_insert(
                    cursor,
                    d,
                    first=first,
                    last=first + count - 1,
                    open_=kind == "open",
                    approver_case=approver_case,
                    **common,
                )
            first += count
            done += count
            log(f"  {kind} cases {done}/{total} ({time.perf_counter() - began:.1f} s)")
    with connection.cursor() as cursor:
        if d.vendor == "postgresql":  # the cases were inserted with explicit ids
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{Case._meta.db_table}', 'id'), "
                f"(SELECT max(id) FROM {Case._meta.db_table}))"
            )
        if d.vendor == "postgresql" and tune:
            log("VACUUM ANALYZE (what autovacuum does to tables this size) …")
            for table in (Case, Task, CaseEvent, CaseMaterial, Decision):
                cursor.execute(f"VACUUM ANALYZE {table._meta.db_table}")
        elif tune:
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts = row_counts()
    open_count = Task.objects.filter(status=TaskStatus.OPEN).count()
    log(
        f"generated in {time.perf_counter() - started:.1f} s; today = {TODAY.isoformat()}; "
        f"red if due <= {red_last}, yellow if due <= {yellow_last}"
    )
    for label, n in counts.items():
        log(f"  {label:<28} {n:>12,}")
    log(f"  {'total':<28} {sum(counts.values()):>12,}  (open tasks: {open_count:,})")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows in all tables")
    parser.add_argument("--open-tasks", type=int, default=1_000_000)
    parser.add_argument("--drafts", type=int, default=20_000, help="drafts for the submitters")
    parser.add_argument("--yellow", type=int, default=5, help="%% of open tasks yellow at TODAY")
    parser.add_argument("--red", type=int, default=5, help="%% of open tasks red at TODAY")
    parser.add_argument("--chunk", type=int, default=100_000, help="cases per transaction")
    parser.add_argument("--replace", action="store_true", help="drop an existing target first")
    args = parser.parse_args()
    problems = []
    if args.rows < 1 or args.open_tasks < 0 or args.drafts < 1 or args.chunk < 1:
        problems.append("--rows、--drafts、--chunk 须为正整数,--open-tasks 不能为负")
    if not (0 <= args.yellow <= 100 and 0 <= args.red <= 100 and args.yellow + args.red <= 100):
        problems.append("--yellow 与 --red 为 0–100 的百分比,两者之和不超过 100")
    if problems:
        print("参数错误 (invalid arguments): " + ";".join(problems))
        return 2
    target_prepare(args.database_url, replace=args.replace)
    os.environ.update(bench_env(args.database_url))
    generate(
        rows=args.rows,
        open_tasks=args.open_tasks,
        drafts=args.drafts,
        yellow=args.yellow,
        red=args.red,
        chunk=args.chunk,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
