"""Fault test: kill -9 a web process and a background worker in the middle of real work, then
check that nothing acknowledged was lost, nothing was duplicated and nothing was half-written.

Usage: .venv/bin/python -m bench.fault [--mode multi|single] [--database-url URL]
       [--redis-url URL] [--clients 4] [--seconds 15] [--drafts 400]

``--mode multi`` (the province deployment): two gunicorn servers, each on its own port (its own
master and workers), and two ``onewindow worker`` processes, against PostgreSQL (``--database-url``,
a throwaway database created and dropped) and Redis (``--redis-url``, a database number of its
own, emptied first) — or against SQLite when no URL is given. ``--mode single`` (the one-machine
default): ``onewindow run`` on SQLite, which is gunicorn's master, its workers and the background
child the master supervises.

What it does:
1. A scratch database, migrated, with the demo catalog and users (no cases), one item of the demo's
   market-supervision bureau reviewed in parallel by it (lead) and the housing bureau (one approval
   step each) whose result is a certificate, a clerk and an approver per bureau and an applicant,
   each with an API token, and ``--drafts`` drafts ready to submit (each with its material).
2. The servers and workers, with BACKGROUND_INTERVAL=1 so the periodic jobs (deemed acceptance,
   deemed consent, the supervision sweep, notification retries…) run all the time.
3. ``--clients`` threads, each taking the next draft through its whole life over the API: submit
   (with an ``Idempotency-Key``), accept (clerk), both departments' opinions (approvers), the grant
   (lead approver; the certificate is issued in its transaction). A request cut by a dead server
   is sent again with the same key (submission) or checked against the case (the other steps) on
   the other server (multi) or the same port (single, where gunicorn answers on a fresh worker).
4. At 40 % of ``--seconds``: kill -9 the whole process group of one web server (master and its
   workers) and one worker (multi), or one gunicorn worker and the background child (single).
5. At the end every process is stopped gracefully, then the checks: every acknowledged (2xx)
   submission exists exactly once under its number and key; no case got a number without a
   submission the clients made; ``onewindow integrity`` finds nothing (no duplicate case number,
   certificate serial, card or notification, no status without the rows it needs); with the
   periodic-run log (``core.JobRun``) every job ran once per period and no period was skipped;
   in single mode the background child was restarted and gunicorn replaced its worker.

Exit status 0 when every check holds; the figures and any failures are printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.client
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.cases_bench import PDF
from bench.harness import HOST, ROOT, free_port, queue, scratch_database, wait_healthy

ITEM_CODE = "FAULT-TEST-001"
APPROVE = [{"kind": "approve", "role": "approver"}]
LEAD, OTHER = "SCJG", "ZJJ"  # the demo's market-supervision bureau and housing bureau
KILL_AT = 0.4  # share of the run after which the kills happen
# How long a job may go without a run on top of the integrity check's three periods: a killed
# background child is back only once Python, Django and the jobs are loaded again (about 30 s on
# a busy 2-core machine), and a worker's loop runs the jobs one after the other (one pass can take
# several seconds at BACKGROUND_INTERVAL=1).
STALL_SLACK = 90.0


# --- seeding (in this process, before any server starts) ----------------------------------------
@dataclass
class Seeded:
    applicant: str  # API tokens
    clerk: str
    approvers: dict[int, str]  # department id → its approver's token
    lead: int  # the lead department's id
    drafts: list[int]


def seed(count: int) -> Seeded:
    """Migrate, load the demo catalog and users, then the fault item, its staff and drafts."""
    import django

    django.setup()
    from onewindow.core.commands import ensure_database
    from onewindow.demo.catalog import load_demo

    ensure_database()
    load_demo(cases=0)
    return _seed_item(count)


def _seed_item(count: int) -> Seeded:
    from django.core.files.uploadedfile import SimpleUploadedFile
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
        ProcessBranch,
        Region,
        RegionLevel,
        VersionStatus,
    )

    lead = Department.objects.get(code=LEAD)
    other = Department.objects.get(code=OTHER)
    region = Region.objects.filter(level=RegionLevel.CITY).first()
    assert region is not None
    item = Item.objects.create(code=ITEM_CODE, department=lead)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name="故障测试许可",
        legal_basis="故障测试",
        statutory_days=20,
        committed_days=10,
        consolidation_days=1,
        result_type="certificate",
        result_name="故障测试许可证",
        delivery_methods=["window"],
    )
    Material.objects.create(version=version, sort=1, name="申请书", is_core=True)
    ApplicationField.objects.create(
        version=version, sort=1, name="project_name", label="项目名称", type=FieldType.TEXT
    )
    for sort, (department, is_lead) in enumerate(((lead, True), (other, False)), start=1):
        ProcessBranch.objects.create(
            version=version,
            department=department,
            is_lead=is_lead,
            allotted_days=5,
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
            email=f"{name}@fault.invalid",
            phone="13900000001",
        )

    def token(account: User) -> str:
        return str(Token.objects.create(user=account).key)

    applicant = user("fault-applicant", Role.APPLICANT)
    clerk = user("fault-clerk", Role.CLERK, lead)
    approvers = {
        d.pk: token(user(f"fault-approver-{d.code}", Role.APPROVER, d)) for d in (lead, other)
    }

    form_data = {"project_name": "故障测试项目"}
    first = services.case_create_draft(
        item_version=version,
        applicant=applicant,
        created_by=applicant,
        region=region,
        form_data=form_data,
    )
    for line in first.materials.all():
        upload = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
        case_file_add(case_material=line, upload=upload, actor=applicant)
    lines = list(first.materials.prefetch_related("files"))
    drafts = [first.pk]
    batch = Case.objects.bulk_create(
        Case(
            item_version=version,
            department=lead,
            region=region,
            applicant=applicant,
            created_by=applicant,
            form_data=form_data,
        )
        for _ in range(1, count)
    )
    copies = CaseMaterial.objects.bulk_create(
        CaseMaterial(case=case, material_id=line.material_id) for case in batch for line in lines
    )
    stored = [line.files.all()[0].stored_id for line in lines]
    CaseFile.objects.bulk_create(
        CaseFile(case_material=copy, stored_id=stored[i % len(lines)])
        for i, copy in enumerate(copies)
    )
    drafts.extend(case.pk for case in batch)
    return Seeded(token(applicant), token(clerk), approvers, lead.pk, drafts)


# --- processes ------------------------------------------------------------------------------------
@dataclass
class Process:
    """A process started in a session of its own, so kill -9 of its group takes its children."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid


def start(name: str, command: list[str], env: dict[str, str], logs: Path) -> Process:
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            command,
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Process(name, popen, log)


def kill_group(process: Process) -> None:
    """kill -9 the process and everything in its process group (gunicorn's workers too)."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.popen.wait(timeout=20)


def stop_group(process: Process, timeout: float = 30.0) -> None:
    """SIGTERM to the group (graceful), SIGKILL for what is left after ``timeout`` seconds."""
    if process.popen.poll() is not None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # orphans of a killed master
        return
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.popen.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.popen.wait(timeout=10)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def children(pid: int) -> dict[int, str]:
    """The live children of ``pid`` and their command lines (from /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found[int(entry.name)] = cmdline
    return found


def web_command(port: int) -> list[str]:
    """One web server: ``onewindow web`` when there is one, else gunicorn on the WSGI app."""
    from bench.harness import gunicorn_command
    from onewindow.cli import build_parser

    command = ["web", "--port", str(port)]
    try:
        with open(os.devnull, "w") as quiet, redirect_stderr(quiet):
            build_parser().parse_args(command)
        return [str(Path(sys.executable).with_name("onewindow")), *command]
    except SystemExit:  # no ``onewindow web`` in this version
        pass

    return gunicorn_command("onewindow.wsgi:application", port)


# --- clients --------------------------------------------------------------------------------------
@dataclass
class Figures:
    acknowledged: dict[int, tuple[str, str]] = field(default_factory=dict)  # draft → number, key
    unanswered: set[int] = field(default_factory=set)  # submitted, but no 2xx ever came back
    accepted: int = 0
    opinions: int = 0
    granted: int = 0
    retries: int = 0
    abandoned: list[str] = field(default_factory=list)  # steps that failed for good
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class Failover:
    """The web servers in order of preference, the dead ones skipped for a while."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.down: dict[int, float] = {}

    def order(self, home: int) -> list[int]:
        ports = self.ports[home % len(self.ports) :] + self.ports[: home % len(self.ports)]
        now = time.monotonic()
        alive = [p for p in ports if self.down.get(p, 0) < now]
        return alive + [p for p in ports if p not in alive]

    def failed(self, port: int) -> None:
        if len(self.ports) > 1:
            self.down[port] = time.monotonic() + 5


class Client:
    """One user at a keyboard: keep-alive connections, a request sent again elsewhere when the
    connection breaks or the server answers 5xx/502 (a dying worker)."""

    def __init__(self, number: int, failover: Failover, figures: Figures) -> None:
        self.number = number
        self.failover = failover
        self.figures = figures
        self.connections: dict[int, http.client.HTTPConnection] = {}

    def call(
        self, method: str, path: str, token: str, body: dict[str, Any], key: str = ""
    ) -> tuple[int, dict[str, Any], bool]:
        """(status, JSON body, whether the request was sent more than once)."""
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        payload = json.dumps(body).encode()
        attempts = 0
        deadline = time.monotonic() + 30
        while True:
            for port in self.failover.order(self.number):
                attempts += 1
                conn = self.connections.get(port) or http.client.HTTPConnection(HOST, port, 30)
                self.connections[port] = conn
                try:
                    conn.request(method, path, body=payload, headers=headers)
                    response = conn.getresponse()
                    content = response.read()
                except OSError:
                    conn.close()
                    self.connections.pop(port, None)
                    self.failover.failed(port)
                    continue
                if response.status >= 500:
                    continue
                try:
                    data = json.loads(content) if content else {}
                except ValueError:
                    data = {"raw": content[:200].decode(errors="replace")}
                if attempts > 1:
                    with self.figures.lock:
                        self.figures.retries += 1
                return response.status, data, attempts > 1
            if time.monotonic() > deadline:
                return 0, {"error": "no server answered"}, True
            time.sleep(0.2)


def case_status(case_id: int) -> str:
    from django.db import close_old_connections

    from onewindow.cases.models import Case

    close_old_connections()
    return str(Case.objects.filter(pk=case_id).values_list("status", flat=True).first())


def task_done(task_id: int) -> bool:
    from onewindow.review.models import Task

    return Task.objects.filter(pk=task_id, status="done").exists()


def life_of_a_case(client: Client, seeded: Seeded, draft: int) -> None:
    """Submit, accept, the two opinions, the grant: each step over the API."""
    from onewindow.review.models import Task

    figures = client.figures
    key = uuid.uuid4().hex
    status, body, _again = client.call(
        "POST", f"/api/v1/cases/{draft}/submit/", seeded.applicant, {}, key
    )
    if status not in (200, 201):
        with figures.lock:
            figures.unanswered.add(draft)
            figures.abandoned.append(f"submit {draft}: {status} {body}")
        return
    with figures.lock:
        figures.acknowledged[draft] = (str(body["number"]), key)

    def step(
        name: str, path: str, token: str, data: dict[str, Any], done: Callable[[], bool]
    ) -> bool:
        status, body, again = client.call("POST", path, token, data)
        # A request sent twice may have been done the first time: the case says whether it was.
        if 200 <= status < 300 or (again and status in (400, 409) and done()):
            return True
        with figures.lock:
            figures.abandoned.append(f"{name} {draft}: {status} {str(body)[:200]}")
        return False

    if not step(
        "accept",
        f"/api/v1/intake/cases/{draft}/accept/",
        seeded.clerk,
        {},
        lambda: case_status(draft) != "submitted",
    ):
        return
    with figures.lock:
        figures.accepted += 1
    tasks = list(Task.objects.filter(case_id=draft).values_list("pk", "department_id"))
    for task_id, department_id in tasks:
        if not step(
            "opinion",
            f"/api/v1/review/tasks/{task_id}/opinion/",
            seeded.approvers[department_id],
            {"kind": "agree", "revision": 0},
            functools.partial(task_done, task_id),
        ):
            return
        with figures.lock:
            figures.opinions += 1
    if step(
        "decision",
        f"/api/v1/review/cases/{draft}/decision/",
        seeded.approvers[seeded.lead],
        {"kind": "grant"},
        lambda: case_status(draft) == "granted",
    ):
        with figures.lock:
            figures.granted += 1


def drive(seeded: Seeded, failover: Failover, clients: int, figures: Figures) -> Callable[[], None]:
    """Start ``clients`` threads taking drafts through their lives; returns the call that stops
    them (each finishes the case it is on) and waits for them."""
    from django.db import connections

    drafts = queue(seeded.drafts)
    stop = threading.Event()

    def work(number: int) -> None:
        client = Client(number, failover, figures)
        try:
            while not stop.is_set():
                try:
                    draft = drafts()
                except IndexError:
                    return
                life_of_a_case(client, seeded, draft)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()

    def halt() -> None:
        stop.set()
        for thread in threads:
            thread.join()

    return halt


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.3)
    return True


def ran_jobs(pid: int, after: dt.datetime | None = None) -> bool:
    """Whether the worker process ``pid`` has claimed a periodic run (after ``after``)."""
    from django.db import close_old_connections

    from onewindow.core.models import JobRun

    close_old_connections()
    runs = JobRun.objects.filter(pid=pid)
    return (runs.filter(started_at__gt=after) if after else runs).exists()


# --- the scenarios ----------------------------------------------------------------------------------
@dataclass
class Outcome:
    figures: Figures = field(default_factory=Figures)
    kills: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    restarts: list[str] = field(default_factory=list)
    killed_at: dt.datetime | None = None
    runs: int = 0  # periodic runs recorded during the test
    interrupted: int = 0  # of which cut by the kill (left ``running``)
    longest_gap: float = 0.0  # seconds between two runs of a job


@contextmanager
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    try:
        yield started
    finally:
        for process in started:
            stop_group(process)


def under_load(
    outcome: Outcome,
    seeded: Seeded,
    failover: Failover,
    args: argparse.Namespace,
    kill: Callable[[], None],
) -> None:
    """Drive the clients for ``--seconds``, calling ``kill`` at 40 % of them; ``kill`` waits for
    the survivors to take over, so the load goes on at least until they have."""
    began = time.monotonic()
    halt = drive(seeded, failover, args.clients, outcome.figures)
    try:
        time.sleep(args.seconds * KILL_AT)
        outcome.killed_at = dt.datetime.now(dt.UTC)
        kill()
        time.sleep(max(0.0, began + args.seconds - time.monotonic()))
    finally:
        halt()
    outcome.elapsed = time.monotonic() - began


def multi(seeded: Seeded, env: dict[str, str], logs: Path, args: argparse.Namespace) -> Outcome:
    """Two web servers and two workers; kill -9 one of each at 40 % of the run."""
    outcome = Outcome()
    ports = [free_port(), free_port()]
    with processes() as running:
        webs = [start(f"web{i}", web_command(port), env, logs) for i, port in enumerate(ports)]
        running.extend(webs)
        worker = [sys.executable, "-m", "onewindow.cli", "worker"]
        workers = [start(f"worker{i}", worker, env, logs) for i in range(2)]
        running.extend(workers)
        for web, port in zip(webs, ports, strict=True):
            with web.log.open("rb") as log:
                wait_healthy(port, web.popen, log, 120)  # type: ignore[arg-type]
        for process in workers:
            if not wait_for(functools.partial(ran_jobs, process.pid), 120):
                raise SystemExit(f"{process.name} ran no job within 120 s: see {process.log}")

        def kill() -> None:
            kill_group(webs[0])
            outcome.kills.append(f"web0 (gunicorn master {webs[0].pid} and its workers)")
            kill_group(workers[0])
            outcome.kills.append(f"worker0 ({workers[0].pid})")
            if not wait_for(lambda: ran_jobs(workers[1].pid, outcome.killed_at), 60):
                outcome.failures.append("worker1 ran no periodic job after the kill")

        under_load(outcome, seeded, Failover(ports), args, kill)
        outcome.failures.extend(
            f"{p.name} exited early ({p.popen.returncode})"
            for p in (webs[1], workers[1])
            if p.popen.poll() is not None
        )
    return outcome


def single(seeded: Seeded, env: dict[str, str], logs: Path, args: argparse.Namespace) -> Outcome:
    """``onewindow run``; kill -9 one gunicorn worker and the background child at 40 %."""
    outcome = Outcome()
    port = free_port()
    binary = str(Path(sys.executable).with_name("onewindow"))
    with processes() as running:
        run = start("run", [binary, "run", "--no-demo", "--port", str(port)], env, logs)
        running.append(run)
        with run.log.open("rb") as log:
            wait_healthy(port, run.popen, log, 120)  # type: ignore[arg-type]

        def split() -> tuple[list[int], list[int]]:
            kids = children(run.pid)
            background = [pid for pid, cmd in kids.items() if "onewindow.cli worker" in cmd]
            return [pid for pid in kids if pid not in background], background

        _web, background = split()
        if len(background) != 1 or not wait_for(lambda: ran_jobs(background[0]), 120):
            raise SystemExit(f"no background child running jobs: {children(run.pid)}")

        def kill() -> None:
            web, background = split()
            os.kill(web[0], signal.SIGKILL)
            outcome.kills.append(f"gunicorn worker {web[0]}")
            os.kill(background[0], signal.SIGKILL)
            outcome.kills.append(f"background child {background[0]}")

            def recovered() -> bool:
                now_web, now_background = split()
                return (
                    len(now_background) == 1
                    and now_background[0] != background[0]
                    and len(now_web) == len(web)
                    and web[0] not in now_web
                    and ran_jobs(now_background[0], outcome.killed_at)
                )

            if wait_for(recovered, 90):
                now_web, now_background = split()
                outcome.restarts.append(
                    f"background child {now_background[0]} (running jobs again), "
                    f"web workers {sorted(now_web)}"
                )
            else:
                outcome.failures.append(f"not restarted within 90 s: {children(run.pid)}")

        under_load(outcome, seeded, Failover([port]), args, kill)
        if run.popen.poll() is not None:
            outcome.failures.append(f"onewindow run exited ({run.popen.returncode})")
    return outcome


# --- the checks ---------------------------------------------------------------------------------
def check(outcome: Outcome, since: dt.datetime) -> list[str]:
    """What must hold after the run; each broken promise is one line."""
    from django.db import connections

    from onewindow.cases.models import Case, SubmissionKey
    from onewindow.stats.integrity import CHECKS, stalled_jobs

    connections.close_all()
    failures = list(outcome.failures)
    figures = outcome.figures
    for draft, (number, key) in sorted(figures.acknowledged.items()):
        rows = list(Case.objects.filter(number=number).values_list("pk", flat=True))
        if rows != [draft]:
            failures.append(f"acknowledged submission {number} (draft {draft}) found as {rows}")
        if SubmissionKey.objects.filter(key=key).values_list("case_id", flat=True)[::1] != [draft]:
            failures.append(f"idempotency key of {number} not stored once for its case")
    numbered = set(Case.objects.exclude(number=None).values_list("pk", flat=True))
    unexplained = numbered - set(figures.acknowledged) - figures.unanswered
    if unexplained:
        failures.append(
            f"cases numbered without a submission by the clients: {sorted(unexplained)}"
        )
    # Stalls are judged in ``job_runs``, allowing for the restart a kill forces.
    checks = [c for c in CHECKS if c is not stalled_jobs]
    failures.extend(f"integrity: {finding}" for c in checks if (finding := c()) is not None)
    failures.extend(job_runs(outcome, since))
    if not outcome.kills:
        failures.append("nothing was killed")
    if not figures.acknowledged:
        failures.append("no submission was acknowledged")
    return failures


def job_runs(outcome: Outcome, since: dt.datetime) -> list[str]:
    """Each periodic job once per period (core.JobRun's constraint, checked again), never stalled
    for long, and every job of the short interval ran again after the kill: the surviving worker
    (multi) or the restarted background child (single) took over. Runs cut by the kill stay
    ``running``; a run that failed is a failure."""
    from django.conf import settings

    from onewindow.core.jobs import jobs_import
    from onewindow.core.models import JobOutcome, JobRun
    from onewindow.stats.integrity import job_period, job_period_twice, stalled_jobs

    runs = JobRun.objects.filter(period_start__gte=since)
    outcome.runs = runs.count()
    starts: dict[str, list[dt.datetime]] = {}
    for name, start in runs.order_by("period_start").values_list("name", "period_start"):
        starts.setdefault(name, []).append(start)
    outcome.longest_gap = max(
        ((b - a).total_seconds() for s in starts.values() for a, b in itertools.pairwise(s)),
        default=0.0,
    )
    outcome.interrupted = runs.filter(outcome=JobOutcome.RUNNING).count()
    failures = [
        f"periodic jobs: {f}"
        for f in (job_period_twice(), stalled_jobs(since=since, slack=STALL_SLACK))
        if f
    ]
    failures.extend(
        f"periodic job {name} failed: {error}"
        for name, error in runs.filter(outcome=JobOutcome.FAILED).values_list("name", "error")[:5]
    )
    if outcome.killed_at is None:
        return failures
    frequent = [
        name
        for name, job in jobs_import().items()
        if job.per_period and job_period(job) <= settings.BACKGROUND_INTERVAL
    ]
    for name in frequent:
        if not runs.filter(name=name, period_start__gt=outcome.killed_at).exists():
            failures.append(f"periodic job {name} did not run after the kill")
    return failures


def report(mode: str, database: str, seeded: Seeded, outcome: Outcome, failures: list[str]) -> None:
    f = outcome.figures
    print(f"fault test ({mode}, {database}): {len(seeded.drafts)} drafts, {outcome.elapsed:.1f} s")
    print(
        f"  submissions acknowledged {len(f.acknowledged)}, unanswered {len(f.unanswered)}; "
        f"accepted {f.accepted}, opinions {f.opinions}, granted {f.granted}; "
        f"requests sent again {f.retries}"
    )
    print(f"  killed: {'; '.join(outcome.kills) or 'nothing'}")
    print(
        f"  periodic runs recorded {outcome.runs} (cut by the kill, left running: "
        f"{outcome.interrupted}); longest wait between two runs of a job "
        f"{outcome.longest_gap:.0f} s"
    )
    if outcome.restarts:
        print(f"  restarted: {'; '.join(outcome.restarts)}")
    if f.abandoned:
        print(f"  steps given up ({len(f.abandoned)}): {f.abandoned[:5]}")
    for line in failures:
        print(f"  FAILED: {line}")
    print("  result: " + ("FAILED" if failures else "every check holds"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--mode", choices=["multi", "single"], default="multi")
    parser.add_argument("--database-url", default="", help="PostgreSQL scratch database URL")
    parser.add_argument("--redis-url", default="", help="Redis URL with a database of its own")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--drafts", type=int, default=400)
    args = parser.parse_args(argv)
    if args.mode == "single" and args.database_url:
        parser.error("--mode single is the one-machine SQLite mode")

    env, cleanup = scratch_database(args.database_url)
    env.update(
        BACKGROUND_INTERVAL="1",
        WEB_WORKERS="1" if args.mode == "multi" else "2",
        WEB_THREADS="4",
        NOTIFY_RETRY_SECONDS="1",
    )
    if args.redis_url:
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        env["REDIS_URL"] = args.redis_url
    os.environ.update(env)
    logs = Path(tempfile.mkdtemp(prefix="ow-fault-logs-"))
    try:
        began = time.monotonic()
        seeded = seed(args.drafts)
        print(f"seeded in {time.monotonic() - began:.0f} s", flush=True)
        since = dt.datetime.now(dt.UTC)
        from django.conf import settings
        from django.db import connections

        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        connections.close_all()
        scenario = multi if args.mode == "multi" else single
        outcome = scenario(seeded, env, logs, args)
        failures = check(outcome, since)
        report(args.mode, database, seeded, outcome, failures)
        if failures:
            print(f"  process logs: {logs}")
        return 1 if failures else 0
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
