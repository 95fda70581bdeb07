"""The task engine behind ``onewindow worker``: embedded loop or procrastinate (docs/rules/tasks.md §X1).

Both engines run the same functions:

- the periodic jobs of ``onewindow.core.jobs`` (``@periodic``), each through ``jobs.job_run`` and
  its ``JobRun`` claim, so each runs once per period across all workers (docs/rules/tasks.md §X2);
- the work handed over when it arises (``@deferrable``: a notification to deliver, a situation
  report to generate). Under the embedded engine the caller keeps doing what it always did (one
  attempt right after commit, the periodic sweep for the rest); under procrastinate ``defer``
  inserts one job per item **in the caller's transaction** (docs/rules/tasks.md §X4), so the job
  exists exactly when the change that causes it does.

procrastinate is PostgreSQL's own queue: jobs are rows, the worker takes them with
``SELECT … FOR UPDATE SKIP LOCKED``, the periodic deferrer inserts one job per (task, timestamp)
under a unique constraint, and workers heartbeat so that the jobs of a dead one are retried
(``retry_stalled``, docs/rules/tasks.md §X6).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from onewindow.core import jobs

if TYPE_CHECKING:
    from procrastinate import App, JobManager
    from procrastinate.job_context import JobContext

log = logging.getLogger("onewindow.jobs")

EMBEDDED = "embedded"
PROCRASTINATE = "procrastinate"
ENGINES = (EMBEDDED, PROCRASTINATE)

# A job whose worker sent no heartbeat for this long is retried by another worker; the workers
# beat every 10 s (procrastinate's default) and prune peers silent for 30 s.
STALLED_AFTER_SECONDS = 30
# Finished jobs are deleted at once when they succeed (the worker's ``delete_jobs``); failed and
# cancelled ones are kept this long for the operators, then pruned.
KEEP_FAILED_HOURS = 7 * 24

# A retry policy: given the exception and how many attempts were made, when to try again
# (None: give up, the job is marked failed).
RetryPolicy = Callable[[BaseException, int], dt.datetime | None]


@dataclass(frozen=True)
class Deferrable:
    name: str
    func: Callable[..., object]
    queue: str
    priority: int
    retry: RetryPolicy | None


DEFERRABLE: dict[str, Deferrable] = {}
_NAMES: dict[Callable[..., object], str] = {}


def deferrable(
    name: str, *, queue: str = "default", priority: int = 0, retry: RetryPolicy | None = None
) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Register ``func`` (keyword arguments only, JSON values) as work ``defer`` may queue."""

    def register(func: Callable[..., object]) -> Callable[..., object]:
        DEFERRABLE[name] = Deferrable(name, func, queue, priority, retry)
        _NAMES[func] = name
        return func

    return register


def deferring() -> bool:
    """True when work is handed to procrastinate as jobs (``defer``), False under the embedded
    engine (the caller runs it after commit and the periodic sweep catches the rest)."""
    return bool(settings.TASK_ENGINE == PROCRASTINATE)


def defer(func: Callable[..., object], *kwargs: dict[str, Any]) -> list[int]:
    """Queue one procrastinate job per ``kwargs`` for the deferrable ``func``, in the current
    transaction (docs/rules/tasks.md §X4): rolled back with it, committed with it. Returns the
    job ids."""
    if not kwargs:
        return []
    from procrastinate.tasks import configure_task

    spec = DEFERRABLE[_NAMES[func]]
    deferrer = configure_task(
        name=spec.name, job_manager=_job_manager(), queue=spec.queue, priority=spec.priority
    )
    return deferrer.batch_defer(*kwargs)


_manager: JobManager | None = None


def _job_manager() -> JobManager:
    """A job manager on Django's own connection of the calling thread, whatever connector the
    worker's app uses: that is what puts the job in the caller's transaction."""
    global _manager
    if _manager is None:
        from procrastinate import JobManager
        from procrastinate.contrib.django.django_connector import DjangoConnector

        _manager = JobManager(DjangoConnector(alias="default"))
    return _manager


# --- periodic jobs as procrastinate periodic tasks ----------------------------------------------
SECOND_STEPS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)
MINUTE_STEPS = SECOND_STEPS
HOUR_STEPS = (1, 2, 3, 4, 6, 8, 12)


def cron_for(interval: float) -> tuple[str, int]:
    """The cron expression (procrastinate's sixth field is seconds) that ticks at the largest step
    a cron can express that is not longer than ``interval``, and that step in seconds.

    A tick always falls on a multiple of the step in UTC epoch seconds, so when the step is the
    interval each tick opens one period; when the interval cannot be expressed (90 s ticks every
    minute), several ticks fall in a period and the ``JobRun`` claim lets one run it."""
    steps = (
        [(f"* * * * * */{s}", s) for s in SECOND_STEPS]
        + [(f"*/{m} * * * *", 60 * m) for m in MINUTE_STEPS]
        + [(f"0 */{h} * * *", 3600 * h) for h in HOUR_STEPS]
        + [("0 0 * * *", 86400)]
    )
    fitting = [step for step in steps if step[1] <= max(1.0, interval)]
    return fitting[-1]


def engine_interval(job: jobs.Job) -> float:
    """The job's period under procrastinate: a sweep's own interval when it has one."""
    return job.sweep_interval or job.interval


def _periodic_body(job: jobs.Job) -> Callable[..., bool]:
    def run(timestamp: int) -> bool:
        return jobs.job_run_period(job, now=float(timestamp), interval=engine_interval(job))

    run.__name__ = run.__qualname__ = job.name.replace(".", "_").replace("-", "_")
    return run


def _retry_strategy(policy: RetryPolicy) -> Any:
    """procrastinate's retry strategy asking one of our ``RetryPolicy`` functions (procrastinate's
    ``RetryStrategy`` waits base ** attempts, not our base × 2 ** attempts)."""
    from procrastinate.retry import BaseRetryStrategy, RetryDecision

    class PolicyRetry(BaseRetryStrategy):
        def get_retry_decision(self, *, exception: BaseException, job: Any) -> Any:
            when = policy(exception, job.attempts + 1)
            return None if when is None else RetryDecision(retry_at=when)

    return PolicyRetry()


async def retry_stalled(context: JobContext, timestamp: int) -> int:
    """docs/rules/tasks.md §X6: jobs left ``doing`` by a worker whose heartbeat stopped (killed,
    machine lost) go back to the queue."""
    manager = context.app.job_manager
    stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_SECONDS)
    count = 0
    for job in stalled:
        log.warning("job %s (%s) of a dead worker is retried", job.id, job.task_name)
        await manager.retry_job(job)
        count += 1
    return count


async def prune_jobs(context: JobContext, timestamp: int) -> None:
    """Delete failed and cancelled jobs finished more than ``KEEP_FAILED_HOURS`` ago."""
    await context.app.job_manager.delete_old_jobs(
        nb_hours=KEEP_FAILED_HOURS,
        include_failed=True,
        include_cancelled=True,
        include_aborted=True,
    )


def procrastinate_app(connector: Any = None) -> App:
    """A procrastinate app with every periodic job and every deferrable registered, on
    ``connector`` (default: a psycopg pool on Django's database, with LISTEN/NOTIFY)."""
    from procrastinate.contrib.django import DjangoApp
    from procrastinate.contrib.django import app as django_app

    jobs.jobs_import()
    if connector is None:
        connector = django_app.connector.get_worker_connector()
    app = DjangoApp(
        connector=connector,
        worker_defaults={"delete_jobs": "successful"},
    )
    for job in jobs.JOBS.values():
        cron, _step = cron_for(engine_interval(job))
        task = app.task(name=job.name, queue="periodic")(_periodic_body(job))
        app.periodic(cron=cron, periodic_id=job.name)(task)
    for spec in DEFERRABLE.values():
        retry = _retry_strategy(spec.retry) if spec.retry else False
        app.task(name=spec.name, queue=spec.queue, priority=spec.priority, retry=retry)(spec.func)
    maintenance = {
        "engine.retry_stalled": (retry_stalled, "* * * * *"),
        "engine.prune_jobs": (prune_jobs, "17 * * * *"),
    }
    for name, (func, cron) in maintenance.items():
        task = app.task(name=name, queue="periodic", pass_context=True)(func)
        app.periodic(cron=cron, periodic_id=name)(task)
    return app


def run_procrastinate(*, concurrency: int, wait: bool = True) -> None:
    """Run a procrastinate worker in this process until it is stopped (SIGTERM, SIGINT)."""
    app = procrastinate_app()
    log.info(
        "procrastinate worker started (concurrency %s) with jobs: %s",
        concurrency,
        ", ".join(sorted(app.tasks)),
    )
    app.run_worker(
        concurrency=concurrency,
        wait=wait,
        name="onewindow",
        stalled_worker_timeout=STALLED_AFTER_SECONDS,
    )
