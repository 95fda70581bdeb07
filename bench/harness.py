"""What the benchmarks share: a scratch database, the server under test, the client loop and
the latency figures.

- ``scratch_database``: environment for a fresh SQLite data directory or a PostgreSQL database
  (created if missing, dropped afterwards when this run created it).
- ``serving``: starts a server command (``gunicorn_command`` for a WSGI factory with bare views,
  ``onewindow_run_command`` for the real ``onewindow run``) on a free loopback port, waits for
  /healthz?scope=web and stops it on exit. ``application_with`` builds such a factory's WSGI app: the
  project's URLs with bench-only views in front of them.
- ``run_clients``: N threads, one keep-alive HTTP/1.1 connection each, sending what a ``make``
  function returns until the time is up or ``make`` raises ``IndexError`` (nothing left to send);
  every response's latency goes into a ``Tally`` (errors apart), with the wall time of the run.
  ``alternate`` interleaves several kinds of request in rounds so that each sees the same machine.
- ``median`` and ``percentile``: the p50 and p99 every report prints (p99 is the value below which
  99 % of the sorted latencies fall, no interpolation).

Imports of Django stay inside the functions that need it: a bench process sets its environment
(database, data directory) before Django reads the settings.
"""

from __future__ import annotations

import http.client
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple, TypeVar
from urllib.parse import urlparse

if TYPE_CHECKING:
    from django.core.handlers.wsgi import WSGIHandler
    from django.urls import URLPattern

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent  # the checkout: gunicorn imports bench.* from here
NO_HEADERS: Mapping[str, str] = types.MappingProxyType({})
T = TypeVar("T")


# --- latency figures -----------------------------------------------------------------------------
def percentile(values: Sequence[float], share: float) -> float:
    """The value at ``share`` (0-1) of the sorted values, no interpolation; NaN when empty."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else math.nan


def median(values: Sequence[float]) -> float:
    """The median (mean of the two middle values for an even count); NaN when empty."""
    return statistics.median(values) if values else math.nan


# --- the client loop -----------------------------------------------------------------------------
class Call(NamedTuple):
    """One request a client sends, and the statuses that count as success."""

    method: str
    path: str
    body: bytes | None = None
    headers: Mapping[str, str] = NO_HEADERS
    ok: tuple[int, ...] = (200,)


Make = Callable[[], Call]


@dataclass
class Tally:
    """Latencies (seconds) of the successful requests, the errors, and the run's wall time."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, seconds: float, error: str = "") -> None:
        with self.lock:
            if error:
                self.errors.append(error)
            else:
                self.latencies.append(seconds)

    def extend(self, other: Tally) -> None:
        """Add another run's requests and wall time to this one."""
        self.latencies.extend(other.latencies)
        self.errors.extend(other.errors)
        self.elapsed += other.elapsed

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    @property
    def p50_ms(self) -> float:
        return median(self.latencies) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 0.99) * 1000


def run_clients(port: int, clients: int, make: Make, seconds: float = math.inf) -> Tally:
    """``clients`` threads, one keep-alive connection each, sending ``make()`` until ``seconds``
    are up or ``make`` raises ``IndexError``. The wall time runs from the moment every thread is
    ready until the last one is done."""
    tally = Tally()
    stop_at = time.perf_counter() + seconds
    start = threading.Barrier(clients + 1)

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        start.wait()
        while time.perf_counter() < stop_at:
            try:
                call = make()
            except IndexError:  # nothing left to send
                return
            began = time.perf_counter()
            try:
                conn.request(call.method, call.path, body=call.body, headers=call.headers)
                response = conn.getresponse()
                content = response.read()
            except OSError as exc:
                tally.add(0, f"{call.path}: {exc}")
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                continue
            elapsed = time.perf_counter() - began
            failed = f"{call.path}: {response.status} {content[:200].decode(errors='replace')}"
            tally.add(elapsed, "" if response.status in call.ok else failed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    tally.elapsed = time.perf_counter() - began
    return tally


def alternate(
    port: int, clients: int, seconds: float, makers: Mapping[str, Make], rounds: int = 2
) -> dict[str, Tally]:
    """Each kind of request in turn for ``seconds / rounds``, ``rounds`` times over (so a kind
    measured first does not get a quieter machine); the tallies of a kind are summed."""
    tallies = {name: Tally() for name in makers}
    for _round in range(rounds):
        for name, make in makers.items():
            tallies[name].extend(run_clients(port, clients, make, seconds / rounds))
    return tallies


def queue(items: Iterable[T]) -> Callable[[], T]:
    """A thread-safe pop from ``items`` in their order; ``IndexError`` once they are used up."""
    pending = list(items)
    pending.reverse()
    lock = threading.Lock()

    def pop() -> T:
        with lock:
            return pending.pop()

    return pop


# --- the server under test -----------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def gunicorn_command(app: str, port: int) -> list[str]:
    """gunicorn serving ``app`` (``module:factory()``) like ``onewindow run`` serves the project:
    gthread workers, WEB_WORKERS x WEB_THREADS from the settings."""
    from django.conf import settings

    return [
        str(Path(sys.executable).with_name("gunicorn")),
        app,
        "--bind",
        f"{HOST}:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(settings.WEB_WORKERS),
        "--threads",
        str(settings.WEB_THREADS),
        "--log-level",
        "warning",
        # A worker that has not answered gunicorn's heartbeat for this long is restarted; booting
        # (Django's set-up) takes longer than the default 30 s on a machine under heavy load.
        "--timeout",
        "120",
    ]


def onewindow_run_command(port: int) -> list[str]:
    """The real ``onewindow run`` (migrates, loads the demo data, starts gunicorn)."""
    return [str(Path(sys.executable).with_name("onewindow")), "run", "--port", str(port)]


def server_description() -> str:
    from django.conf import settings

    return f"gunicorn gthread, {settings.WEB_WORKERS} workers x {settings.WEB_THREADS} threads"


def wait_healthy(
    port: int, server: subprocess.Popen[bytes], stderr: IO[bytes], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            stderr.seek(0)
            raise SystemExit(f"server exited: {stderr.read().decode(errors='replace')[-4000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz?scope=web")  # a web node: no worker here
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("server did not become healthy")


@contextmanager
def serving(
    command: list[str], env: Mapping[str, str], port: int, *, timeout: float = 60.0
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` with ``env`` added to this environment, from the checkout, until the block
    ends; ready once GET /healthz?scope=web answers 200. Its stderr goes to a temporary file (a pipe
    nobody reads could fill up and stall the server) shown if it exits before it is ready."""
    with tempfile.TemporaryFile() as stderr:
        server = subprocess.Popen(
            command,
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            wait_healthy(port, server, stderr, timeout)
            yield server
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a worker stuck on a loaded machine
                server.kill()
                server.wait(timeout=30)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its children (a gunicorn master and its
    workers), from /proc; 0.0 where /proc cannot tell (a process gone, another system)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
        except (OSError, IndexError, ValueError):
            continue
    return total


def application_with(name: str, patterns: list[URLPattern], **overrides: Any) -> WSGIHandler:
    """The project's WSGI app with ``patterns`` in front of its URLs (a URLconf module called
    ``name``) and the settings ``overrides``; call after ``django.setup()``."""
    from django.test.utils import override_settings
    from django.urls import include, path

    from onewindow.wsgi import application

    urls = types.ModuleType(name)
    vars(urls)["urlpatterns"] = [*patterns, path("", include("onewindow.urls"))]
    sys.modules[name] = urls
    override_settings(ROOT_URLCONF=name, **overrides).enable()
    return application


# --- the scratch database ------------------------------------------------------------------------
def scratch_database(database_url: str | None) -> tuple[dict[str, str], Callable[[], None]]:
    """Environment for a scratch database (a fresh SQLite file in a temporary data directory
    unless ``database_url`` names another), and a function that removes it afterwards: a
    PostgreSQL database is created if missing and then dropped, unless it existed before."""
    data_dir = tempfile.mkdtemp(prefix="ow-bench-")
    env = {"ONEWINDOW_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "onewindow.settings"}
    # Always named: a DATABASE_URL inherited from the caller (the suite's PostgreSQL run) must
    # not replace the scratch SQLite file.
    env["DATABASE_URL"] = database_url or f"sqlite:///{data_dir}/onewindow.sqlite3"
    if not database_url:
        return env, lambda: None
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


# --- the report JSON (the shape bench/report.py reads) -------------------------------------------
def report_row(
    measure: str,
    unit: str,
    value: float,
    baseline: float | None = None,
    baseline_name: str | None = None,
    *,
    higher_is_better: bool = True,
    goal: str | None = None,
    met: bool | None = None,
) -> dict[str, Any]:
    """One row of a benchmark's JSON report; the ratio is value / baseline, its note says which
    way is better."""
    ratio = round(value / baseline, 3) if baseline else None
    note = None
    if baseline is not None:
        note = "ours / baseline (" + ("higher" if higher_is_better else "lower") + " is better)"
    return {
        "measure": measure,
        "unit": unit,
        "value": round(value, 1),
        "baseline": None if baseline is None else round(baseline, 1),
        "baseline_name": baseline_name,
        "ratio": ratio,
        "ratio_note": note,
        "goal": goal,
        "met": met,
    }


def write_json(path: str, payload: Mapping[str, Any]) -> None:
    """The report JSON of one benchmark run (UTF-8, indented)."""
    import json

    with open(path, "w", encoding="utf-8") as out:
        json.dump(payload, out, indent=2, ensure_ascii=False)


def load_note() -> str:
    """The 1-minute load average and the CPUs, for the notes of a report."""
    return f"load average (1 min) {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
