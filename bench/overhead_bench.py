"""Overhead over the required writes: submission, acceptance and task completion through the real
API, each beside a bare view that performs the same statements as hand-written SQL.

Usage: .venv/bin/python -m bench.overhead_bench [--database-url URL] [--cases 300]
       [--clients 8] [--json-out PATH]

What it does:
1. Prepares a scratch database (a fresh SQLite file in a temp data dir, or the PostgreSQL
   database named by --database-url, created if missing and dropped afterwards), migrates it and
   seeds one item reviewed in parallel by two departments (lead A, co-department B, one approval
   step each), an applicant (email and mobile number, so each event queues two notifications), a
   clerk of A and an approver in each department, each with a DRF token, and ``2 × --cases``
   ready drafts (the first built through the real services, the rest bulk copies of it). One
   more case goes the whole way through the real API first, so that this month's statistics rows
   exist before anything is measured (the bare views only UPDATE them, like the real calls).
2. Starts gunicorn (gthread, WEB_WORKERS x WEB_THREADS like ``onewindow run``) with the
   project's URLs plus the bare views of ``bench/bare_writes.py`` (the same rows inserted,
   updated and deleted, in one transaction, after the same token lookup) and the single-INSERT
   view of ``bench/cases_bench.py`` (for continuity with the withdrawn goal).
3. Three phases, each alternating the real calls and the bare ones in two rounds of ``--cases /
   2`` requests each with ``--clients`` threads: submissions (POST /api/v1/cases/<id>/submit/;
   the single-INSERT view runs as a third kind), acceptances (POST
   /api/v1/intake/cases/<id>/accept/ on the cases the phase before submitted: two review tasks
   opened), task completions (POST /api/v1/review/tasks/<id>/opinion/ agree, the lead's task
   then the co-department's, so every second call is the join). The bare views work on their own
   half of the cases, which went through the bare submission and acceptance.
4. Prints requests per second of each and ours / bare (goal ≥ 0.5, docs/BENCHMARKS.md), and writes
   the figures to ``--json-out`` in the shape of /work/wt/notes/benchjson.md.

``row_changes`` (the rows each table gained, changed and lost between two snapshots) is what
``bench/tests/test_overhead_bench.py`` uses to prove that a bare view and the real call write the
same rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.cases_bench import PDF
from bench.harness import (
    Call,
    Tally,
    application_with,
    free_port,
    gunicorn_command,
    process_cpu_seconds,
    queue,
    run_clients,
    scratch_database,
    server_description,
    serving,
)

if TYPE_CHECKING:
    from django.core.handlers.wsgi import WSGIHandler

ITEM_CODE = "BENCH-OVERHEAD-001"
APPROVE = [{"kind": "approve", "role": "approver"}]
GOAL = 0.5
FORM = {
    "project_name": "基准测试项目",
    "premises_address": {
        "province": "湖北省",
        "city": "鄂州市",
        "district": "鄂城区",
        "detail": "滨湖路1号",
    },
    "contact_name": "基准联系人",
    "contact_phone": "13907110000",
    "application_date": "2026-12-07",
    "application_type": "新办",
}
OPINION = json.dumps({"revision": 0, "kind": "agree"}).encode()


# --- the server side: a WSGI factory for gunicorn ("bench.overhead_bench:bench_application()") -
def bench_application() -> WSGIHandler:
    """The project's WSGI app with the same-statements views and the single-INSERT view."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.http import HttpRequest, JsonResponse
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt
    from django.views.decorators.http import require_POST

    from bench import bare_writes
    from onewindow.core.models import AccessDenied

    @csrf_exempt
    @require_POST
    def bare_insert(request: HttpRequest) -> JsonResponse:
        with transaction.atomic():
            row = AccessDenied.objects.create(
                path=request.path, method="POST", target="bench", reason="bare insert"
            )
        return JsonResponse({"id": row.pk}, status=201)

    patterns = [*bare_writes.patterns(), path("bench/bare-insert/", bare_insert)]
    return application_with("overhead_bench_urls", patterns, PROGRESS_QUERY_PER_MINUTE=10**9)


# --- seeding -----------------------------------------------------------------------------------
@dataclass
class Seeded:
    applicant: str  # tokens
    clerk: str
    approvers: dict[int, str]  # department id → approver's token
    real: list[int]  # drafts the real API submits
    bare: list[int]  # drafts the bare views submit


def seed(count: int) -> Seeded:
    """Item, users with tokens, ``2 × count`` drafts; one case through the whole real API."""
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from onewindow.accounts.models import User
    from onewindow.accounts.roles import Role
    from onewindow.cases import services
    from onewindow.cases.models import Case, CaseFile, CaseMaterial
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

    def user(name: str, role: str, department: Any = None, **extra: str) -> str:
        person = User.objects.create_user(
            username=name,
            password=uuid.uuid4().hex,
            role=role,
            full_name=name,
            department=department,
            **extra,
        )
        return str(Token.objects.create(user=person).key)

    applicant = user(
        "bench-applicant", Role.APPLICANT, email="bench@example.cn", phone="13900000000"
    )
    clerk = user("bench-clerk", Role.CLERK, dept_a)
    approvers = {d.pk: user(f"bench-approver-{d.code}", Role.APPROVER, d) for d in (dept_a, dept_b)}
    person = User.objects.get(username="bench-applicant")
    template = services.case_create_draft(
        item_version=version, applicant=person, created_by=person, region=region, form_data=FORM
    )
    for line in template.materials.all():
        upload = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
        case_file_add(case_material=line, upload=upload, actor=person)
    lines = list(template.materials.prefetch_related("files"))
    stored = [line.files.all()[0].stored_id for line in lines]
    drafts: list[int] = []
    total = 2 * count + 1
    for start in range(1, total, 500):
        batch = Case.objects.bulk_create(
            Case(
                item_version=version,
                department=dept_a,
                region=region,
                applicant=person,
                created_by=person,
                form_data=FORM,
            )
            for _ in range(start, min(total, start + 500))
        )
        copies = CaseMaterial.objects.bulk_create(
            CaseMaterial(case=case, material_id=line.material_id)
            for case in batch
            for line in lines
        )
        CaseFile.objects.bulk_create(
            CaseFile(case_material=copy, stored_id=stored[i % len(lines)])
            for i, copy in enumerate(copies)
        )
        drafts.extend(case.pk for case in batch)
    seeded = Seeded(applicant, clerk, approvers, drafts[:count], drafts[count : 2 * count])
    warm_up(seeded, template.pk)
    return seeded


def warm_up(seeded: Seeded, case_id: int) -> None:
    """One case through the real API (submit, accept, both opinions): this month's rows of the
    statistics exist afterwards, as they do on a working day in production."""
    from django.test import Client

    client = Client()
    for path, token, status in (
        (f"/api/v1/cases/{case_id}/submit/", seeded.applicant, 201),
        (f"/api/v1/intake/cases/{case_id}/accept/", seeded.clerk, 200),
    ):
        response = client.post(
            path,
            b"{}",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        assert response.status_code == status, response.content
    for task_id, department in tasks_of([case_id]):
        response = client.post(
            f"/api/v1/review/tasks/{task_id}/opinion/",
            OPINION,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {seeded.approvers[department]}",
        )
        assert response.status_code == 200, response.content


def tasks_of(case_ids: Sequence[int]) -> list[tuple[int, int]]:
    """(task, department) of the cases' open tasks: per case the lead's first, in case order."""
    from onewindow.review.models import Task

    order = {case_id: n for n, case_id in enumerate(case_ids)}
    rows = Task.objects.filter(case_id__in=case_ids, status="open").values_list(
        "pk", "department_id", "case_id", "is_lead"
    )
    ordered = sorted(rows, key=lambda row: (order[row[2]], not row[3]))
    return [(pk, department) for pk, department, _case, _lead in ordered]


# --- the same-rows check -------------------------------------------------------------------------
Snapshot = dict[str, dict[Any, tuple[Any, ...]]]


def snapshot() -> Snapshot:
    """Every row of every table of the project's models, by primary key."""
    from django.apps import apps

    tables: Snapshot = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [f.attname for f in model._meta.concrete_fields]
        rows = model._base_manager.values_list("pk", *names)
        tables[model._meta.db_table] = {row[0]: tuple(row[1:]) for row in rows}
    return tables


def row_changes(before: Snapshot, after: Snapshot) -> dict[str, tuple[int, int, int]]:
    """Per table with any change: (rows inserted, rows updated, rows deleted)."""
    changes: dict[str, tuple[int, int, int]] = {}
    for table, rows in after.items():
        old = before.get(table, {})
        inserted = len(rows.keys() - old.keys())
        deleted = len(old.keys() - rows.keys())
        updated = sum(1 for pk in rows.keys() & old.keys() if rows[pk] != old[pk])
        if inserted or updated or deleted:
            changes[table] = (inserted, updated, deleted)
    return changes


# --- measurements ------------------------------------------------------------------------------
@dataclass
class Kind:
    """The tally of one kind of call and the server's CPU seconds spent while it ran."""

    tally: Tally
    cpu: float = 0.0

    @property
    def cpu_ms(self) -> float:
        """Server CPU per successful request (ms): user + system time of gunicorn's processes."""
        done = len(self.tally.latencies)
        return self.cpu / done * 1000 if done else 0.0


def phase(
    port: int, server: int, clients: int, kinds: dict[str, list[Call]], rounds: int = 2
) -> dict[str, Kind]:
    """Each kind's calls in ``rounds`` slices, the kinds in turn within a round (so that none
    gets a quieter machine); the tallies and server CPU seconds of a kind are summed."""
    results = {name: Kind(Tally()) for name in kinds}
    for r in range(rounds):
        for name, calls in kinds.items():
            size = -(-len(calls) // rounds)
            part = calls[r * size : (r + 1) * size]
            if part:
                before = process_cpu_seconds(server)
                results[name].tally.extend(run_clients(port, clients, queue(part)))
                results[name].cpu += process_cpu_seconds(server) - before
    return results


def post(path: str, token: str, body: bytes = b"{}", ok: int = 200) -> Call:
    """A token-authenticated JSON POST with a fresh Idempotency-Key (used by submissions)."""
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "Idempotency-Key": uuid.uuid4().hex,
    }
    return Call("POST", path, body, headers, (ok,))


def submit_calls(seeded: Seeded) -> dict[str, list[Call]]:
    real = [post(f"/api/v1/cases/{pk}/submit/", seeded.applicant, ok=201) for pk in seeded.real]
    bare = [post(f"/bench/same/submit/{pk}/", seeded.applicant, ok=201) for pk in seeded.bare]
    insert = Call("POST", "/bench/bare-insert/", b"", {"Content-Length": "0"}, (201,))
    return {"bare": bare, "real": real, "insert": [insert] * len(real)}


def accept_calls(seeded: Seeded) -> dict[str, list[Call]]:
    return {
        "bare": [post(f"/bench/same/accept/{pk}/", seeded.clerk) for pk in seeded.bare],
        "real": [post(f"/api/v1/intake/cases/{pk}/accept/", seeded.clerk) for pk in seeded.real],
    }


def complete_calls(seeded: Seeded) -> dict[str, list[Call]]:
    def calls(prefix: str, case_ids: list[int], body: bytes) -> list[Call]:
        return [
            post(f"{prefix}{task}/{'opinion/' if body else ''}", seeded.approvers[dept], body)
            for task, dept in tasks_of(case_ids)
        ]

    return {
        "bare": calls("/bench/same/complete/", seeded.bare, b""),
        "real": calls("/api/v1/review/tasks/", seeded.real, OPINION),
    }


@dataclass
class Pair:
    name: str  # "submission", "acceptance", "task completion"
    ours: Kind
    theirs: Kind

    @property
    def real(self) -> Tally:
        return self.ours.tally

    @property
    def bare(self) -> Tally:
        return self.theirs.tally

    @property
    def ratio(self) -> float:
        return self.real.per_second / self.bare.per_second if self.bare.per_second else 0.0

    @property
    def cpu_ratio(self) -> float:
        """Bare CPU per request / ours: the throughput ratio a CPU-bound server would show."""
        return self.theirs.cpu_ms / self.ours.cpu_ms if self.ours.cpu_ms else 0.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL scratch database URL")
    parser.add_argument("--cases", type=int, default=300, help="cases per side (real, bare)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--json-out", default="", help="write the figures here (JSON)")
    args = parser.parse_args(argv)

    env, cleanup = scratch_database(args.database_url)
    os.environ.update(env)
    try:
        started = time.perf_counter()
        seeded = seed(args.cases)
        seed_seconds = time.perf_counter() - started
        port = free_port()
        command = gunicorn_command("bench.overhead_bench:bench_application()", port)
        with serving(command, env, port) as server:
            warm = {"Authorization": f"Token {seeded.clerk}"}
            run_clients(port, 8, lambda: Call("GET", "/api/v1/intake/queue/", None, warm), 1.0)
            return measure(port, server.pid, seeded, args, seed_seconds, started)
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()


def measure(
    port: int,
    server: int,
    seeded: Seeded,
    args: argparse.Namespace,
    seed_seconds: float,
    started: float,
) -> int:
    """The three phases; print and write the figures; 1 if any request failed."""
    from django.conf import settings
    from django.db import connection

    begun = dt.datetime.now(dt.UTC)
    load = os.getloadavg()[0]
    database = f"{connection.vendor} ({settings.DATABASES['default']['NAME']})"
    print(f"database: {database}; seeded 2 x {args.cases} drafts in {seed_seconds:.1f} s")
    print(f"server: {server_description()}; {os.cpu_count()} CPUs; load {load:.2f}")
    submissions = phase(port, server, args.clients, submit_calls(seeded))
    acceptances = phase(port, server, args.clients, accept_calls(seeded))
    completions = phase(port, server, args.clients, complete_calls(seeded))
    pairs = [
        Pair("submission", submissions["real"], submissions["bare"]),
        Pair("acceptance", acceptances["real"], acceptances["bare"]),
        Pair("task completion", completions["real"], completions["bare"]),
    ]
    insert = submissions["insert"].tally
    errors = [
        e
        for kinds in (submissions, acceptances, completions)
        for kind in kinds.values()
        for e in kind.tally.errors
    ]
    print(f"{args.clients} clients, {args.cases} calls per side and phase, 2 rounds alternating:")
    for pair in pairs:
        print(
            f"  {pair.name:<16} ours {pair.real.per_second:6.1f}/s "
            f"(p50 {pair.real.p50_ms:5.1f} ms)  bare same statements "
            f"{pair.bare.per_second:6.1f}/s (p50 {pair.bare.p50_ms:5.1f} ms)  "
            f"ratio {pair.ratio:.2f} (goal >= {GOAL}: {'met' if pair.ratio >= GOAL else 'NOT met'}); "
            f"server CPU/request ours {pair.ours.cpu_ms:.1f} ms, bare {pair.theirs.cpu_ms:.1f} ms "
            f"(bare/ours {pair.cpu_ratio:.2f})"
        )
    single = submissions["real"].tally.per_second / insert.per_second if insert.per_second else 0.0
    print(
        f"  single-INSERT view {insert.per_second:6.1f}/s; submissions / single INSERT {single:.2f}"
    )
    load_after = os.getloadavg()[0]
    print(f"load average 1 min: {load:.2f} before, {load_after:.2f} after")
    if errors:
        print(f"errors: {len(errors)}, e.g. {errors[:5]}")
    if args.json_out:
        rows = [row for pair in pairs for row in (row_of(pair), cpu_row_of(pair))]
        rows.append(
            {
                "measure": "submissions/s vs a single-INSERT view",
                "unit": "/s",
                "value": round(submissions["real"].tally.per_second, 1),
                "baseline": round(insert.per_second, 1),
                "baseline_name": "bare view, one INSERT",
                "ratio": round(single, 3),
                "ratio_note": "ours / bare (higher is better)",
                "goal": None,
                "met": None,
            }
        )
        payload = {
            "bench": "overhead",
            "title": "Overhead over the required writes",
            "database": connection.vendor,
            "scale": f"{args.cases} calls per side and phase, {args.clients} closed-loop clients, "
            f"{server_description()}",
            "started": begun.isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 1),
            "rows": rows,
            "notes": [
                f"load average (1 min) {load:.2f} before, {load_after:.2f} after "
                f"on {os.cpu_count()} CPUs",
                "bare views: bench/bare_writes.py, same rows inserted/updated/deleted per table "
                "(checked by bench/tests/test_overhead_bench.py), one transaction, token lookup",
                *([f"{len(errors)} failed requests"] if errors else []),
            ],
        }
        with open(args.json_out, "w", encoding="utf-8") as out:
            json.dump(payload, out, indent=2, ensure_ascii=False)
    return 1 if errors else 0


def cpu_row_of(pair: Pair) -> dict[str, Any]:
    return {
        "measure": f"{pair.name} server CPU per request",
        "unit": "ms",
        "value": round(pair.ours.cpu_ms, 2),
        "baseline": round(pair.theirs.cpu_ms, 2),
        "baseline_name": "bare view, same statements",
        "ratio": round(pair.cpu_ratio, 3),
        "ratio_note": "bare / ours (higher is better; the throughput ratio if CPU-bound)",
        "goal": None,
        "met": None,
    }


def row_of(pair: Pair) -> dict[str, Any]:
    return {
        "measure": f"{pair.name}s/s",
        "unit": "/s",
        "value": round(pair.real.per_second, 1),
        "baseline": round(pair.bare.per_second, 1),
        "baseline_name": "bare view, same statements",
        "ratio": round(pair.ratio, 3),
        "ratio_note": "ours / bare (higher is better)",
        "goal": f"≥ {GOAL}× bare",
        "met": pair.ratio >= GOAL,
    }


if __name__ == "__main__":
    sys.exit(main())
