"""The shared benchmark harness: the figures, the client loop and the server start-up."""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.harness import (
    Call,
    Tally,
    alternate,
    free_port,
    median,
    percentile,
    queue,
    run_clients,
    serving,
)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the benchmarks' clients expect

    def do_GET(self) -> None:
        status = 200 if self.path.startswith("/ok") else 404
        self.send_response(status)
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


def test_percentile_takes_the_sorted_value_without_interpolation() -> None:
    values = [float(v) for v in range(100, 0, -1)]  # 100 … 1, unsorted on purpose
    assert percentile(values, 0.99) == 100.0
    assert percentile(values, 0.5) == 51.0
    assert percentile([3.0], 0.99) == 3.0
    assert math.isnan(percentile([], 0.99))


def test_median_averages_the_middle_pair() -> None:
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert math.isnan(median([]))


def test_queue_pops_in_order_then_raises_index_error() -> None:
    pop = queue(iter([1, 2, 3]))
    assert [pop(), pop(), pop()] == [1, 2, 3]
    with pytest.raises(IndexError):
        pop()


def test_run_clients_sends_everything_queued_and_tallies_failures(port: int) -> None:
    calls = [Call("GET", "/ok")] * 30 + [Call("GET", "/missing")] * 5
    tally = run_clients(port, 4, queue(calls))
    assert len(tally.latencies) == 30
    assert len(tally.errors) == 5
    assert all(error.startswith("/missing: 404") for error in tally.errors)
    assert tally.elapsed > 0
    assert tally.per_second == 30 / tally.elapsed
    assert tally.p50_ms <= tally.p99_ms


def test_run_clients_counts_other_statuses_as_success_when_told(port: int) -> None:
    tally = run_clients(port, 2, queue([Call("GET", "/missing", ok=(404,))] * 6))
    assert (len(tally.latencies), tally.errors) == (6, [])


def test_alternate_sums_the_rounds_of_each_kind(port: int) -> None:
    tallies = alternate(port, 2, 0.2, {"a": lambda: Call("GET", "/ok/a")}, rounds=2)
    assert set(tallies) == {"a"}
    assert tallies["a"].latencies
    assert 0.2 <= tallies["a"].elapsed < 5


def test_tally_extend_adds_requests_and_time() -> None:
    one, two = Tally([0.1], ["x"], 1.0), Tally([0.2, 0.3], [], 2.0)
    one.extend(two)
    assert (one.latencies, one.errors, one.elapsed) == ([0.1, 0.2, 0.3], ["x"], 3.0)
    assert one.per_second == 1.0


def test_serving_reports_a_server_that_exits_before_it_is_ready() -> None:
    command = [sys.executable, "-c", "import sys; sys.exit('no such settings')"]
    with (
        pytest.raises(SystemExit, match="server exited: no such settings"),
        serving(command, {}, free_port(), timeout=30),
    ):
        pass  # pragma: no cover
