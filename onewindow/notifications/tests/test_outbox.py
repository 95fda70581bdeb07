"""Outbox mechanics: claiming, leases, backoff and backend configuration."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any, cast

import pytest
from django.db import connection
from django.test import override_settings

from onewindow.notifications import services
from onewindow.notifications.checks import backends_importable
from onewindow.notifications.models import Channel, MessageStatus, OutboxMessage

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
COUNTING = "onewindow.notifications.tests.test_outbox.CountingGateway"

pytestmark = pytest.mark.django_db


class CountingGateway:
    """Records every message it is asked to deliver."""

    name = "counting"
    sent: list[int] = []
    lock = threading.Lock()

    def send(self, message: OutboxMessage) -> None:
        with self.lock:
            CountingGateway.sent.append(message.pk)


@pytest.fixture(autouse=True)
def counting(settings):
    settings.NOTIFICATION_BACKENDS = {"sms": COUNTING, "email": COUNTING}
    CountingGateway.sent = []


def queue(count: int = 1, *, at: dt.datetime = NOW) -> list[OutboxMessage]:
    return OutboxMessage.objects.bulk_create(
        OutboxMessage(
            channel=Channel.SMS,
            recipient=f"1390711{i:04d}",
            subject="测试",
            body="您的办件已受理。",
            next_attempt_at=at,
            created_at=at,
        )
        for i in range(count)
    )


class SecondWorkerGateway(CountingGateway):
    """While worker A is sending, worker B runs a full delivery pass."""

    second_pass: list[int] = []

    def send(self, message: OutboxMessage) -> None:
        SecondWorkerGateway.second_pass.append(services.outbox_deliver(now=NOW))
        super().send(message)


class DyingGateway:
    """The process is killed mid-send (not an Exception: nothing records an outcome)."""

    name = "dying"

    def send(self, message: OutboxMessage) -> None:
        raise SystemExit("killed")


def test_a_message_being_sent_by_one_worker_is_not_sent_by_another(settings):
    settings.NOTIFICATION_BACKENDS = {"sms": f"{__name__}.SecondWorkerGateway"}
    SecondWorkerGateway.second_pass = []
    [message] = queue()
    assert services.outbox_deliver(now=NOW) == 1
    assert SecondWorkerGateway.second_pass == [0]
    assert CountingGateway.sent == [message.pk]
    assert services.outbox_deliver(now=NOW + dt.timedelta(hours=1)) == 0


def test_a_worker_that_died_mid_send_releases_the_message_after_the_lease(settings):
    [message] = queue()
    settings.NOTIFICATION_BACKENDS = {"sms": f"{__name__}.DyingGateway"}
    with pytest.raises(SystemExit):
        services.outbox_deliver(now=NOW)
    settings.NOTIFICATION_BACKENDS = {"sms": COUNTING}
    assert services.outbox_deliver(now=NOW + services.LEASE - dt.timedelta(seconds=1)) == 0
    assert services.outbox_deliver(now=NOW + services.LEASE) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.claim) == (MessageStatus.SENT, 2, "")
    assert CountingGateway.sent == [message.pk]


def test_messages_not_yet_due_wait_for_their_time():
    queue(1, at=NOW + dt.timedelta(minutes=3))
    assert services.outbox_deliver(now=NOW) == 0
    assert services.outbox_deliver(now=NOW + dt.timedelta(minutes=3)) == 1


def test_backoff_doubles_from_the_configured_base_and_is_capped(settings):
    settings.NOTIFY_RETRY_SECONDS = 60
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert services.backoff(30) == services.MAX_BACKOFF


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_workers_never_send_twice():
    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        pytest.skip("SQLite in-memory test database: set SQLITE_TEST_NAME to a file path")
    messages = queue(60)
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        try:
            for _ in range(5):
                services.outbox_deliver(now=NOW)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(CountingGateway.sent) == sorted(m.pk for m in messages)
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 60


def test_a_backend_path_that_cannot_be_imported_fails_the_system_check():
    with override_settings(NOTIFICATION_BACKENDS={"sms": "nowhere.Gateway"}):
        [error] = backends_importable()
    assert error.id == "notifications.E001"
    assert backends_importable() == []
