"""Guide list latency at 20 concurrent clients against the real server (gunicorn + demo data).

Usage: .venv/bin/python -m bench.guide_list_bench [--clients 20] [--requests 2000]
Starts ``onewindow run`` on a free loopback port with a fresh SQLite data directory (or the
DATABASE_URL in the environment), waits for /healthz?scope=web, then has N client threads each keep one
HTTP/1.1 connection and fetch guide list pages (plain list, searches and a second page, in turn,
from one shared queue of ``--requests`` rounded down to a multiple of ``--clients``). Prints
median and p99 latency and requests per second.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from urllib.parse import quote

from bench.harness import Call, free_port, onewindow_run_command, queue, run_clients, serving

PATHS = [
    "/guides/",
    f"/guides/?q={quote('许可')}",
    "/guides/?page=2",
    f"/guides/?q={quote('食品')}",
]


def calls(count: int) -> list[Call]:
    """``count`` page requests, the paths in turn."""
    return [Call("GET", path) for path in itertools.islice(itertools.cycle(PATHS), count)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000, help="total requests")
    args = parser.parse_args()
    port = free_port()
    env = {"ONEWINDOW_DATA_DIR": tempfile.mkdtemp(prefix="ow-bench-")}
    # `onewindow run` migrates and loads the demo data first: minutes on a busy machine.
    with serving(onewindow_run_command(port), env, port, timeout=300.0):
        run_clients(port, 1, queue(calls(20)))  # warm up
        total = max(1, args.requests // args.clients) * args.clients
        tally = run_clients(port, args.clients, queue(calls(total)))
    print(
        f"guide list, {args.clients} concurrent clients, {len(tally.latencies)} requests "
        f"({len(tally.errors)} errors) in {tally.elapsed:.1f} s"
    )
    print(
        f"  median {tally.p50_ms:.1f} ms, p99 {tally.p99_ms:.1f} ms, {tally.per_second:.0f} req/s"
    )
    if tally.errors:
        print("  first errors:", tally.errors[:5])
    return 1 if tally.errors else 0


if __name__ == "__main__":
    sys.exit(main())
