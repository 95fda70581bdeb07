"""The task engines (docs/rules/tasks.md §X1–§X6): the configuration, and on PostgreSQL the
procrastinate path end to end (jobs deferred in the caller's transaction, run by a worker)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, transaction

from onewindow.core import engine, jobs
from onewindow.core.models import JobOutcome, JobRun
from onewindow.env import ConfigError, env_task_engine
from onewindow.notifications.models import Channel, MessageStatus, OutboxMessage
from onewindow.notifications.services import outbox_hand_over

ROOT = Path(__file__).resolve().parents[3]

# --- configuration ------------------------------------------------------------------------------


def test_a_bad_task_engine_is_refused_with_a_clear_message(monkeypatch):
    monkeypatch.setenv("TASK_ENGINE", "celery")
    with pytest.raises(ConfigError, match="只能是 embedded 或 procrastinate"):
        env_task_engine("TASK_ENGINE", is_sqlite=False)
    monkeypatch.setenv("TASK_ENGINE", "Procrastinate")
    assert env_task_engine("TASK_ENGINE", is_sqlite=False) == "procrastinate"
    monkeypatch.delenv("TASK_ENGINE")
    assert env_task_engine("TASK_ENGINE", is_sqlite=True) == "embedded"


def test_procrastinate_on_sqlite_is_refused_at_start_up(tmp_path):
    """``onewindow worker`` with TASK_ENGINE=procrastinate on SQLite: one line, exit 1."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ONEWINDOW_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TASK_ENGINE": "procrastinate",
    }
    done = subprocess.run(
        [sys.executable, "-m", "onewindow.cli", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(
        "配置错误 (configuration error): TASK_ENGINE=procrastinate 需要 PostgreSQL"
    )
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # refused before anything was written


@pytest.mark.parametrize(
    ("interval", "cron", "step"),
    [
        (1, "* * * * * */1", 1),
        (5, "* * * * * */5", 5),
        (60, "*/1 * * * *", 60),
        (90, "*/1 * * * *", 60),  # not a cron step: ticks every minute, JobRun keeps one a period
        (600, "*/10 * * * *", 600),
        (3600, "0 */1 * * *", 3600),
        (6 * 3600, "0 */6 * * *", 6 * 3600),
        (86400, "0 0 * * *", 86400),
        (7 * 86400, "0 0 * * *", 86400),
    ],
)
def test_every_interval_gets_the_cron_of_the_largest_step_within_it(interval, cron, step):
    assert engine.cron_for(interval) == (cron, step)


def test_under_procrastinate_the_report_poller_is_a_sweep_at_the_background_interval(settings):
    registry = jobs.jobs_import()
    poller = registry["supervision.reports"]
    assert poller.interval == 1.0 and not poller.per_period
    assert engine.engine_interval(poller) == settings.BACKGROUND_INTERVAL
    assert engine.engine_interval(registry["cases.accept_deemed"]) == settings.BACKGROUND_INTERVAL
    assert {"notifications.deliver", "supervision.report"} <= set(engine.DEFERRABLE)


# --- procrastinate on PostgreSQL ----------------------------------------------------------------

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="procrastinate needs PostgreSQL (run with DATABASE_URL=$TEST_DATABASE_URL)",
)
QUEUE_TABLES = (
    "procrastinate_periodic_defers",
    "procrastinate_events",
    "procrastinate_jobs",
    "procrastinate_workers",
)
SENT: list[int] = []


class FlakyBackend:
    """Refuses each message's first attempt, accepts the next; records what it delivered."""

    name = "flaky"
    refused: set[int] = set()

    def send(self, message: OutboxMessage) -> None:
        if message.pk not in self.refused:
            self.refused.add(message.pk)
            raise ConnectionError("gateway unreachable")
        SENT.append(message.pk)


class RecordingBackend:
    name = "recording"

    def send(self, message: OutboxMessage) -> None:
        SENT.append(message.pk)


def _queue_clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(QUEUE_TABLES)} RESTART IDENTITY CASCADE")


def _jobs(task_name: str) -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, attempts FROM procrastinate_jobs WHERE task_name = %s ORDER BY id",
            [task_name],
        )
        return list(cursor.fetchall())


@pytest.fixture
def procrastinate(settings, monkeypatch) -> Iterator[None]:
    """TASK_ENGINE=procrastinate, an empty queue, only the periodic jobs a test registers."""
    jobs.jobs_import()  # every app's deferrables registered before JOBS is replaced
    monkeypatch.setattr(jobs, "JOBS", {})
    settings.TASK_ENGINE = engine.PROCRASTINATE
    SENT.clear()
    FlakyBackend.refused.clear()
    _queue_clear()
    yield
    _queue_clear()


def _work(*queues: str) -> None:
    """One worker run that stops when the queues are empty (``wait=False``)."""
    app = engine.procrastinate_app()
    app.run_worker(
        queues=list(queues),
        wait=False,
        install_signal_handlers=False,
        listen_notify=False,
        concurrency=1,  # with more, a run ends before a job retried at once is fetched again
    )


def _message(recipient: str = "a@example.org") -> OutboxMessage:
    now = dt.datetime.now(dt.UTC)
    return OutboxMessage.objects.create(
        channel=Channel.EMAIL,
        recipient=recipient,
        subject="测试",
        body="正文",
        next_attempt_at=now,
        created_at=now,
    )


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_notifications_are_deferred_with_their_change_and_delivered_once_with_retries(
    procrastinate, settings
):
    """One test (each transactional test empties every table afterwards: seconds on PostgreSQL)."""
    # A job deferred in a transaction that rolls back does not exist.
    with pytest.raises(RuntimeError), transaction.atomic():
        message = _message()
        outbox_hand_over([message.pk])
        assert _jobs("notifications.deliver") == [("todo", 0)]  # in the transaction
        raise RuntimeError("the case change fails")
    assert _jobs("notifications.deliver") == []
    assert not OutboxMessage.objects.exists()

    # Committed: each message's first attempt fails, its job is retried when the row is due
    # again (backoff 0 s here), then delivered; a second worker run sends nothing again.
    settings.NOTIFICATION_BACKENDS = {"email": f"{__name__}.FlakyBackend"}
    settings.NOTIFY_RETRY_SECONDS = 0
    with transaction.atomic():
        first, second = _message(), _message("b@example.org")
        outbox_hand_over([first.pk, second.pk])
    assert _jobs("notifications.deliver") == [("todo", 0), ("todo", 0)]
    _work("notifications")
    _work("notifications")
    assert sorted(SENT) == sorted([first.pk, second.pk])
    assert dict(OutboxMessage.objects.values_list("pk", "attempts")) == {first.pk: 2, second.pk: 2}
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert _jobs("notifications.deliver") == []  # succeeded jobs are deleted

    # With the real backoff (60 s) the job waits for the row's next attempt.
    settings.NOTIFY_RETRY_SECONDS = 60
    with transaction.atomic():
        third = _message("c@example.org")
        outbox_hand_over([third.pk])
    _work("notifications")
    third.refresh_from_db()
    assert third.status == MessageStatus.PENDING and third.attempts == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, attempts, scheduled_at FROM procrastinate_jobs WHERE task_name = %s",
            ["notifications.deliver"],
        )
        assert cursor.fetchall() == [("todo", 1, third.next_attempt_at)]
    assert third.pk not in SENT


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_periodic_deferral_by_two_workers_for_one_timestamp_makes_one_job(procrastinate):
    calls: list[int] = []
    lock = threading.Lock()

    def count() -> None:
        with lock:
            calls.append(1)

    jobs.periodic("test.count", interval=86400)(count)
    day = int(time.time()) // 86400 * 86400
    workers = [engine.procrastinate_app(), engine.procrastinate_app()]

    async def defer_from(app) -> None:
        from procrastinate.periodic import PeriodicDeferrer

        async with app.open_async():
            periodic = app.periodic_registry.periodic_tasks[("test.count", "test.count")]
            await PeriodicDeferrer(registry=app.periodic_registry).defer_jobs([(periodic, day)])

    async def both() -> None:
        await asyncio.gather(*(defer_from(app) for app in workers))

    asyncio.run(both())
    assert _jobs("test.count") == [("todo", 0)]
    _work("periodic")
    assert calls == [1]
    [run] = JobRun.objects.filter(name="test.count")
    assert run.outcome == JobOutcome.OK
    assert run.period_start == dt.datetime.fromtimestamp(day, dt.UTC)


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_requested_situation_report_is_generated_by_its_job(procrastinate, personas):
    from onewindow.supervision.models import ReportStatus
    from onewindow.supervision.services.reports import report_request

    today = dt.date.today()
    report = report_request(
        kind="month", period_start=today.replace(day=1), actor=personas.supervisor
    )
    assert _jobs("supervision.report") == [("todo", 0)]
    _work("reports")
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.pdf
