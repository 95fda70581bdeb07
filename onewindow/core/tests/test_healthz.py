"""docs/operations.md §W6: /healthz checks the database, Redis (when configured) and the
freshest worker heartbeat; ``?scope=web`` (a web node's probe) leaves the worker out. A failure is
a 503 that names the part, never its exception text."""

from __future__ import annotations

import datetime as dt
import os
import socket
from unittest import mock

import pytest
from django.db import OperationalError

from onewindow.core import clock, heartbeat
from onewindow.core.models import WorkerHeartbeat

REDIS_TEST_URL = "redis://127.0.0.1:6379/5"


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


def _beat(age_seconds: float, *, pid: int = 4242) -> None:
    at = clock.now() - dt.timedelta(seconds=age_seconds)
    WorkerHeartbeat.objects.create(
        host="worker-1", pid=pid, engine="embedded", started_at=at, beat_at=at
    )


@pytest.fixture(autouse=True)
def _no_redis(settings):
    settings.REDIS_URL = ""


@pytest.mark.django_db
def test_healthz_is_200_with_the_database_and_a_fresh_worker_beat(client):
    _beat(3)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["redis"] == "not configured"
    assert body["worker"] == "ok"
    assert 2 <= body["worker_age_seconds"] <= 30
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_worker_beat_older_than_the_maximum_age_is_stale_and_503(client, settings):
    settings.WORKER_HEARTBEAT_MAX_AGE = 60
    _beat(61)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["worker"] == "stale"
    assert body["worker_age_seconds"] >= 61
    assert body["database"] == "ok"


@pytest.mark.django_db
def test_the_freshest_of_several_workers_counts(client):
    _beat(500, pid=1)
    _beat(5, pid=2)
    assert client.get("/healthz").json()["worker"] == "ok"


@pytest.mark.django_db
def test_no_worker_beat_at_all_is_missing_and_503(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "missing"
    assert response.json()["worker_age_seconds"] is None


@pytest.mark.django_db
def test_scope_web_checks_only_the_database_and_redis(client):
    response = client.get("/healthz?scope=web")  # no worker has ever beaten
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured"}
    _beat(10_000)
    assert client.get("/healthz?scope=web").status_code == 200


@pytest.mark.django_db
def test_an_unknown_scope_is_a_400_in_chinese(client):
    response = client.get("/healthz?scope=everything")
    assert response.status_code == 400
    assert "scope" in response.json()["errors"]
    assert "只能是" in response.json()["message"]


def test_a_failing_database_cursor_is_503_without_the_exception_text(client):
    with mock.patch("onewindow.core.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("connection to 10.0.0.5 refused: pw=x")
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body == {
        "status": "error",
        "database": "error",
        "redis": "not configured",
        "worker": "unknown",
    }
    assert b"10.0.0.5" not in response.content
    assert b"OperationalError" not in response.content


def test_a_failing_query_is_503_for_the_web_scope_too(client):
    with mock.patch("onewindow.core.views.connection") as connection:
        cursor = connection.cursor.return_value.__enter__.return_value
        cursor.execute.side_effect = OperationalError("server closed the connection")
        response = client.get("/healthz?scope=web")
    assert response.status_code == 503
    assert response.json()["database"] == "error"
    assert b"closed" not in response.content


@pytest.mark.django_db
def test_redis_on_a_closed_port_is_503_without_the_exception_text(client, settings):
    _beat(1)
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/5"
    for path in ("/healthz", "/healthz?scope=web"):
        response = client.get(path)
        assert response.status_code == 503, path
        body = response.json()
        assert body["redis"] == "error"
        assert body["database"] == "ok"
        text = response.content.decode()
        assert "refused" not in text.lower()
        assert "Error" not in text
        assert str(settings.REDIS_URL) not in text


@pytest.mark.django_db
@pytest.mark.skipif(not _redis_reachable(), reason="no Redis server on 127.0.0.1:6379")
def test_a_reachable_redis_is_ok(client, settings):
    _beat(1)
    settings.REDIS_URL = REDIS_TEST_URL
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["redis"] == "ok"


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405


# --- the heartbeat ------------------------------------------------------------------------------


@pytest.fixture
def fresh_process(monkeypatch):
    """As if this were a worker process that has not beaten yet."""
    monkeypatch.setattr(heartbeat, "_registered_pid", None)
    monkeypatch.setattr(heartbeat, "_last_prune", 0.0)


@pytest.mark.django_db
def test_beat_keeps_one_row_per_process_and_moves_it_forward(fresh_process, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC), tick=False)
    heartbeat.beat("embedded")
    time_machine.move_to(dt.datetime(2026, 12, 7, 9, 0, 10, tzinfo=dt.UTC), tick=False)
    heartbeat.beat("embedded")
    row = WorkerHeartbeat.objects.get()
    assert (row.host, row.pid, row.engine) == (socket.gethostname(), os.getpid(), "embedded")
    assert row.started_at == dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    assert row.beat_at == dt.datetime(2026, 12, 7, 9, 0, 10, tzinfo=dt.UTC)
    assert heartbeat.freshest() == row.beat_at


@pytest.mark.django_db
def test_a_new_process_with_a_dead_ones_pid_restarts_its_row(fresh_process):
    old = clock.now() - dt.timedelta(hours=3)
    WorkerHeartbeat.objects.create(
        host=socket.gethostname(), pid=os.getpid(), engine="x", started_at=old, beat_at=old
    )
    heartbeat.beat("procrastinate")
    row = WorkerHeartbeat.objects.get()
    assert row.engine == "procrastinate"
    assert row.started_at > old


@pytest.mark.django_db
def test_rows_of_workers_silent_for_a_day_are_pruned_by_a_beat(fresh_process):
    _beat(25 * 3600, pid=1)
    _beat(23 * 3600, pid=2)
    heartbeat.beat("embedded")
    assert sorted(WorkerHeartbeat.objects.values_list("pid", flat=True)) == sorted([2, os.getpid()])


@pytest.mark.django_db
def test_a_row_deleted_under_a_running_worker_comes_back(fresh_process):
    heartbeat.beat("embedded")
    WorkerHeartbeat.objects.all().delete()
    heartbeat.beat("embedded")
    assert WorkerHeartbeat.objects.count() == 1


@pytest.mark.django_db
def test_freshest_is_none_without_any_beat():
    assert heartbeat.freshest() is None


@pytest.mark.django_db
def test_every_worker_beats_at_once_whatever_its_engine(monkeypatch):
    from onewindow.core import jobs

    monkeypatch.setattr(jobs, "close_old_connections", lambda: None)  # keep the test transaction
    monkeypatch.setattr(jobs.WORKER_CALLS["core.heartbeat"], "last_run", 0.0)
    assert "core.heartbeat" in jobs.worker_calls_due("procrastinate", now=1000.0)
    row = WorkerHeartbeat.objects.get()
    assert (row.pid, row.engine) == (os.getpid(), "procrastinate")


@pytest.mark.django_db
def test_the_beat_comes_again_after_the_interval_and_survives_a_failing_beat(monkeypatch):
    from onewindow.core import jobs

    monkeypatch.setattr(jobs, "close_old_connections", lambda: None)
    call = jobs.WORKER_CALLS["core.heartbeat"]
    monkeypatch.setattr(call, "interval", 10)
    monkeypatch.setattr(call, "last_run", 0.0)
    beats: list[str] = []

    def flaky_beat(engine: str) -> None:
        beats.append(engine)
        if len(beats) == 1:
            raise OperationalError("database is locked")

    monkeypatch.setattr(jobs, "beat", flaky_beat)
    for now in (100.0, 105.0, 110.0, 111.0):
        jobs.worker_calls_due("embedded", now=now)
    assert beats == ["embedded", "embedded"]  # at 100 s (failed, logged) and at 110 s
