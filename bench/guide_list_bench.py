"""Guide list latency at 20 concurrent clients against the real server (gunicorn + demo data).

Usage: .venv/bin/python -m bench.guide_list_bench [--clients 20] [--requests 2000]
Starts ``onewindow run`` on a free loopback port with a fresh SQLite data directory (or the
DATABASE_URL in the environment), waits for /healthz, then has N client threads each keep one
HTTP/1.1 connection and fetch guide list pages (plain list, a search and a department filter in
turn). Prints median and p99 latency and requests per second.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

PATHS = [
    "/guides/",
    f"/guides/?q={quote('许可')}",
    "/guides/?page=2",
    f"/guides/?q={quote('食品')}",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(port: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("server did not become healthy")


def client(port: int, count: int, latencies: list[float], errors: list[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(count):
        path = PATHS[i % len(PATHS)]
        start = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{path}: {response.status}")
        except OSError as exc:
            errors.append(f"{path}: {exc}")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append(time.perf_counter() - start)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000, help="total requests")
    args = parser.parse_args()
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="ow-bench-")
    env = {**os.environ, "ONEWINDOW_DATA_DIR": data_dir}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("onewindow")), "run", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_healthy(port)
        warm: list[float] = []
        client(port, 20, warm, [])
        latencies: list[float] = []
        errors: list[str] = []
        per_client = max(1, args.requests // args.clients)
        threads = [
            threading.Thread(target=client, args=(port, per_client, latencies, errors))
            for _ in range(args.clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(
        f"guide list, {args.clients} concurrent clients, {len(latencies)} requests "
        f"({len(errors)} errors) in {elapsed:.1f} s"
    )
    print(
        f"  median {statistics.median(latencies) * 1000:.1f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, {len(latencies) / elapsed:.0f} req/s"
    )
    if errors:
        print("  first errors:", errors[:5])
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
