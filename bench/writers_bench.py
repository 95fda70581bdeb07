"""SQLite writers: API submissions at 8 closed-loop clients with the writer queue off (SQLite's
busy handler) and on (onewindow/lib/sqlite/base.py), in consecutive runs against the same data.

Usage: .venv/bin/python -m bench.writers_bench [--seconds 15] [--clients 8] [--rounds 2]
       [--json-out PATH]

Seeds a scratch SQLite database with ready drafts (bench/overhead_bench.py's item and users),
then ``--rounds`` times over starts gunicorn (gthread, WEB_WORKERS x WEB_THREADS like ``onewindow
run``) once with ``SQLITE_WRITE_QUEUE=0`` and once with ``=1`` and lets ``--clients`` threads
POST /api/v1/cases/<id>/submit/ for ``--seconds``; prints submissions per second, p50, p99 and the
longest of each setting (rounds summed). SQLite only: PostgreSQL has row locks, no busy handler.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
import uuid

from bench.harness import (
    Call,
    Tally,
    free_port,
    gunicorn_command,
    queue,
    run_clients,
    scratch_database,
    server_description,
    serving,
)
from bench.overhead_bench import seed

SETTINGS = {"busy handler (queue off)": "0", "writer queue (on)": "1"}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="per setting and round")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--drafts", type=int, default=2500)
    parser.add_argument("--json-out", default="")
    args = parser.parse_args()

    env, cleanup = scratch_database(None)
    os.environ.update(env)
    started = time.perf_counter()
    begun = dt.datetime.now(dt.UTC)
    try:
        seeded = seed(args.drafts)
        drafts = queue(seeded.real + seeded.bare)
        auth = {"Authorization": f"Token {seeded.applicant}", "Content-Type": "application/json"}

        def submit() -> Call:
            headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
            return Call("POST", f"/api/v1/cases/{drafts()}/submit/", b"{}", headers, (201,))

        tallies = {name: Tally() for name in SETTINGS}
        loads: list[float] = []
        for _round in range(args.rounds):
            for name, flag in SETTINGS.items():
                port = free_port()
                command = gunicorn_command("onewindow.wsgi:application", port)
                with serving(command, {**env, "SQLITE_WRITE_QUEUE": flag}, port):
                    run_clients(port, 4, lambda: Call("GET", "/progress/"), 1.0)  # warm up
                    loads.append(os.getloadavg()[0])
                    tallies[name].extend(run_clients(port, args.clients, submit, args.seconds))
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()
    print(
        f"server: {server_description()}; {os.cpu_count()} CPUs; SQLite; {args.clients} "
        f"clients, {args.rounds} x {args.seconds:.0f} s per setting, alternating"
    )
    print(f"load average (1 min) at each run's start: {', '.join(f'{x:.2f}' for x in loads)}")
    errors = 0
    for name, t in tallies.items():
        longest = max(t.latencies, default=0.0) * 1000
        print(
            f"  {name:<26} {t.per_second:6.1f}/s  p50 {t.p50_ms:7.1f} ms  p99 {t.p99_ms:7.1f} "
            f"ms  max {longest:7.1f} ms  ({len(t.latencies)} submissions, "
            f"{len(t.errors)} errors)"
        )
        errors += len(t.errors)
    off, on = (tallies[name] for name in SETTINGS)
    if args.json_out:
        rows = [
            {
                "measure": "submission p99, 8 closed-loop clients",
                "unit": "ms",
                "value": round(on.p99_ms, 1),
                "baseline": round(off.p99_ms, 1),
                "baseline_name": "SQLite busy handler (SQLITE_WRITE_QUEUE=0)",
                "ratio": round(on.p99_ms / off.p99_ms, 3) if off.p99_ms else None,
                "ratio_note": "queue / busy handler (lower is better)",
                "goal": None,
                "met": None,
            },
            {
                "measure": "submission p50, 8 closed-loop clients",
                "unit": "ms",
                "value": round(on.p50_ms, 1),
                "baseline": round(off.p50_ms, 1),
                "baseline_name": "SQLite busy handler (SQLITE_WRITE_QUEUE=0)",
                "ratio": round(on.p50_ms / off.p50_ms, 3) if off.p50_ms else None,
                "ratio_note": "queue / busy handler (lower is better)",
                "goal": None,
                "met": None,
            },
            {
                "measure": "submissions/s, 8 closed-loop clients",
                "unit": "/s",
                "value": round(on.per_second, 1),
                "baseline": round(off.per_second, 1),
                "baseline_name": "SQLite busy handler (SQLITE_WRITE_QUEUE=0)",
                "ratio": round(on.per_second / off.per_second, 3) if off.per_second else None,
                "ratio_note": "queue / busy handler (higher is better)",
                "goal": None,
                "met": None,
            },
        ]
        payload = {
            "bench": "writers",
            "title": "SQLite writers: busy handler vs writer queue",
            "database": "sqlite",
            "scale": f"{args.clients} closed-loop clients, {args.rounds} x {args.seconds:.0f} s "
            f"per setting, {server_description()}",
            "started": begun.isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 1),
            "rows": rows,
            "notes": [
                f"load average (1 min) at each run's start: "
                f"{', '.join(f'{x:.2f}' for x in loads)} on {os.cpu_count()} CPUs"
            ],
        }
        with open(args.json_out, "w", encoding="utf-8") as out:
            json.dump(payload, out, indent=2, ensure_ascii=False)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
