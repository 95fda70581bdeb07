"""Case API throughput and progress-query latency against the real server, each beside a bare view.

Usage: .venv/bin/python -m bench.cases_bench [--database-url URL] [--seconds 10]
       [--clients 8] [--progress-clients 50] [--drafts 4000]

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
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

# A one-page PDF pypdf opens (uploads are parsed since docs/decisions.md §S4).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n"
)
ITEM_CODE = "BENCH-SUBMIT-001"


# --- the server side: a WSGI factory for gunicorn ("bench.cases_bench:bench_application()") ----


def bench_application() -> Any:
    """The project's WSGI app with the bare views added in front of its URLs."""
    import types

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.http import HttpRequest, JsonResponse
    from django.test.utils import override_settings
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt
    from django.views.decorators.http import require_GET, require_POST

    from onewindow.cases.models import Case
    from onewindow.core.models import AccessDenied
    from onewindow.wsgi import application

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

    urls = types.ModuleType("cases_bench_urls")
    urls.urlpatterns = [  # type: ignore[attr-defined]
        path("bench/bare-insert/", bare_insert),
        path("bench/bare-read/", bare_read),
        path("", include("onewindow.urls")),
    ]
    sys.modules["cases_bench_urls"] = urls
    override_settings(ROOT_URLCONF="cases_bench_urls", PROGRESS_QUERY_PER_MINUTE=10**9).enable()
    return application


# --- the client side ---------------------------------------------------------------------------


@dataclass
class Seeded:
    token: str
    drafts: list[int]
    version_name: str


def prepare_database(database_url: str | None) -> tuple[dict[str, str], Callable[[], None]]:
    """Environment for a scratch database, and a function that removes it afterwards."""
    data_dir = tempfile.mkdtemp(prefix="ow-cases-bench-")
    env = {"ONEWINDOW_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "onewindow.settings"}
    if not database_url:
        return env, lambda: None
    env["DATABASE_URL"] = database_url
    parsed = urlparse(database_url)
    if not parsed.scheme.startswith("postgres"):
        return env, lambda: None
    import psycopg

    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        if exists:
            return  # not ours: leave it
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return env, drop


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    from django.conf import settings

    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [
            str(gunicorn),
            "bench.cases_bench:bench_application()",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(settings.WEB_WORKERS),
            "--threads",
            str(settings.WEB_THREADS),
            "--log-level",
            "warning",
        ],
        env={**os.environ, **env},
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_healthy(port: int, server: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"server exited: {server.stderr.read().decode() if server.stderr else ''}"
            )
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("server did not become healthy")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str = "") -> None:
        with self.lock:
            if error:
                self.errors.append(error)
            else:
                self.latencies.append(seconds)


Request = Callable[[], tuple[str, str, bytes | None, dict[str, str], tuple[int, ...]]]


def run_clients(port: int, clients: int, seconds: float, make: Request) -> tuple[Tally, float]:
    """``clients`` threads, one keep-alive connection each, sending ``make()`` until time is up."""
    tally = Tally()
    stop_at = time.perf_counter() + seconds
    start = threading.Barrier(clients + 1)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start.wait()
        while time.perf_counter() < stop_at:
            try:
                method, path, body, headers, ok = make()
            except IndexError:  # no more prepared drafts
                return
            began = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
            except OSError as exc:
                tally.add(0, f"{path}: {exc}")
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            elapsed = time.perf_counter() - began
            failed = f"{path}: {response.status} {content[:200].decode(errors='replace')}"
            tally.add(elapsed, "" if response.status in ok else failed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - began


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def bench_submissions(
    port: int, seeded: Seeded, clients: int, seconds: float
) -> tuple[float, float, list[str]]:
    drafts = list(reversed(seeded.drafts))
    lock = threading.Lock()
    auth = {"Authorization": f"Token {seeded.token}", "Content-Type": "application/json"}

    def submit() -> tuple[str, str, bytes | None, dict[str, str], tuple[int, ...]]:
        with lock:
            case_id = drafts.pop()  # IndexError ends the client when none are left
        headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
        return "POST", f"/api/v1/cases/{case_id}/submit/", b"{}", headers, (201,)

    def insert() -> tuple[str, str, bytes | None, dict[str, str], tuple[int, ...]]:
        return "POST", "/bench/bare-insert/", b"", {"Content-Length": "0"}, (201,)

    counts = {"submit": [0, 0.0], "bare": [0, 0.0]}
    errors: list[str] = []
    for _round in range(2):
        for name, make in (("bare", insert), ("submit", submit)):
            tally, elapsed = run_clients(port, clients, seconds / 2, make)
            counts[name][0] += len(tally.latencies)
            counts[name][1] += elapsed
            errors.extend(tally.errors)
    rate = {name: done / elapsed for name, (done, elapsed) in counts.items()}
    return rate["submit"], rate["bare"], errors


def submitted_cases() -> list[tuple[str, str]]:
    from onewindow.cases.models import Case

    rows = Case.objects.exclude(number=None).values_list("number", "query_code").order_by("pk")
    return [(str(number), code) for number, code in rows]


def bench_progress(
    port: int, cases: list[tuple[str, str]], clients: int, seconds: float
) -> dict[str, Tally]:
    def page() -> tuple[str, str, bytes | None, dict[str, str], tuple[int, ...]]:
        number, code = random.choice(cases)
        query = urlencode({"number": number, "code": code})
        return "GET", f"/progress/?{query}", None, {}, (200,)

    def api() -> tuple[str, str, bytes | None, dict[str, str], tuple[int, ...]]:
        number, code = random.choice(cases)
        query = urlencode({"number": number, "code": code})
        return "GET", f"/api/v1/progress/?{query}", None, {}, (200,)

    def bare() -> tuple[str, str, bytes | None, dict[str, str], tuple[int, ...]]:
        number, _code = random.choice(cases)
        return "GET", f"/bench/bare-read/?{urlencode({'number': number})}", None, {}, (200,)

    tallies = {"bare": Tally(), "page": Tally(), "api": Tally()}
    for _round in range(2):
        for name, make in (("bare", bare), ("page", page), ("api", api)):
            tally, _elapsed = run_clients(port, clients, seconds / 2, make)
            tallies[name].latencies.extend(tally.latencies)
            tallies[name].errors.extend(tally.errors)
    return tallies


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL scratch database URL")
    parser.add_argument("--seconds", type=float, default=10.0, help="per measured pair")
    parser.add_argument("--clients", type=int, default=8, help="concurrent submitters")
    parser.add_argument("--progress-clients", type=int, default=50)
    parser.add_argument("--drafts", type=int, default=4000)
    args = parser.parse_args()

    env, cleanup = prepare_database(args.database_url)
    os.environ.update(env)
    server = None
    try:
        started = time.perf_counter()
        seeded = seed(args.drafts)
        from django.conf import settings
        from django.db import connection

        seed_seconds = time.perf_counter() - started
        port = free_port()
        server = start_server(env, port)
        wait_healthy(port, server)
        # Warm up every worker: imports, calendar, template and URL caches.
        run_clients(port, 8, 1.0, lambda: ("GET", "/progress/", None, {}, (200,)))
        database = f"{connection.vendor} ({settings.DATABASES['default']['NAME']})"
        print(f"database: {database}; seeded {len(seeded.drafts)} drafts in {seed_seconds:.1f} s")
        print(
            f"server: gunicorn gthread, {settings.WEB_WORKERS} workers x "
            f"{settings.WEB_THREADS} threads; {os.cpu_count()} CPUs; notifications backend: "
            f"{settings.NOTIFICATION_BACKENDS['sms'].rsplit('.', 1)[-1]}"
        )

        submit_rate, bare_rate, errors = bench_submissions(port, seeded, args.clients, args.seconds)
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
                f"  {label:<22} p50 {statistics.median(t.latencies) * 1000:6.1f} ms  "
                f"p99 {percentile(t.latencies, 0.99) * 1000:6.1f} ms  ({len(t.latencies)} requests)"
            )
            errors.extend(t.errors)
        if errors:
            print(f"errors: {len(errors)}, e.g. {errors[:5]}")
        return 1 if errors else 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        from django.db import connections

        connections.close_all()
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
