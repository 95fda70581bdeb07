"""The periodic jobs (deemed acceptance, supervision sweep, ...) and the embedded loop that runs them.

Jobs register with ``@periodic``. Whichever engine runs them (docs/rules/tasks.md §X1), every run
goes through ``job_run``: it first INSERTs the job's ``JobRun`` row for the current period, and
the unique (name, period_start) pair lets exactly one process run each job once per period,
however many ``onewindow worker`` processes (embedded or procrastinate, on one machine or
several) are looking (docs/rules/tasks.md §X2). A period is floor(wall-clock seconds / interval).

Every job must still be safe to run beside another job's run: it claims its rows with a
conditional UPDATE, so a run killed half-way leaves nothing half-written (docs/rules/tasks.md §X3).

``every_worker`` registers calls made in every worker process (not once across them): the
worker heartbeat hangs there.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, close_old_connections, transaction

from onewindow.core import clock
from onewindow.core.models import JobOutcome, JobRun

log = logging.getLogger("onewindow.jobs")

KEEP_RUNS = dt.timedelta(days=7)
ERROR_MAX = 500


@dataclass
class Job:
    name: str
    func: Callable[[], object]
    interval: float
    # Under a task engine that is handed the work itself when it arises (procrastinate: the
    # reports are deferred with their request), the job is only a sweep for what was left
    # behind and runs this often instead (docs/rules/tasks.md §X5).
    sweep_interval: float | None = None
    # False for a queue poller that claims each item itself (a conditional UPDATE per item) and
    # looks every second: it runs in every worker at its interval without a JobRun row, which
    # would be 86,400 writes a day for nothing (docs/rules/tasks.md §X2).
    per_period: bool = True
    # Start (epoch seconds) of the last period this process looked at.
    last_run: float = field(default=0.0)


JOBS: dict[str, Job] = {}


def periodic(
    name: str,
    *,
    interval: float,
    sweep_interval: float | None = None,
    per_period: bool = True,
) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Register ``func`` to run once every ``interval`` seconds across all workers."""

    def register(func: Callable[[], object]) -> Callable[[], object]:
        JOBS[name] = Job(
            name=name,
            func=func,
            interval=interval,
            sweep_interval=sweep_interval,
            per_period=per_period,
        )
        return func

    return register


def period_start(interval: float, now: float) -> float:
    """The start (epoch seconds) of the period of length ``interval`` that contains ``now``."""
    return (now // interval) * interval


def _moment(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def job_claim(name: str, start: dt.datetime) -> JobRun | None:
    """INSERT the run of ``name`` for the period ``start``; None when another process has it."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(
                name=name,
                period_start=start,
                started_at=clock.now(),
                host=socket.gethostname()[:100],
                pid=os.getpid(),
            )
    except IntegrityError:
        return None


def job_run(job: Job, *, start: dt.datetime) -> bool:
    """Run ``job`` for the period ``start`` if this process claims it; False when another did.

    The outcome is recorded on the run's row; an exception is re-raised after that."""
    run = job_claim(job.name, start)
    if run is None:
        return False
    try:
        job.func()
    except Exception as exc:
        JobRun.objects.filter(pk=run.pk).update(
            outcome=JobOutcome.FAILED,
            finished_at=clock.now(),
            error=f"{type(exc).__name__}: {exc}"[:ERROR_MAX],
        )
        raise
    JobRun.objects.filter(pk=run.pk).update(outcome=JobOutcome.OK, finished_at=clock.now())
    return True


def job_run_period(job: Job, *, now: float, interval: float) -> bool:
    """Run ``job`` for the period of length ``interval`` containing ``now`` (epoch seconds) if no
    other process has; both engines come here (docs/rules/tasks.md §X2)."""
    if not job.per_period:
        job.func()
        return True
    return job_run(job, start=_moment(period_start(interval, now)))


def run_due_jobs(now: float | None = None, jobs: dict[str, Job] | None = None) -> list[str]:
    """Run every job whose current period this process has not looked at yet and no other process
    has claimed; one failing job never stops the others. ``now``: epoch seconds; ``jobs``: this
    process's registry (default ``JOBS``)."""
    now = clock.now().timestamp() if now is None else now
    ran = []
    for job in (JOBS if jobs is None else jobs).values():
        start = period_start(job.interval, now)
        if job.last_run == start:
            continue
        job.last_run = start
        close_old_connections()
        try:
            if job_run_period(job, now=now, interval=job.interval):
                ran.append(job.name)
        except Exception:
            log.exception("background job %s failed", job.name)
        finally:
            close_old_connections()
    return ran


def jobs_import() -> dict[str, Job]:
    """Import each app's ``jobs`` module, so that its jobs register; returns the registry."""
    from django.apps import apps

    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.jobs")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.jobs":
                raise
    return JOBS


def run_loop(stop: threading.Event, tick: float = 1.0) -> None:
    """The embedded engine: tick every second until ``stop`` is set."""
    jobs_import()
    log.info("background loop started with jobs: %s", ", ".join(sorted(JOBS)) or "none")
    while not stop.is_set():
        run_due_jobs()
        stop.wait(tick)


@periodic("core.jobruns_prune", interval=3600)
def jobruns_prune(now: dt.datetime | None = None) -> int:
    """Delete the run records older than ``KEEP_RUNS`` (a week)."""
    cutoff = (now or clock.now()) - KEEP_RUNS
    deleted, _by_model = JobRun.objects.filter(period_start__lt=cutoff).delete()
    return deleted


# --- calls made in every worker process ---------------------------------------------------------
@dataclass
class WorkerCall:
    name: str
    func: Callable[[str], object]
    interval: float
    last_run: float = field(default=0.0)


WORKER_CALLS: dict[str, WorkerCall] = {}


def every_worker(
    name: str, *, interval: float
) -> Callable[[Callable[[str], object]], Callable[[str], object]]:
    """Register ``func(engine)`` to be called every ``interval`` seconds in each worker process
    (whichever engine runs it), without a ``JobRun`` claim: e.g. the worker's heartbeat."""

    def register(func: Callable[[str], object]) -> Callable[[str], object]:
        WORKER_CALLS[name] = WorkerCall(name=name, func=func, interval=interval)
        return func

    return register


def worker_calls_due(engine: str, now: float | None = None) -> list[str]:
    """Make the ``every_worker`` calls whose interval has passed in this process."""
    now = time.monotonic() if now is None else now
    made = []
    for call in WORKER_CALLS.values():
        if call.last_run and now - call.last_run < call.interval:
            continue
        call.last_run = now
        try:
            call.func(engine)
            made.append(call.name)
        except Exception:
            log.exception("worker call %s failed", call.name)
    return made


def worker_calls_thread(engine: str, stop: threading.Event, tick: float = 1.0) -> threading.Thread:
    """Start the thread that makes the ``every_worker`` calls until ``stop`` is set."""

    def loop() -> None:
        try:
            while not stop.is_set():
                worker_calls_due(engine)
                stop.wait(tick)
        finally:
            from django.db import connection

            connection.close()  # this thread's own connection

    thread = threading.Thread(target=loop, name="worker-calls", daemon=True)
    thread.start()
    return thread
