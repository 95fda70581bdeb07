"""The open-loop load generator: arrivals on a fixed schedule, latency from the scheduled time
(a slow server's queueing counts), more connections instead of a late send; and a tiny run of
the whole benchmark so that it cannot rot."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.harness import ROOT, Call
from bench.openloop import open_loop, schedule


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    gate = threading.Lock()  # /serial: one request at a time, 50 ms each (a saturated server)

    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(0.2)
        elif self.path == "/serial":
            with self.gate:
                time.sleep(0.05)
        self.send_response(200 if self.path != "/missing" else 404)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_schedule_is_fixed_in_advance_at_the_rate_asked() -> None:
    assert schedule(10, 2, poisson=False) == [n / 10 for n in range(20)]
    times = schedule(200, 10)
    assert times == schedule(200, 10)  # seeded: the same run every time
    assert 1800 < len(times) < 2200
    assert times == sorted(times) and times[0] > 0 and times[-1] < 10
    assert schedule(0, 10) == []


def test_a_slow_server_gets_more_connections_not_later_sends(port: int) -> None:
    tally = open_loop(port, 40, 1.0, lambda: Call("GET", "/slow"), poisson=False)
    assert len(tally.latencies) == tally.scheduled == 40
    assert tally.connections >= 8  # 40/s x 0.2 s in flight: one connection could not keep up
    assert tally.max_late_ms < 100
    assert tally.p50_ms >= 200


def test_queueing_behind_a_saturated_server_counts_in_the_latency(port: int) -> None:
    # 40 requests/s at a server that answers 20/s: the backlog grows through the run, and the
    # latency from the scheduled time shows it (a closed loop would only ever see ~50 ms).
    tally = open_loop(port, 40, 1.0, lambda: Call("GET", "/serial"), poisson=False)
    assert len(tally.latencies) == 40
    assert tally.p99_ms > 700


def test_failures_and_running_out_of_work_are_reported(port: int) -> None:
    calls = [Call("GET", "/ok")] * 5 + [Call("GET", "/missing")] * 3
    pending = list(reversed(calls))
    tally = open_loop(port, 100, 1.0, pending.pop)
    assert tally.exhausted
    assert len(tally.latencies) == 5
    assert len(tally.errors) == 3 and tally.errors[0].startswith("/missing: 404")


def test_openloop_bench_runs_every_kind(tmp_path: Path) -> None:
    out = tmp_path / "openloop.json"
    command = [
        sys.executable,
        "-m",
        "bench.openloop",
        "--seconds=2",
        "--saturation-seconds=1",
        "--saturation-clients=2",
        "--open-tasks=600",
        "--inbox-pages=1",
        "--uniform",
        # Enough drafts and open tasks for a second of closed-loop calls and two of open loop at
        # half that rate on a fast machine (about 100 a second now): a kind that runs out of work
        # before its open loop has no latency to report.
        "--drafts=400",
        f"--json-out={out}",
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(out.read_text())
    assert report["bench"] == "openloop"
    p99 = [row for row in report["rows"] if " p99 " in row["measure"]]
    assert [row["measure"].split(" p99")[0] for row in p99] == [
        "submission",
        "acceptance",
        "task completion",
        "progress query",
        "reviewer inbox",
    ]
    assert all(row["value"] > 0 for row in p99), (p99, report.get("notes"))
