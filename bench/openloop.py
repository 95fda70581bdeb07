"""Latency at half load with open-loop arrivals: submission, acceptance, task completion, the
progress query and the reviewer inbox with 100,000 open tasks, on the real server.

Usage: .venv/bin/python -m bench.openloop [--database-url URL] [--seconds 20]
       [--saturation-seconds 10] [--open-tasks 100000] [--json-out PATH]

Closed-loop clients (the harness's ``run_clients``) send the next request only when the last one
is answered: when the server slows down they slow down with it and the requests that would have
queued are never sent, so their waiting is not measured (coordinated omission). Here arrivals
follow a schedule fixed in advance (Poisson: exponential gaps at the given rate, from a seeded
random generator; or evenly spaced), whatever the server does. A dispatcher thread hands each
request to an idle connection at its scheduled time and opens another connection (up to
``MAX_CONNECTIONS``) when none is idle, so a slow response never delays the next send; the
latency of a request runs from its **scheduled** time to the end of its response, so time spent
waiting for a connection or a worker counts. The dispatcher's own lateness is reported too.

For each kind of request: the saturation rate is the closed-loop throughput of
``--saturation-clients`` clients over ``--saturation-seconds``; then the open-loop run sends at
half that rate for ``--seconds`` and reports p50 / p99 (the goal: p99 ≤ 100 ms for the
three writes, ≤ 50 ms for the progress query and the inbox).

Data: bench/overhead_bench.py's item (two parallel departments), users with tokens and drafts;
``--open-tasks / 2`` cases in review bulk-copied from one accepted through the real API (two open
tasks each, due dates spread over five weeks) for the inbox and the completions (the lead's task
then the co-department's, so every second completion is the join). Acceptances take cases the
submissions submitted; when too few are left, more drafts are submitted first (not measured).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import http.client
import json
import math
import os
import random
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bench.harness import (
    HOST,
    Call,
    Make,
    Tally,
    free_port,
    gunicorn_command,
    run_clients,
    scratch_database,
    server_description,
    serving,
)
from bench.overhead_bench import OPINION, Seeded, post, seed

MAX_CONNECTIONS = 256
GOALS = {"write": 100.0, "read": 50.0}  # p99 ms, the latency goal (docs/BENCHMARKS.md)


# --- the load generator ------------------------------------------------------------------------
@dataclass
class OpenTally(Tally):
    """A ``Tally`` of an open-loop run, with the rate asked for and the generator's own figures."""

    rate: float = 0.0
    scheduled: int = 0
    connections: int = 0
    late_ms: list[float] = field(default_factory=list)  # dispatch time - scheduled time
    exhausted: bool = False  # ``make`` ran out of work before the schedule did

    @property
    def max_late_ms(self) -> float:
        return max(self.late_ms, default=0.0)


def schedule(rate: float, seconds: float, *, poisson: bool = True, seed: int = 15) -> list[float]:
    """Send times (seconds from the start) at ``rate`` per second over ``seconds``."""
    if rate <= 0:
        return []
    if not poisson:
        return [n / rate for n in range(int(seconds * rate))]
    rng, times, at = random.Random(seed), list[float](), 0.0
    while True:
        at += rng.expovariate(rate)
        if at >= seconds:
            return times
        times.append(at)


def open_loop(
    port: int, rate: float, seconds: float, make: Make, *, poisson: bool = True
) -> OpenTally:
    """Send ``make()`` at the times of ``schedule(rate, seconds)``; latency from scheduled time."""
    tally = OpenTally(rate=rate)
    times = schedule(rate, seconds, poisson=poisson)
    tally.scheduled = len(times)
    work: collections.deque[tuple[float, Call] | None] = collections.deque()
    ready = threading.Condition()
    idle = [0]
    workers: list[threading.Thread] = []

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        while True:
            with ready:
                idle[0] += 1
                while not work:
                    ready.wait()
                idle[0] -= 1
                item = work.popleft()
            if item is None:  # the end
                conn.close()
                return
            due, call = item
            try:
                try:
                    conn.request(call.method, call.path, body=call.body, headers=call.headers)
                    response = conn.getresponse()
                except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                    # The server closed a keep-alive connection left idle between arrivals
                    # (gunicorn's keep-alive is 2 s): open another and send again, as a browser
                    # does; the time it takes counts in the latency.
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=60)
                    conn.request(call.method, call.path, body=call.body, headers=call.headers)
                    response = conn.getresponse()
                content = response.read()
            except OSError as exc:
                tally.add(0, f"{call.path}: {exc}")
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                continue
            elapsed = time.perf_counter() - due
            failed = f"{call.path}: {response.status} {content[:200].decode(errors='replace')}"
            tally.add(elapsed, "" if response.status in call.ok else failed)

    def spawn() -> None:
        thread = threading.Thread(target=worker, daemon=True)
        thread.start()
        workers.append(thread)

    for _ in range(min(MAX_CONNECTIONS, max(4, math.ceil(rate * 0.2)))):
        spawn()
    begin = time.perf_counter() + 0.05
    for offset in times:
        due = begin + offset
        try:
            call = make()  # before the wait: preparing a request is not the server's time
        except IndexError:
            tally.exhausted = True
            break
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        with ready:
            tally.late_ms.append((time.perf_counter() - due) * 1000)
            work.append((due, call))
            if idle[0] < len(work) and len(workers) < MAX_CONNECTIONS:
                spawn()  # nobody free to send it now: one more connection
            ready.notify()
    with ready:
        work.extend([None] * len(workers))
        ready.notify_all()
    for thread in workers:
        thread.join(timeout=120)
    tally.elapsed = time.perf_counter() - begin
    tally.connections = len(workers)
    return tally


# --- the data ----------------------------------------------------------------------------------
@dataclass
class Data:
    seeded: Seeded
    drafts: collections.deque[int]
    tasks: collections.deque[tuple[int, int]]  # (task, department), per case lead first
    dept_a: int
    accepting: collections.deque[int] = field(default_factory=collections.deque)


def prepare(drafts: int, open_tasks: int) -> Data:
    """The overhead bench's seed plus ``open_tasks / 2`` cases in review (bulk copies)."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from onewindow.cases.models import Case, CaseStatus
    from onewindow.review.models import Task

    seeded = seed(drafts)
    template_id = seeded.real.pop()
    client = Client()
    for path, token in (
        (f"/api/v1/cases/{template_id}/submit/", seeded.applicant),
        (f"/api/v1/intake/cases/{template_id}/accept/", seeded.clerk),
    ):
        response = client.post(
            path,
            b"{}",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        assert response.status_code < 300, response.content
    first = Case.objects.get(pk=template_id)
    template = list(Task.objects.filter(case=first).order_by("-is_lead"))
    today = dt.date.today()
    rng = random.Random(15)
    for start in range(0, open_tasks // 2, 2000):
        batch = Case.objects.bulk_create(
            Case(
                number=f"BENCH{n:010d}",
                query_code="BENCH",
                item_version_id=first.item_version_id,
                department_id=first.department_id,
                region_id=first.region_id,
                applicant_id=first.applicant_id,
                created_by_id=first.created_by_id,
                status=CaseStatus.IN_REVIEW,
                received_on=first.received_on,
                accepted_on=first.accepted_on,
                decision_due=first.decision_due,
                statutory_due=first.statutory_due,
            )
            for n in range(start, min(open_tasks // 2, start + 2000))
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
                due=today + dt.timedelta(days=rng.randint(-5, 30)),
            )
            for case in batch
            for t in template
        )
    if connection.vendor == "postgresql":  # what autovacuum does to tables this size
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE review_task")
            cursor.execute("VACUUM ANALYZE cases_case")
    rows = (
        Task.objects.filter(status="open", case__number__startswith="BENCH")
        .order_by("case_id", "-is_lead")
        .values_list("pk", "department_id")
    )
    return Data(
        seeded,
        collections.deque(seeded.real + seeded.bare),
        collections.deque(rows.iterator()),
        template[0].department_id,
    )


def submitted() -> collections.deque[int]:
    from onewindow.cases.models import Case, CaseStatus

    rows = Case.objects.filter(status=CaseStatus.SUBMITTED).order_by("pk")
    return collections.deque(rows.values_list("pk", flat=True))


def progress_targets() -> list[tuple[str, str]]:
    from onewindow.cases.models import Case

    rows = Case.objects.exclude(number=None).exclude(query_code="BENCH")
    return [(str(n), str(c)) for n, c in rows.values_list("number", "query_code")]


# --- the requests ------------------------------------------------------------------------------
def makers(data: Data, inbox_pages: int = 50) -> dict[str, Make]:
    """One ``Make`` per kind; writes pop their work (``IndexError`` when none is left)."""
    s = data.seeded
    targets: list[list[tuple[str, str]]] = []

    def submit() -> Call:
        return post(f"/api/v1/cases/{data.drafts.popleft()}/submit/", s.applicant, ok=201)

    def accept() -> Call:
        return post(f"/api/v1/intake/cases/{data.accepting.popleft()}/accept/", s.clerk)

    def complete() -> Call:
        task, department = data.tasks.popleft()
        path = f"/api/v1/review/tasks/{task}/opinion/"
        return post(path, s.approvers[department], OPINION)

    def progress() -> Call:
        if not targets:
            targets.append(progress_targets())
        number, code = random.choice(targets[0])
        return Call("GET", f"/progress/?{urlencode({'number': number, 'code': code})}")

    def inbox() -> Call:
        auth = {"Authorization": f"Token {s.approvers[data.dept_a]}"}
        return Call(
            "GET", f"/api/v1/review/inbox/?page={random.randint(1, inbox_pages)}", None, auth
        )

    return {
        "submission": submit,
        "acceptance": accept,
        "task completion": complete,
        "progress query": progress,
        "reviewer inbox": inbox,
    }


@dataclass
class Result:
    kind: str
    saturation: float  # closed-loop requests per second
    run: OpenTally
    goal_ms: float

    @property
    def met(self) -> bool:
        return bool(self.run.latencies) and not self.run.errors and self.run.p99_ms <= self.goal_ms


def top_up(port: int, data: Data, need: int) -> None:
    """Submit drafts (not measured) until ``need`` cases wait for acceptance."""
    have = len(submitted())
    if have < need:
        pending = min(need - have, len(data.drafts))
        token = data.seeded.applicant
        calls = [
            post(f"/api/v1/cases/{data.drafts.popleft()}/submit/", token, ok=201)
            for _ in range(pending)
        ]
        run_clients(port, 8, collections.deque(calls).popleft)
    data.accepting.clear()
    data.accepting.extend(submitted())


def measure_kind(
    port: int, data: Data, kind: str, make: Make, args: argparse.Namespace, hint: float
) -> Result:
    """Saturation (closed loop), then the open-loop run at half of it. ``hint``: a rate the
    acceptances' saturation run is unlikely to exceed (twice the submissions'), to top up for."""
    goal = GOALS["write" if kind in ("submission", "acceptance", "task completion") else "read"]
    if kind == "acceptance":
        top_up(port, data, int(hint * args.saturation_seconds) + 20)
    sat = run_clients(port, args.saturation_clients, make, args.saturation_seconds)
    rate = max(sat.per_second / 2, args.min_requests / args.seconds)
    if kind == "acceptance":
        top_up(port, data, int(rate * args.seconds * 1.2) + 20)
    time.sleep(1.0)  # let the closed-loop run's stragglers finish
    run = open_loop(port, rate, args.seconds, make, poisson=not args.uniform)
    return Result(kind, sat.per_second, run, goal)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL scratch database URL")
    parser.add_argument("--seconds", type=float, default=20.0, help="open-loop run per kind")
    parser.add_argument("--saturation-seconds", type=float, default=10.0)
    parser.add_argument("--saturation-clients", type=int, default=16)
    parser.add_argument("--open-tasks", type=int, default=100_000)
    parser.add_argument("--drafts", type=int, default=1500, help="per half of the pool")
    parser.add_argument("--uniform", action="store_true", help="evenly spaced, not Poisson")
    parser.add_argument(
        "--min-requests", type=int, default=3, help="per open-loop run, whatever the rate"
    )
    parser.add_argument("--inbox-pages", type=int, default=50, help="inbox pages to ask for")
    parser.add_argument("--only", default="", help="comma-separated kinds (default: all)")
    parser.add_argument("--json-out", default="")
    args = parser.parse_args()

    env, cleanup = scratch_database(args.database_url)
    os.environ.update(env)
    started, begun = time.perf_counter(), dt.datetime.now(dt.UTC)
    try:
        data = prepare(args.drafts, args.open_tasks)
        seed_seconds = time.perf_counter() - started
        port = free_port()
        command = gunicorn_command("bench.overhead_bench:bench_application()", port)
        with serving(command, env, port):
            run_clients(port, 8, lambda: Call("GET", "/progress/"), 1.0)  # warm up
            results: list[Result] = []
            loads: list[float] = []
            for kind, make in makers(data, args.inbox_pages).items():
                if args.only and kind not in args.only.split(","):
                    continue
                loads.append(os.getloadavg()[0])
                hint = 2 * max((r.saturation for r in results), default=30.0)
                results.append(measure_kind(port, data, kind, make, args, hint))
                print_result(results[-1], loads[-1])
            return report(results, loads, args, seed_seconds, started, begun)
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()


def print_result(r: Result, load: float) -> None:
    t = r.run
    status = "met" if r.met else "NOT met"
    print(
        f"  {r.kind:<16} saturation {r.saturation:6.1f}/s; at {t.rate:6.1f}/s open loop: "
        f"p50 {t.p50_ms:7.1f} ms  p99 {t.p99_ms:7.1f} ms (goal <= {r.goal_ms:.0f}: {status}); "
        f"{len(t.latencies)}/{t.scheduled} ok, {len(t.errors)} errors, {t.connections} conns, "
        f"dispatch late max {t.max_late_ms:.1f} ms{', RAN OUT' if t.exhausted else ''}; "
        f"load {load:.2f}",
        flush=True,
    )
    if t.errors:
        print(f"    errors e.g. {t.errors[:3]}")


def report(
    results: list[Result],
    loads: list[float],
    args: argparse.Namespace,
    seed_seconds: float,
    started: float,
    begun: dt.datetime,
) -> int:
    from django.db import connection

    print(
        f"database: {connection.vendor}; seeded in {seed_seconds:.0f} s; {server_description()}; "
        f"{os.cpu_count()} CPUs"
    )
    if args.json_out:
        rows: list[dict[str, Any]] = []
        for r in results:
            for name, value, goal in (
                ("p50", r.run.p50_ms, None),
                ("p99", r.run.p99_ms, r.goal_ms),
            ):
                rows.append(
                    {
                        "measure": f"{r.kind} {name} at half load ({r.run.rate:.1f}/s open loop)",
                        "unit": "ms",
                        "value": round(value, 1),
                        "baseline": None,
                        "baseline_name": None,
                        "ratio": None,
                        "ratio_note": None,
                        "goal": f"≤ {goal:.0f} ms" if goal else None,
                        "met": r.met if goal else None,
                    }
                )
            rows.append(
                {
                    "measure": f"{r.kind} saturation (closed loop, {args.saturation_clients} "
                    "clients)",
                    "unit": "/s",
                    "value": round(r.saturation, 1),
                    "baseline": None,
                    "baseline_name": None,
                    "ratio": None,
                    "ratio_note": None,
                    "goal": None,
                    "met": None,
                }
            )
        notes = [
            f"load average (1 min) at the start of each kind: "
            f"{', '.join(f'{x:.2f}' for x in loads)} on {os.cpu_count()} CPUs",
            f"{'evenly spaced' if args.uniform else 'Poisson'} arrivals; latency from the "
            "scheduled send time (coordinated omission counted)",
        ]
        for r in results:
            if r.run.errors or r.run.exhausted:
                notes.append(
                    f"{r.kind}: {len(r.run.errors)} errors"
                    f"{', ran out of work' if r.run.exhausted else ''}"
                )
        payload = {
            "bench": "openloop",
            "title": "Latency at half load (open-loop arrivals)",
            "database": connection.vendor,
            "scale": f"{args.open_tasks} open tasks; {args.seconds:.0f} s open loop per kind at "
            f"half the closed-loop saturation rate; {server_description()}",
            "started": begun.isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 1),
            "rows": rows,
            "notes": notes,
        }
        with open(args.json_out, "w", encoding="utf-8") as out:
            json.dump(payload, out, indent=2, ensure_ascii=False)
    return 1 if any(r.run.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
