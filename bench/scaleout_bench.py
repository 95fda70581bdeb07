"""Scale-out: throughput of 2 web processes against 1 on PostgreSQL, each pinned to one core
(the goal: ≥ 1.7×).

Usage: .venv/bin/python -m bench.scaleout_bench [--database-url URL] [--seconds 10]
       [--clients 16] [--rounds 2] [--drafts 6000] [--json-out PATH]

What it does:
1. Prepares a scratch PostgreSQL database (--database-url, default the TEST_DATABASE_URL server
   with the database ``ow_scaleout_bench``; created and dropped by this run) and seeds it like
   ``bench.cases_bench``: one item, an applicant with an API token and ``--drafts`` drafts ready
   to submit.
2. Starts web processes as ``onewindow run`` would (gunicorn, gthread, one worker process each
   with WEB_THREADS threads), each under ``taskset -c N``: one process on core 0; then two
   processes, on cores 0 and 1, each on its own port, the clients split evenly between them
   (what a round-robin balancer does, without one in the way).
3. Two workloads, the same ``--clients`` closed-loop clients (``bench.harness.run_clients``,
   keep-alive) for ``--seconds`` each: the progress query API (a read) and the submission API
   (a write: number, deadlines, event, outbox). The 1- and 2-process set-ups alternate
   ``--rounds`` times; requests per second are summed over the rounds.
4. Accounts for where the CPU went, from /proc: the web processes, this load generator (its own
   CPU time) and the PostgreSQL backends serving this database. On a 2-core machine the
   generator and PostgreSQL share the web processes' cores, so beside the raw ratio it gives
   requests per web-CPU-second (what a third core per process would let scale) and the share of
   the machine each part used.

Run on a shared machine the absolute figures are noisy; the ratio within one run is the figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

from bench.harness import Call, Make, Tally, free_port, run_clients, scratch_database, serving

GOAL = 1.7
TICKS = os.sysconf("SC_CLK_TCK")


# --- CPU accounting from /proc -------------------------------------------------------------------
def _cpu_seconds(pid: int) -> float:
    """utime + stime of one process (all its threads), in seconds; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(entry.name))
    return found


def _backends(database: str) -> list[int]:
    """PostgreSQL backends connected to ``database`` (their title names it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if title.startswith("postgres:") and f" {database} " in title:
                pids.append(int(entry.name))
    return pids


@dataclass
class Usage:
    """CPU seconds used during a measurement, by part."""

    web: float = 0.0
    generator: float = 0.0
    database: float = 0.0
    wall: float = 0.0

    def add(self, other: Usage) -> None:
        self.web += other.web
        self.generator += other.generator
        self.database += other.database
        self.wall += other.wall


@contextmanager
def accounting(web_pids: list[int], database: str) -> Iterator[Usage]:
    usage = Usage()
    web = [p for pid in web_pids for p in (pid, *_children(pid))]
    web_before = {p: _cpu_seconds(p) for p in web}
    db_before = {p: _cpu_seconds(p) for p in _backends(database)}
    gen_before, wall_before = time.process_time(), time.perf_counter()
    yield usage
    usage.wall = time.perf_counter() - wall_before
    usage.generator = time.process_time() - gen_before
    usage.web = sum(_cpu_seconds(p) - web_before[p] for p in web)
    db_after = {p: _cpu_seconds(p) for p in _backends(database)}
    usage.database = sum(v - db_before.get(p, 0.0) for p, v in db_after.items())


# --- the servers ---------------------------------------------------------------------------------
def web_command(port: int, core: int) -> list[str]:
    from django.conf import settings

    return [
        "taskset",
        "-c",
        str(core),
        str(Path(sys.executable).with_name("gunicorn")),
        "bench.cases_bench:bench_application()",
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        "1",
        "--threads",
        str(settings.WEB_THREADS),
        "--log-level",
        "warning",
    ]


@contextmanager
def web_processes(count: int, env: dict[str, str]) -> Iterator[tuple[list[int], list[int]]]:
    """``count`` web processes on cores 0..count-1; yields (ports, pids)."""
    with ExitStack() as stack:
        ports, pids = [], []
        for core in range(count):
            port = free_port()
            server = stack.enter_context(serving(web_command(port, core), env, port))
            ports.append(port)
            pids.append(server.pid)
        for port in ports:  # warm every worker thread: imports, caches, connections
            run_clients(port, 4, lambda: Call("GET", "/progress/"), 1.0)
        yield ports, pids


def spread(ports: list[int], clients: int, make: Make, seconds: float) -> Tally:
    """``clients`` split evenly over ``ports``, all for ``seconds``; one tally."""
    tallies = [Tally() for _p in ports]
    share = [clients // len(ports) + (i < clients % len(ports)) for i in range(len(ports))]

    def drive(i: int) -> None:
        tallies[i] = run_clients(ports[i], share[i], make, seconds)

    threads = [threading.Thread(target=drive, args=(i,)) for i in range(len(ports))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Tally()
    for t in tallies:
        total.latencies.extend(t.latencies)
        total.errors.extend(t.errors)
    total.elapsed = max(t.elapsed for t in tallies)
    return total


# --- the measurement -----------------------------------------------------------------------------
@dataclass
class Result:
    tally: Tally = field(default_factory=Tally)
    usage: Usage = field(default_factory=Usage)

    @property
    def rate(self) -> float:
        return self.tally.per_second


def workloads(seeded: Any, cases: list[tuple[str, str]], drafts: Any) -> dict[str, Make]:
    """The two workloads; ``drafts`` pops the next unsubmitted draft (shared, each used once)."""
    auth = {"Authorization": f"Token {seeded.token}", "Content-Type": "application/json"}

    def progress() -> Call:
        number, code = random.choice(cases)
        return Call("GET", f"/api/v1/progress/?{urlencode({'number': number, 'code': code})}")

    def submit() -> Call:
        headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
        return Call("POST", f"/api/v1/cases/{drafts()}/submit/", b"{}", headers, (201,))

    return {"progress query": progress, "submission": submit}


def measure(args: argparse.Namespace, env: dict[str, str], database: str) -> dict[str, Any]:
    from bench.cases_bench import seed, submitted_cases
    from bench.harness import queue

    seeded = seed(args.drafts)
    drafts = queue(seeded.drafts)
    # Some submitted cases for the progress query to look up.
    with web_processes(1, env) as (ports, _pids):
        run_clients(ports[0], 4, workloads(seeded, [], drafts)["submission"], 3.0)
    cases = submitted_cases()
    makers = workloads(seeded, cases, drafts)
    results = {(name, n): Result() for name in makers for n in (1, 2)}
    for _round in range(args.rounds):
        for n in (1, 2) if _round % 2 == 0 else (2, 1):
            with web_processes(n, env) as (ports, pids):
                for name, make in makers.items():
                    with accounting(pids, database) as usage:
                        tally = spread(ports, args.clients, make, args.seconds)
                    results[name, n].tally.extend(tally)
                    results[name, n].usage.add(usage)
    return {"results": results, "cases": len(cases)}


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def report(
    results: dict[tuple[str, int], Result],
    args: argparse.Namespace,
    started: str,
    seconds: float,
    load: str,
) -> dict[str, Any]:
    cpus = os.cpu_count() or 1
    print(
        f"{cpus} CPUs; load average at start {load}; {args.clients} clients, {args.seconds:g} s x {args.rounds} rounds"
    )
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for name in dict.fromkeys(n for n, _k in results):
        one, two = results[name, 1], results[name, 2]
        ratio = two.rate / one.rate if one.rate else float("nan")
        per_cpu = [
            r.tally.per_second * r.tally.elapsed / r.usage.web if r.usage.web else float("nan")
            for r in (one, two)
        ]
        print(f"{name}:")
        for n, r in ((1, one), (2, two)):
            u = r.usage
            print(
                f"  {n} process{'es' if n > 1 else ''}: {r.rate:7.1f}/s  p50 {r.tally.p50_ms:6.1f} ms  "
                f"p99 {r.tally.p99_ms:6.1f} ms  errors {len(r.tally.errors)}; CPU share of the machine: "
                f"web {u.web / u.wall / cpus:.0%}, generator {u.generator / u.wall / cpus:.0%}, "
                f"PostgreSQL {u.database / u.wall / cpus:.0%}"
            )
        print(
            f"  ratio 2/1: {ratio:.2f} (goal ≥ {GOAL}: {'met' if ratio >= GOAL else 'NOT met'}); "
            f"requests per web-CPU-second {per_cpu[0]:.0f} / {per_cpu[1]:.0f}"
        )
        rows.append(
            {
                "measure": f"{name}: throughput, 2 web processes",
                "unit": "/s",
                "value": round(two.rate, 1),
                "baseline": round(one.rate, 1),
                "baseline_name": "1 web process, same run",
                "ratio": round(ratio, 3),
                "ratio_note": "2 processes / 1 (higher is better)",
                "goal": f"≥ {GOAL}×",
                "met": ratio >= GOAL,
            }
        )
        for n, r in ((1, one), (2, two)):
            u = r.usage
            busy = (u.web + u.generator + u.database) / u.wall if u.wall else float("nan")
            rows.append(
                {
                    "measure": f"{name}: {n} process{'es' if n > 1 else ''}, cores busy (web + generator + PostgreSQL)",
                    "unit": "cores",
                    "value": round(busy, 2),
                    "baseline": float(cpus),
                    "baseline_name": "cores of the machine",
                    "ratio": None,
                    "ratio_note": (
                        f"web {u.web / u.wall:.2f}, generator {u.generator / u.wall:.2f}, "
                        f"PostgreSQL {u.database / u.wall:.2f} cores"
                    ),
                    "goal": None,
                    "met": None,
                }
            )
        cpu_ratio = per_cpu[1] / per_cpu[0] if per_cpu[0] else float("nan")
        rows.append(
            {
                "measure": f"{name}: requests per web-CPU-second, 2 processes",
                "unit": "/CPU s",
                "value": round(per_cpu[1], 1),
                "baseline": round(per_cpu[0], 1),
                "baseline_name": "1 process",
                "ratio": round(cpu_ratio, 3),
                "ratio_note": "2 / 1: ≈1 means the web processes themselves scale linearly; "
                "the shortfall of the raw ratio is the cores they share",
                "goal": None,
                "met": None,
            }
        )
        notes.append(
            f"{name}: the ratio with the generator's and PostgreSQL's CPU accounted for "
            f"(throughput per web-CPU-second, 2 / 1) is {cpu_ratio:.2f}."
        )
    notes.append(
        f"This machine has {cpus} cores: the load generator (Python threads, this process) and "
        "PostgreSQL run on the same cores as the pinned web processes, so two web processes "
        "cannot have a core each to themselves; the shares above say how the cores were split."
    )
    return {
        "bench": "scaleout",
        "title": "Scale-out: 2 web processes against 1 (PostgreSQL, taskset one core each)",
        "database": "postgresql",
        "scale": f"{args.clients} closed-loop clients, {args.seconds:g} s x {args.rounds} rounds per set-up",
        "started": started,
        "seconds": round(seconds, 1),
        "load": load,
        "rows": rows,
        "notes": notes,
    }


def default_url() -> str:
    base = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    return urlparse(base)._replace(path="/ow_scaleout_bench").geturl()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL scratch database URL")
    parser.add_argument("--seconds", type=float, default=10.0, help="per workload and set-up")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--drafts", type=int, default=6000, help="drafts ready to submit")
    parser.add_argument("--json-out", default="")
    args = parser.parse_args()
    if args.clients < 2 or args.seconds <= 0 or args.rounds < 1:
        print("参数错误 (invalid arguments): --clients 至少为 2，--seconds、--rounds 须为正数")
        return 2
    url = args.database_url or default_url()
    if not urlparse(url).scheme.startswith("postgres"):
        print("参数错误 (invalid arguments): 横向扩展基准只在 PostgreSQL 上运行")
        return 2
    try:
        subprocess.run(["taskset", "-c", "0", "true"], check=True)
    except (OSError, subprocess.CalledProcessError):
        print("taskset is missing (util-linux): cannot pin the web processes")
        return 2
    env, cleanup = scratch_database(url)
    os.environ.update(env)
    load = load_average()
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    began = time.perf_counter()
    try:
        measured = measure(args, env, urlparse(url).path.lstrip("/"))
        payload = report(measured["results"], args, started, time.perf_counter() - began, load)
        if args.json_out:
            Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json_out).write_text(json.dumps(payload, indent=2, ensure_ascii=False))
        errors = sum(len(r.tally.errors) for r in measured["results"].values())
        if errors:
            sample = next(
                r.tally.errors[:3] for r in measured["results"].values() if r.tally.errors
            )
            print(f"errors: {errors}, e.g. {sample}")
        return 1 if errors else 0
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
