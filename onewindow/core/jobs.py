"""The background loop that periodic work hangs on (deemed acceptance, supervision sweep, ...).

Jobs register with ``@periodic``; ``run_loop`` calls each one whose interval has passed. Every
job must be safe to run in several processes at once (claim rows with a conditional UPDATE),
because deployments may run ``onewindow worker`` on several machines.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections

from onewindow.core.logcontext import log_context, new_run_id

log = logging.getLogger("onewindow.jobs")


@dataclass
class Job:
    name: str
    func: Callable[[], object]
    interval: float
    last_run: float = field(default=0.0)


JOBS: dict[str, Job] = {}


def periodic(
    name: str, *, interval: float
) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Register ``func`` to run every ``interval`` seconds in the background loop."""

    def register(func: Callable[[], object]) -> Callable[[], object]:
        JOBS[name] = Job(name=name, func=func, interval=interval)
        return func

    return register


def run_due_jobs(now: float | None = None) -> list[str]:
    """Run every job whose interval has passed; one failing job never stops the others."""
    now = time.monotonic() if now is None else now
    ran = []
    for job in JOBS.values():
        if job.last_run and now - job.last_run < job.interval:
            continue
        job.last_run = now
        close_old_connections()
        # docs/operations.md §W7: the job's lines carry its name and this run's id.
        with log_context(job=job.name, job_run=new_run_id()):
            try:
                job.func()
                ran.append(job.name)
            except Exception:
                log.exception("background job %s failed", job.name)
            finally:
                close_old_connections()
    return ran


def run_loop(stop: threading.Event, tick: float = 1.0) -> None:
    from django.apps import apps

    for config in apps.get_app_configs():  # import each app's jobs module so it registers
        try:
            __import__(f"{config.name}.jobs")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.jobs":
                raise
    log.info("background loop started with jobs: %s", ", ".join(sorted(JOBS)) or "none")
    last_beat = None
    while not stop.is_set():
        now = time.monotonic()
        if last_beat is None or now - last_beat >= settings.WORKER_HEARTBEAT_SECONDS:
            last_beat = now
            heartbeat_safely("embedded")
        run_due_jobs()
        stop.wait(tick)


def heartbeat_safely(engine: str) -> None:
    """docs/operations.md §W6: this worker is alive. A database that cannot take the beat is
    logged, not fatal: the jobs would fail alike, and /healthz reports the stale beat."""
    from onewindow.core.heartbeat import beat

    close_old_connections()
    try:
        beat(engine)
    except Exception:
        log.exception("worker heartbeat failed")
    finally:
        close_old_connections()
