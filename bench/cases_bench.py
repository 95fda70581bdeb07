"""Case API throughput and progress-query latency against the real server, each beside a bare view.

Usage: .venv/bin/python -m bench.cases_bench [--database-url URL] [--seconds 10]
       [--clients 8] [--progress-clients 50] [--drafts 4000] [--json-out PATH]

What it does, in about a minute:
1. Prepares a scratch database (a fresh SQLite file in a temp data dir, or the PostgreSQL
   database named by --database-url, created if missing and dropped again afterwards), migrates
   it and seeds one published item (two materials), one applicant with an API token, email and
   mobile number, and ``--drafts`` ready drafts each with one small PDF per material. The first
   draft is built through the real services (upload checked by magic bytes, stored on disk); the
   rest are bulk copies of it that share its stored files.
2. Starts gunicorn (gthread, WEB_WORKERS x WEB_THREADS like ``onewindow run``) on a free loopback
   port with the project's URLs plus two bare views: one that inserts one row in a transaction,
   one that reads one row by an indexed column.
3. Submissions: ``--clients`` threads each POST /api/v1/cases/<id>/submit/ with token auth and an
   Idempotency-Key on prepared drafts (the submit call only: number, query code, deadlines,
   event, outbox rows and their delivery after commit), alternating with the same threads
   POSTing the bare insert view, two rounds each; reports requests per second and the ratio.
   The bare view runs behind the same Django middleware stack and gunicorn setup and does one
   INSERT in its own transaction (BEGIN IMMEDIATE … COMMIT on SQLite); it skips what is not
   the database: DRF dispatch, token authentication (one SELECT) and JSON parsing. A submission
   is about 14 statements (access check, row lock and reload, key, form schema, materials,
   number, case UPDATE, event, outbox, submission key, and two outbox UPDATEs after commit).
4. Progress query: ``--progress-clients`` threads each keep one connection and look up random
   submitted cases through the page (/progress/?number=&code=) and the API, alternating with the
   bare read view; reports p50 / p99 latency. The rate limiter runs but with a limit too high to
   refuse (every client shares the loopback address).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

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

# A one-page PDF pypdf opens (uploads are parsed since docs/decisions.md §S4).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n"
)
ITEM_CODE = "BENCH-SUBMIT-001"


# --- the server side: a WSGI factory for gunicorn ("bench.cases_bench:bench_application()") ----


def bench_application() -> WSGIHandler:
    """The project's WSGI app with the bare views added in front of its URLs."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.http import HttpRequest, JsonResponse
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt
    from django.views.decorators.http import require_GET, require_POST

    from onewindow.cases.models import Case
    from onewindow.core.models import AccessDenied

    @csrf_exempt
    @require_POST
    def bare_insert(request: HttpRequest) -> JsonResponse:
        with transaction.atomic():
            row = AccessDenied.objects.create(
                path=request.path, method="POST", target="bench", reason="bare insert"
            )
        return JsonResponse({"id": row.pk}, status=201)

    @require_GET
    def bare_read(request: HttpRequest) -> JsonResponse:
        number = request.GET.get("number", "")
        status = Case.objects.filter(number=number).values_list("status", flat=True).first()
        return JsonResponse({"status": status})

    patterns = [path("bench/bare-insert/", bare_insert), path("bench/bare-read/", bare_read)]
    return application_with("cases_bench_urls", patterns, PROGRESS_QUERY_PER_MINUTE=10**9)


# --- the client side ---------------------------------------------------------------------------


@dataclass
class Seeded:
    token: str
    drafts: list[int]
    version_name: str


def seed(count: int) -> Seeded:
    """Migrate and create the item, the applicant and ``count`` drafts (in this process)."""
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from onewindow.accounts.models import User
    from onewindow.accounts.roles import Role
    from onewindow.cases import services
    from onewindow.cases.models import ApplicationField, Case, CaseFile, CaseMaterial, FieldType
    from onewindow.cases.uploads import case_file_add
    from onewindow.catalog.models import (
        Department,
        Item,
        ItemVersion,
        Material,
        Region,
        RegionLevel,
        VersionStatus,
    )

    call_command("migrate", interactive=False, verbosity=0)
    department = Department.objects.create(code="BENCH", name="基准测试局")
    region = Region.objects.create(code="429900", name="基准市", level=RegionLevel.CITY)
    item = Item.objects.create(code=ITEM_CODE, department=department)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name="基准测试许可",
        legal_basis="基准",
        statutory_days=20,
        committed_days=10,
        result_name="基准证",
        delivery_methods=["window"],
    )
    for sort, (name, core) in enumerate((("申请书", True), ("营业执照", False)), start=1):
        Material.objects.create(version=version, sort=sort, name=name, is_core=core)
    ApplicationField.objects.create(
        version=version, sort=1, name="project_name", label="项目名称", type=FieldType.TEXT
    )
    version.status = VersionStatus.PUBLISHED
    version.save()
    item.published_version = version
    item.save()
    user = User.objects.create_user(
        username="bench",
        password=uuid.uuid4().hex,
        role=Role.APPLICANT,
        full_name="基准申请人",
        email="bench@example.cn",
        phone="13900000000",
    )
    token = Token.objects.create(user=user).key

    form_data = {"project_name": "基准测试项目"}
    template = services.case_create_draft(
        item_version=version, applicant=user, created_by=user, region=region, form_data=form_data
    )
    for line in template.materials.all():
        upload = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
        case_file_add(case_material=line, upload=upload, actor=user)
    lines = list(template.materials.prefetch_related("files"))
    drafts = [template.pk]
    for start in range(1, count, 500):
        batch = Case.objects.bulk_create(
            Case(
                item_version=version,
                department=department,
                region=region,
                applicant=user,
                created_by=user,
                form_data=form_data,
            )
            for _ in range(start, min(count, start + 500))
        )
        copies = CaseMaterial.objects.bulk_create(
            CaseMaterial(case=case, material_id=line.material_id)
            for case in batch
            for line in lines
        )
        stored = [line.files.all()[0].stored_id for line in lines]
        CaseFile.objects.bulk_create(
            CaseFile(case_material=copy, stored_id=stored[i % len(lines)])
            for i, copy in enumerate(copies)
        )
        drafts.extend(case.pk for case in batch)
    return Seeded(token, drafts, version.name)


def bench_submissions(port: int, seeded: Seeded, clients: int, seconds: float) -> dict[str, Tally]:
    """The submit call and the bare insert view in turn, two rounds each."""
    drafts = queue(seeded.drafts)  # IndexError ends a client when none are left
    auth = {"Authorization": f"Token {seeded.token}", "Content-Type": "application/json"}

    def submit() -> Call:
        headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
        return Call("POST", f"/api/v1/cases/{drafts()}/submit/", b"{}", headers, (201,))

    def insert() -> Call:
        return Call("POST", "/bench/bare-insert/", b"", {"Content-Length": "0"}, (201,))

    return alternate(port, clients, seconds, {"bare": insert, "submit": submit})


def submitted_cases() -> list[tuple[str, str]]:
    from onewindow.cases.models import Case

    rows = Case.objects.exclude(number=None).values_list("number", "query_code").order_by("pk")
    return [(str(number), code) for number, code in rows]


def bench_progress(
    port: int, cases: list[tuple[str, str]], clients: int, seconds: float
) -> dict[str, Tally]:
    def page() -> Call:
        number, code = random.choice(cases)
        return Call("GET", f"/progress/?{urlencode({'number': number, 'code': code})}")

    def api() -> Call:
        number, code = random.choice(cases)
        return Call("GET", f"/api/v1/progress/?{urlencode({'number': number, 'code': code})}")

    def bare() -> Call:
        number, _code = random.choice(cases)
        return Call("GET", f"/bench/bare-read/?{urlencode({'number': number})}")

    return alternate(port, clients, seconds, {"bare": bare, "page": page, "api": api})


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL scratch database URL")
    parser.add_argument("--seconds", type=float, default=10.0, help="per measured pair")
    parser.add_argument("--clients", type=int, default=8, help="concurrent submitters")
    parser.add_argument("--progress-clients", type=int, default=50)
    parser.add_argument("--drafts", type=int, default=4000)
    parser.add_argument("--json-out", default="", help="write the figures here (JSON)")
    args = parser.parse_args()

    env, cleanup = scratch_database(args.database_url)
    os.environ.update(env)
    try:
        started = time.perf_counter()
        seeded = seed(args.drafts)
        seed_seconds = time.perf_counter() - started
        port = free_port()
        with serving(gunicorn_command("bench.cases_bench:bench_application()", port), env, port):
            # Warm up every worker: imports, calendar, template and URL caches.
            run_clients(port, 8, lambda: Call("GET", "/progress/"), 1.0)
            return measure(port, seeded, args, seed_seconds)
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()


def measure(port: int, seeded: Seeded, args: argparse.Namespace, seed_seconds: float) -> int:
    """Print the server and database, then both measurements; 1 if any request failed."""
    from django.conf import settings
    from django.db import connection

    begun, started, load_before = dt.datetime.now(dt.UTC), time.perf_counter(), load_note()
    database = f"{connection.vendor} ({settings.DATABASES['default']['NAME']})"
    print(f"database: {database}; seeded {len(seeded.drafts)} drafts in {seed_seconds:.1f} s")
    print(
        f"server: {server_description()}; {os.cpu_count()} CPUs; notifications backend: "
        f"{settings.NOTIFICATION_BACKENDS['sms'].rsplit('.', 1)[-1]}"
    )

    rates = bench_submissions(port, seeded, args.clients, args.seconds)
    submit_rate, bare_rate = rates["submit"].per_second, rates["bare"].per_second
    errors = rates["bare"].errors + rates["submit"].errors
    ratio = submit_rate / bare_rate if bare_rate else float("nan")
    if errors:
        print(f"submission errors: {len(errors)}, e.g. {errors[:3]}")
    print(
        f"submissions ({args.clients} clients, submit call on prepared drafts): "
        f"{submit_rate:.0f}/s; bare insert view: {bare_rate:.0f}/s; ratio {ratio:.2f} "
        f"(goal >= 0.6: {'met' if ratio >= 0.6 else 'NOT met'})"
    )
    cases = submitted_cases()
    tallies = bench_progress(port, cases, args.progress_clients, args.seconds)
    print(f"progress query, {args.progress_clients} concurrent clients, {len(cases)} cases:")
    for name, label in (
        ("page", "page /progress/"),
        ("api", "API /api/v1/progress/"),
        ("bare", "bare read view"),
    ):
        t = tallies[name]
        print(
            f"  {label:<22} p50 {t.p50_ms:6.1f} ms  "
            f"p99 {t.p99_ms:6.1f} ms  ({len(t.latencies)} requests)"
        )
        errors.extend(t.errors)
    if errors:
        print(f"errors: {len(errors)}, e.g. {errors[:5]}")
    if args.json_out:
        sub = rates["submit"]
        rows = [
            report_row("submissions/s", "/s", submit_rate, bare_rate, "bare view, one INSERT"),
            report_row("submission p50", "ms", sub.p50_ms),
            report_row("submission p99", "ms", sub.p99_ms),
        ]
        bare = tallies["bare"]
        for name, label in (("page", "progress page"), ("api", "progress API")):
            t = tallies[name]
            for stat, value, base in (
                ("p50", t.p50_ms, bare.p50_ms),
                ("p99", t.p99_ms, bare.p99_ms),
            ):
                rows.append(
                    report_row(
                        f"{label} {stat}",
                        "ms",
                        value,
                        base,
                        "bare view, one indexed read",
                        higher_is_better=False,
                    )
                )
        write_json(
            args.json_out,
            {
                "bench": "cases",
                "title": "Submissions and progress query (closed loop)",
                "database": connection.vendor,
                "scale": f"{args.clients} submitters, {args.progress_clients} progress clients, "
                f"{args.seconds:.0f} s per pair, {len(cases)} submitted cases; "
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
