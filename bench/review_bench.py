"""Review task completions per second and the reviewer inbox p99, against the real server.

Usage: .venv/bin/python -m bench.review_bench [--database-url URL] [--seconds 10]
       [--clients 8] [--inbox-clients 20] [--cases 52000] [--json-out PATH]

What it does:
1. Prepares a scratch database (a fresh SQLite file in a temp data dir, or the PostgreSQL
   database named by --database-url, created if missing and dropped afterwards), migrates it and
   seeds one item reviewed in parallel by two departments (lead A, co-department B, one approval
   step each), an approver with an API token in each department, and ``--cases`` cases in
   review. The first case is submitted and accepted through the real services (so its two tasks
   are opened by ``review_open``); the rest are bulk copies: two open tasks each, so the default
   gives 104,000 open tasks.
2. Starts gunicorn (gthread, WEB_WORKERS x WEB_THREADS like ``onewindow run``) with the
   project's URLs plus a bare view doing one conditional UPDATE on (pk, revision) of a task.
3. Completions: ``--clients`` threads POST /api/v1/review/tasks/<id>/opinion/ (agree) with
   token auth, the two tasks of each case one after the other, so every second call is the last
   branch of its case: the join (all opinions in) and the stage-advance event are part of the
   measured work. Alternates with the same threads POSTing the bare conditional-UPDATE view, two
   rounds each; reports completions per second and the ratio (goal >= 0.6).
4. Inbox: ``--inbox-clients`` threads GET the department inbox through the API
   (/api/v1/review/inbox/, paginated, sorted by due date) and the page (/review/), with
   department A's approver, while the database holds 100,000+ open tasks; reports p50 / p99.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.cases_bench import PDF
from bench.harness import (
    Call,
    Tally,
    alternate,
    application_with,
    free_port,
    gunicorn_command,
    load_note,
    queue,
    report_row,
    run_clients,
    scratch_database,
    server_description,
    serving,
    write_json,
)

if TYPE_CHECKING:
    from django.core.handlers.wsgi import WSGIHandler

ITEM_CODE = "BENCH-REVIEW-001"
APPROVE = [{"kind": "approve", "role": "approver"}]


# --- the server side ---------------------------------------------------------------------------
def bench_application() -> WSGIHandler:
    """The project's WSGI app with a bare conditional-UPDATE view in front of its URLs."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.db.models import F
    from django.http import HttpRequest, JsonResponse
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt
    from django.views.decorators.http import require_POST

    from onewindow.review.models import Task

    @csrf_exempt
    @require_POST
    def bare_update(request: HttpRequest, task_id: int) -> JsonResponse:
        with transaction.atomic():
            revision = Task.objects.filter(pk=task_id).values_list("revision", flat=True).first()
            updated = Task.objects.filter(pk=task_id, revision=revision or 0).update(
                revision=F("revision") + 1
            )
        return JsonResponse({"updated": updated}, status=200 if updated else 409)

    patterns = [path("bench/bare-update/<int:task_id>/", bare_update)]
    return application_with("review_bench_urls", patterns)


# --- seeding -----------------------------------------------------------------------------------
@dataclass
class Seeded:
    tokens: dict[int, str]  # department id → approver's token
    pairs: list[tuple[tuple[int, int], tuple[int, int]]]  # per case: (task, dept) for A and B
    bare: list[int]  # tasks the bare view updates
    dept_a: int


def seed(count: int) -> Seeded:
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from onewindow.accounts.models import User
    from onewindow.accounts.roles import Role
    from onewindow.cases import services
    from onewindow.cases.models import Case, CaseStatus
    from onewindow.cases.uploads import case_file_add
    from onewindow.catalog.models import (
        Department,
        Item,
        ItemVersion,
        Material,
        ProcessBranch,
        Region,
        RegionLevel,
        VersionStatus,
    )
    from onewindow.review.models import Task

    call_command("migrate", interactive=False, verbosity=0)
    dept_a = Department.objects.create(code="BENCH-A", name="基准牵头局")
    dept_b = Department.objects.create(code="BENCH-B", name="基准协办局")
    region = Region.objects.create(code="429900", name="基准市", level=RegionLevel.CITY)
    item = Item.objects.create(code=ITEM_CODE, department=dept_a)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name="基准并联审批许可",
        legal_basis="基准",
        statutory_days=20,
        committed_days=10,
        consolidation_days=1,
        result_name="基准证",
        delivery_methods=["window"],
    )
    Material.objects.create(version=version, sort=1, name="申请书", is_core=True)
    for sort, (department, lead, days) in enumerate(((dept_a, True, 8), (dept_b, False, 6)), 1):
        ProcessBranch.objects.create(
            version=version,
            department=department,
            is_lead=lead,
            allotted_days=days,
            steps=APPROVE,
            sort=sort,
        )
    version.status = VersionStatus.PUBLISHED
    version.save()
    item.published_version = version
    item.save()

    def user(name: str, role: str, department: Any = None) -> User:
        return User.objects.create_user(
            username=name,
            password=uuid.uuid4().hex,
            role=role,
            full_name=name,
            department=department,
        )

    applicant = user("bench-applicant", Role.APPLICANT)
    clerk = user("bench-clerk", Role.CLERK, dept_a)
    tokens = {
        d.pk: Token.objects.create(user=user(f"bench-approver-{d.code}", Role.APPROVER, d)).key
        for d in (dept_a, dept_b)
    }
    # One case through the real services: submit, accept, review_open.
    first = services.case_create_draft(
        item_version=version, applicant=applicant, created_by=applicant, region=region
    )
    for line in first.materials.all():
        upload = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
        case_file_add(case_material=line, upload=upload, actor=applicant)
    services.case_submit(case=first, actor=applicant)
    first.refresh_from_db()
    services.case_accept(case=first, actor=clerk)
    first.refresh_from_db()
    assert first.status == CaseStatus.IN_REVIEW, first.status
    template = list(Task.objects.filter(case=first).order_by("-is_lead"))
    today = dt.date.today()
    for start in range(1, count, 2000):
        batch = Case.objects.bulk_create(
            Case(
                number=f"BENCH{n:010d}",
                query_code="BENCH",
                item_version=version,
                department=dept_a,
                region=region,
                applicant=applicant,
                created_by=applicant,
                status=CaseStatus.IN_REVIEW,
                received_on=first.received_on,
                accepted_on=first.accepted_on,
                decision_due=first.decision_due,
                statutory_due=first.statutory_due,
            )
            for n in range(start, min(count, start + 2000))
        )
        Task.objects.bulk_create(
            Task(
                case=case,
                branch_id=t.branch_id,
                department_id=t.department_id,
                is_lead=t.is_lead,
                steps=t.steps,
                allotted_days=t.allotted_days,
                opened_on=t.opened_on,
                # Spread the dues so the inbox sort has work to do.
                due=today + dt.timedelta(days=random.randint(-5, 30)),
            )
            for case in batch
            for t in template
        )
    rows = Task.objects.order_by("case_id", "-is_lead").values_list(
        "pk", "department_id", "case_id"
    )
    by_case: dict[int, list[tuple[int, int]]] = {}
    for pk, department_id, case_id in rows.iterator():
        by_case.setdefault(case_id, []).append((pk, department_id))
    pairs = [(ts[0], ts[1]) for ts in by_case.values() if len(ts) == 2]
    from django.db import connection

    if connection.vendor == "postgresql":  # what autovacuum does to a table this size
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE review_task")
            cursor.execute("VACUUM ANALYZE cases_case")
    spare = min(2000, len(pairs) // 4)
    bare = [pk for pair in pairs[-spare:] for pk, _d in pair]
    return Seeded(tokens, pairs[:-spare], bare, dept_a.pk)


# --- measurements ------------------------------------------------------------------------------
def bench_completions(port: int, seeded: Seeded, clients: int, seconds: float) -> dict[str, Tally]:
    """Each case's two tasks in order (A then B) from one shared queue: the B call is the join."""
    tasks = queue(task for pair in seeded.pairs for task in pair)
    body = json.dumps({"revision": 0, "kind": "agree"}).encode()

    def opinion() -> Call:
        task_id, department_id = tasks()  # IndexError ends the client
        headers = {
            "Authorization": f"Token {seeded.tokens[department_id]}",
            "Content-Type": "application/json",
        }
        return Call("POST", f"/api/v1/review/tasks/{task_id}/opinion/", body, headers)

    def bare() -> Call:
        task_id = random.choice(seeded.bare)
        # 409: another client updated the same row first; the conditional UPDATE did its job.
        headers = {"Content-Length": "0"}
        return Call("POST", f"/bench/bare-update/{task_id}/", b"", headers, (200, 409))

    return alternate(port, clients, seconds, {"bare": bare, "opinion": opinion})


def bench_inbox(port: int, seeded: Seeded, clients: int, seconds: float) -> dict[str, Tally]:
    auth = {"Authorization": f"Token {seeded.tokens[seeded.dept_a]}"}

    def api() -> Call:
        page = random.randint(1, 50)
        return Call("GET", f"/api/v1/review/inbox/?page={page}", None, auth)

    def api_overdue() -> Call:
        return Call("GET", "/api/v1/review/inbox/?urgency=overdue", None, auth)

    return alternate(port, clients, seconds, {"api": api, "overdue": api_overdue})


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL scratch database URL")
    parser.add_argument("--seconds", type=float, default=10.0, help="per measured pair")
    parser.add_argument("--clients", type=int, default=8, help="concurrent reviewers")
    parser.add_argument("--inbox-clients", type=int, default=20)
    parser.add_argument("--cases", type=int, default=52000, help="cases in review (2 tasks each)")
    parser.add_argument("--json-out", default="", help="write the figures here (JSON)")
    args = parser.parse_args()

    env, cleanup = scratch_database(args.database_url)
    os.environ.update(env)
    try:
        started = time.perf_counter()
        seeded = seed(args.cases)
        seed_seconds = time.perf_counter() - started
        port = free_port()
        with serving(gunicorn_command("bench.review_bench:bench_application()", port), env, port):
            warm = {"Authorization": f"Token {seeded.tokens[seeded.dept_a]}"}
            run_clients(port, 8, lambda: Call("GET", "/api/v1/review/inbox/", None, warm), 1.0)
            return measure(port, seeded, args, seed_seconds)
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()


def measure(port: int, seeded: Seeded, args: argparse.Namespace, seed_seconds: float) -> int:
    """Print the server and database, then both measurements; 1 if any request failed."""
    from django.conf import settings
    from django.db import connection

    from onewindow.cases.models import CaseEvent
    from onewindow.review.models import TASK_PENDING, Task

    begun, started, load_before = dt.datetime.now(dt.UTC), time.perf_counter(), load_note()
    database = f"{connection.vendor} ({settings.DATABASES['default']['NAME']})"
    print(f"database: {database}; seeded {args.cases} cases in {seed_seconds:.1f} s")
    print(f"server: {server_description()}; {os.cpu_count()} CPUs")
    rates = bench_completions(port, seeded, args.clients, args.seconds)
    done_rate, bare_rate = rates["opinion"].per_second, rates["bare"].per_second
    errors = rates["bare"].errors + rates["opinion"].errors
    ratio = done_rate / bare_rate if bare_rate else float("nan")
    joins = CaseEvent.objects.filter(action="opinions_complete").count()
    if errors:
        print(f"completion errors: {len(errors)}, e.g. {errors[:3]}")
    print(
        f"task completions ({args.clients} clients, opinion API, {joins} cases joined): "
        f"{done_rate:.0f}/s; bare conditional-UPDATE view: {bare_rate:.0f}/s; "
        f"ratio {ratio:.2f} (goal >= 0.6: {'met' if ratio >= 0.6 else 'NOT met'})"
    )
    open_tasks = Task.objects.filter(status__in=TASK_PENDING).count()
    tallies = bench_inbox(port, seeded, args.inbox_clients, args.seconds)
    print(f"reviewer inbox, {args.inbox_clients} concurrent clients, {open_tasks} open tasks:")
    for name, label in (
        ("api", "API inbox (page 1-50)"),
        ("overdue", "API inbox, overdue"),
    ):
        t = tallies[name]
        print(
            f"  {label:<24} p50 {t.p50_ms:6.1f} ms  "
            f"p99 {t.p99_ms:6.1f} ms  ({len(t.latencies)} requests)"
        )
        errors.extend(t.errors)
    if errors:
        print(f"errors: {len(errors)}, e.g. {errors[:5]}")
    if args.json_out:
        done = rates["opinion"]
        rows = [
            report_row(
                "task completions/s",
                "/s",
                done_rate,
                bare_rate,
                "bare view, one conditional UPDATE",
            ),
            report_row("task completion p50", "ms", done.p50_ms),
            report_row("task completion p99", "ms", done.p99_ms),
        ]
        for name, label in (("api", "inbox API (page 1-50)"), ("overdue", "inbox API, overdue")):
            t = tallies[name]
            rows.append(report_row(f"{label} p50", "ms", t.p50_ms))
            rows.append(report_row(f"{label} p99", "ms", t.p99_ms))
        write_json(
            args.json_out,
            {
                "bench": "review",
                "title": "Task completions and reviewer inbox (closed loop)",
                "database": connection.vendor,
                "scale": f"{open_tasks} open tasks, {args.clients} reviewers, "
                f"{args.inbox_clients} inbox clients, {args.seconds:.0f} s per pair; "
                f"{server_description()}",
                "started": begun.isoformat(timespec="seconds"),
                "seconds": round(time.perf_counter() - started + seed_seconds, 1),
                "rows": rows,
                "notes": [f"before: {load_before}; after: {load_note()}"]
                + ([f"{len(errors)} failed requests"] if errors else []),
            },
        )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
