"""Fill a scratch database at province scale: N cases of history, M of them open now.

Usage: .venv/bin/python -m bench.province_data [--database-url URL] [--cases 10000000]
       [--open 1000000] [--applicants 2000] [--chunk 200000] [--replace]

The target (PostgreSQL ``ow_province_bench`` by default; SQLite works for small runs) must be
empty or absent (``--replace`` drops it first). It composes the two existing generators rather
than writing a third (docs/rules/scale.md §Y1):

1. History: ``bench.stats_data.generate`` with ``N - M`` cases received over three years
   (cases, decisions, tasks, special procedures, correction notices and their events, all by
   set-based ``INSERT … SELECT``); every one of them belongs to one applicant, the heaviest
   applicant a province could have (``stats-applicant``). About 3 % of the history is still
   open (the last 35 days) with its tasks.
2. ``--applicants`` more applicants (``province-applicant-N``), each with an API token, and one
   window clerk per department with a token (the statistics world has a clerk and an approver
   per department already; tokens are added for them).
3. The open cases: ``M`` more cases received in the last 30 days, ids after the history, in
   chunks of ``--chunk`` per transaction: 10 % submitted (the clerks' queues), 5 % waiting for
   correction, 85 % in review with one open task per process branch of their item (1 or 2),
   due dates spread so that about 5 % are overdue and 5 % due within two days; 1 % are
   key-project cases (priority 1). Each open case belongs to one of the applicants (1 % to the
   history's applicant) and has its events (submit; accept and review_open once accepted).
4. The supervision cards: the real sweep (``supervision_sweep``) runs once over the open tasks
   and cases, as the background loop would at start of day.
5. ``VACUUM ANALYZE`` (PostgreSQL) or ``ANALYZE`` (SQLite), as autovacuum would after a load.

Prints the row count of every table it filled and the time of each step.
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

from bench.stats_data import when
from bench.sweep_data import Dialect, bench_env, target_prepare

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ow_province_bench"
APPLICANT_PREFIX = "province-applicant-"
CLERK_PREFIX = "province-clerk-"
OPEN_WINDOW_DAYS = 30


@dataclass
class People:
    """Who the benchmark signs in as (user ids)."""

    applicants: list[int]  # the generated applicants, contiguous ids
    heavy_applicant: int  # the history's applicant: every history case and 1 % of the open ones
    clerks: dict[int, int]  # department id → window clerk
    reviewers: dict[int, int]  # department id → approver (the statistics world's)
    supervisor: int


def people_create(applicants: int) -> People:
    """Applicants, clerks with an API token each, a supervisor; tokens for the approvers."""
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from bench.stats_data import APPLICANT, DEPT_PREFIX
    from onewindow.accounts.models import User
    from onewindow.accounts.roles import Role
    from onewindow.catalog.models import Department

    password = make_password(None)  # unusable: the bench signs in with sessions and tokens
    made = User.objects.bulk_create(
        User(
            username=f"{APPLICANT_PREFIX}{n}",
            password=password,
            role=Role.APPLICANT,
            full_name=f"省级基准申请人{n}",
        )
        for n in range(1, applicants + 1)
    )
    ids = sorted(int(u.pk) for u in made)
    if ids != list(range(ids[0], ids[0] + len(ids))):
        raise SystemExit("申请人编号不连续,无法按编号分配办件 (applicant ids are not contiguous)")
    departments = list(Department.objects.filter(code__startswith=DEPT_PREFIX).order_by("sort"))
    clerks = {
        d.pk: User.objects.create_user(
            username=f"{CLERK_PREFIX}{d.code}",
            password=uuid.uuid4().hex,
            role=Role.CLERK,
            full_name=f"省级基准窗口{d.code}",
            department=d,
        ).pk
        for d in departments
    }
    reviewers = {
        d.pk: User.objects.get(username=f"stats-approver-{d.code}").pk for d in departments
    }
    supervisor = User.objects.create_user(
        username="province-supervisor",
        password=uuid.uuid4().hex,
        role=Role.SUPERVISOR,
        full_name="省级基准监察员",
    ).pk
    heavy = User.objects.get(username=APPLICANT).pk
    for user_id in [heavy, *ids[:50], *clerks.values(), *reviewers.values(), supervisor]:
        Token.objects.get_or_create(user_id=user_id)
    return People(ids, heavy, clerks, reviewers, supervisor)


@dataclass(frozen=True)
class Sql(Dialect):
    today: dt.date = dt.date(2000, 1, 1)

    def day(self, offset: str) -> str:
        """``today`` plus ``offset`` days (an integer SQL expression)."""
        return self.date_plus(self.today, offset)

    def stamp(self, offset: str, minutes: str) -> str:
        start = self.today.isoformat()
        if self.vendor == "postgresql":
            return (
                f"(TIMESTAMP '{start} 00:00:00' + ({offset}) * INTERVAL '1 day'"
                f" + ({minutes}) * INTERVAL '1 minute')"
            )
        return f"datetime('{start}', ({offset}) || ' days', ({minutes}) || ' minutes')"


def open_cases_insert(
    cursor: Any, q: Sql, world: Any, people: People, *, first: int, count: int
) -> None:
    """``count`` open cases with ids ``first`` …, received in the last 30 days."""
    from onewindow.cases.models import Case

    prefix, source = q.series(count)
    nitems, nreg, napp = len(world.items), len(world.regions), len(people.applicants)
    status = "CASE WHEN b < 10 THEN 'submitted' WHEN b < 15 THEN 'correction' ELSE 'in_review' END"
    accepted = "st = 'in_review'"
    received = "(-(cid %% " + str(OPEN_WINDOW_DAYS) + "))"
    submitted = q.stamp(received, "60 + cid %% 480")
    applicant = (
        f"CASE WHEN cid %% 100 = 0 THEN {people.heavy_applicant} "
        f"ELSE {people.applicants[0]} + cid %% {napp} END"
    )
    cursor.execute(
        f"""{prefix}INSERT INTO {Case._meta.db_table} (
            id, number, query_code, item_version_id, department_id, region_id, applicant_id,
            created_by_id, channel, route, status, form_data, revision, submitted_at,
            received_on, intake_due, accepted_on, deemed_accepted, decision_due, statutory_due,
            due_provisional, correction_count, closed_at, created_at, updated_at, priority)
        SELECT cid, 'PV' || cid, 'Q' || (cid %% 1000000),
            CASE it {when(dict(enumerate(world.versions)))} END,
            CASE it {when(dict(enumerate(world.item_department)))} END,
            CASE rg {when(dict(enumerate(world.regions)))} END,
            {applicant}, {applicant}, CASE WHEN cid %% 3 = 0 THEN 'window' ELSE 'online' END,
            'standard', st, {q.json("{}")}, 1, {submitted}, {q.day(received)},
            {q.day(f"{received} + 5 + cid %% 3")},
            CASE WHEN {accepted} THEN {q.day(f"{received} + 1")} END, {q.false()},
            CASE WHEN {accepted} THEN {q.day(f"{received} + 19 + cid %% 7")} END,
            CASE WHEN {accepted} THEN {q.day(f"{received} + 29")} END,
            {q.false()}, CASE WHEN st = 'correction' THEN 1 ELSE 0 END, NULL,
            {submitted}, {submitted}, CASE WHEN cid %% 100 = 1 THEN 1 ELSE 0 END
        FROM (
            SELECT cid, b, it, rg, {status} AS st
            FROM (
                SELECT {first} - 1 + s.i AS cid, (({first} - 1 + s.i) * 7919 / 7) %% 100 AS b,
                    (({first} - 1 + s.i) * 48271) %% {nitems} AS it,
                    ((({first} - 1 + s.i) * 31) / 3) %% {nreg} AS rg
                FROM {source}
            ) ids
        ) x""",
        {},
    )


def open_children_insert(cursor: Any, q: Sql, *, first: int, last: int) -> None:
    """The open tasks and the events of the open cases ``first`` … ``last``."""
    from onewindow.cases.models import Case, CaseEvent
    from onewindow.catalog.models import ProcessBranch
    from onewindow.review.models import Task

    cases = Case._meta.db_table
    between = f"c.id BETWEEN {first} AND {last}"
    # 5 % overdue (1 to 20 days), 5 % due today or tomorrow, the rest 3 to 40 days ahead.
    bucket = "((c.id * 2 + CASE WHEN b.is_lead THEN 1 ELSE 0 END) * 7919 %% 100)"
    due = (
        f"CASE WHEN {bucket} < 5 THEN {q.day('-1 - c.id %% 20')} "
        f"WHEN {bucket} < 10 THEN {q.day('c.id %% 2')} ELSE {q.day('3 + c.id %% 38')} END"
    )
    cursor.execute(
        f"""INSERT INTO {Task._meta.db_table} (
            case_id, branch_id, department_id, is_lead, status, steps, allotted_days, step,
            opened_on, due, due_provisional, paused_days, revision, closed_at)
        SELECT c.id, b.id, b.department_id, b.is_lead, 'open', b.steps, b.allotted_days, 0,
            c.accepted_on, {due}, {q.false()}, 0, 0, NULL
        FROM {cases} c JOIN {ProcessBranch._meta.db_table} b ON b.version_id = c.item_version_id
        WHERE {between} AND c.status = 'in_review'""",
        {},
    )
    for action, old, new, only in (
        ("submit", "draft", "submitted", ""),
        ("accept", "submitted", "accepted", " AND c.status = 'in_review'"),
        ("review_open", "accepted", "in_review", " AND c.status = 'in_review'"),
        ("correction_requested", "submitted", "correction", " AND c.status = 'correction'"),
    ):
        cursor.execute(
            f"""INSERT INTO {CaseEvent._meta.db_table} (
                case_id, at, actor_id, actor_role, action, old_status, new_status, reason,
                public, data)
            SELECT c.id, c.submitted_at, NULL, '', '{action}', '{old}', '{new}', '', {q.true()},
                {q.json("{}")}
            FROM {cases} c WHERE {between}{only} ORDER BY c.id""",
            {},
        )


def generate(
    *,
    cases: int,
    open_: int,
    applicants: int,
    chunk: int,
    sweep: bool = True,
    log: Callable[[str], None] = print,
) -> dict[str, int]:
    """Fill the database named by the environment (history, people, open cases, cards)."""
    import django

    django.setup()
    from django.db import connection, transaction

    from bench import stats_data
    from onewindow.cases.models import Case, CaseEvent
    from onewindow.core import clock
    from onewindow.review.models import Task
    from onewindow.supervision.models import Card
    from onewindow.supervision.services.sweep import supervision_sweep

    started = time.perf_counter()
    history = max(1, cases - open_)
    log(f"history: {history:,} cases (bench.stats_data) …")
    stats_data.generate(cases=history, chunk=chunk, log=log)
    world = stats_world()
    people = people_create(applicants)
    log(f"people: {applicants:,} applicants, {len(people.clerks)} clerks, a supervisor")
    q = Sql(connection.vendor, clock.today())
    tune = not connection.in_atomic_block
    tables = [m._meta.db_table for m in (Case, Task, CaseEvent)]
    with connection.cursor() as cursor:
        if q.vendor == "sqlite" and tune:
            cursor.execute("PRAGMA synchronous=OFF")
        indexes = stats_data.indexes_drop(cursor, q.vendor, tables) if tune else []
    first = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    done = 0
    while done < open_:
        count = min(chunk, open_ - done)
        began = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            open_cases_insert(cursor, q, world, people, first=first, count=count)
            open_children_insert(cursor, q, first=first, last=first + count - 1)
        first += count
        done += count
        log(f"  open cases {done:,}/{open_:,} ({time.perf_counter() - began:.1f} s)")
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in indexes:
            cursor.execute(sql)
        if q.vendor == "postgresql":
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{tables[0]}', 'id'), "
                f"(SELECT max(id) FROM {tables[0]}))"
            )
            if tune:
                for table in tables:
                    cursor.execute(f"VACUUM ANALYZE {table}")
        elif tune:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA synchronous=NORMAL")
    log(f"{len(indexes)} indexes rebuilt, analyzed: {time.perf_counter() - began:.1f} s")
    if sweep:
        began = time.perf_counter()
        with transaction.atomic():
            result = supervision_sweep(batch=5000)
        if q.vendor == "postgresql" and tune:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {Card._meta.db_table}")
        log(f"sweep: {result.total} cards in {time.perf_counter() - began:.1f} s")
    counts = stats_data.row_counts()
    counts["监察牌 cards"] = Card.objects.count()
    open_cases = Case.objects.filter(closed_at__isnull=True).exclude(status="draft").count()
    log(f"generated in {time.perf_counter() - started:.1f} s; open cases: {open_cases:,}")
    for label, n in counts.items():
        log(f"  {label:<32} {n:>12,}")
    return counts


def stats_world() -> Any:
    """The statistics world (``bench.stats_data.World``) read back from the database."""
    from bench import stats_data
    from onewindow.accounts.models import User
    from onewindow.catalog.models import Department, Item, Region

    items = list(
        Item.objects.filter(code__startswith=stats_data.ITEM_PREFIX)
        .order_by("code")
        .values_list("pk", "published_version_id", "department_id")
    )
    departments = list(
        Department.objects.filter(code__startswith=stats_data.DEPT_PREFIX)
        .order_by("sort")
        .values_list("pk", flat=True)
    )
    return stats_data.World(
        departments=departments,
        items=[i[0] for i in items],
        versions=[i[1] for i in items],
        item_department=[i[2] for i in items],
        regions=list(
            Region.objects.filter(code__startswith="4298", parent__isnull=False)
            .order_by("code")
            .values_list("pk", flat=True)
        ),
        applicant=User.objects.get(username=stats_data.APPLICANT).pk,
        clerk_of={},
        approver_of={},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--cases", type=int, default=10_000_000, help="cases in all")
    parser.add_argument("--open", type=int, default=1_000_000, help="open cases among them")
    parser.add_argument("--applicants", type=int, default=2000)
    parser.add_argument("--chunk", type=int, default=200_000, help="cases per transaction")
    parser.add_argument("--replace", action="store_true", help="drop an existing target first")
    args = parser.parse_args()
    if args.cases < 2 or args.open < 1 or args.open >= args.cases or args.applicants < 1:
        print("参数错误 (invalid arguments): 须 0 < --open < --cases,--applicants 为正整数")
        return 2
    target_prepare(args.database_url, replace=args.replace)
    os.environ.update(bench_env(args.database_url))
    generate(cases=args.cases, open_=args.open, applicants=args.applicants, chunk=args.chunk)
    return 0


if __name__ == "__main__":
    sys.exit(main())
