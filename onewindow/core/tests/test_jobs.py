"""Periodic jobs run once per period across all workers (docs/rules/tasks.md §X2)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest

from onewindow.core import jobs
from onewindow.core.models import JobOutcome, JobRun

START = 1_800_000_000.0  # a multiple of 10 and 60


@pytest.fixture
def registry(monkeypatch) -> dict[str, jobs.Job]:
    monkeypatch.setattr(jobs, "JOBS", {})
    monkeypatch.setattr(jobs, "close_old_connections", lambda: None)
    return jobs.JOBS


@pytest.mark.django_db
def test_due_jobs_run_and_a_failing_job_does_not_stop_the_others(registry):
    calls: list[str] = []

    @jobs.periodic("broken", interval=10)
    def broken() -> None:
        raise RuntimeError("boom")

    @jobs.periodic("fine", interval=10)
    def fine() -> None:
        calls.append("fine")

    assert jobs.run_due_jobs(now=START) == ["fine"]
    assert calls == ["fine"]
    # Within the period nothing runs again; in the next one, both are due.
    assert jobs.run_due_jobs(now=START + 9.9) == []
    assert jobs.run_due_jobs(now=START + 10) == ["fine"]
    runs = {(r.name, r.outcome) for r in JobRun.objects.all()}
    assert runs == {("broken", JobOutcome.FAILED), ("fine", JobOutcome.OK)}
    failed = JobRun.objects.filter(name="broken").first()
    assert failed is not None and failed.error == "RuntimeError: boom" and failed.finished_at


@pytest.mark.django_db
def test_two_claims_of_the_same_period_let_one_run():
    start = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)
    first = jobs.job_claim("cases.accept_deemed", start)
    assert first is not None and first.outcome == JobOutcome.RUNNING and first.pid
    assert jobs.job_claim("cases.accept_deemed", start) is None
    # Another job, or the next period, is claimed on its own.
    assert jobs.job_claim("review.deem_consent", start) is not None
    assert jobs.job_claim("cases.accept_deemed", start + dt.timedelta(minutes=1)) is not None


@pytest.mark.django_db
def test_a_second_process_skips_the_period_the_first_one_ran(registry):
    calls: list[str] = []
    jobs.periodic("count", interval=60)(lambda: calls.append("run"))
    other = {name: dataclasses.replace(job) for name, job in registry.items()}
    assert jobs.run_due_jobs(now=START) == ["count"]
    assert jobs.run_due_jobs(now=START + 30, jobs=other) == []
    assert jobs.run_due_jobs(now=START + 60, jobs=other) == ["count"]
    assert jobs.run_due_jobs(now=START + 61) == []
    assert calls == ["run", "run"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_embedded_loops_run_each_job_exactly_once_per_period(registry):
    """Two worker processes' loops (here threads, each with its own registry) over five periods
    of two jobs: ten runs in all, each (job, period) once."""
    lock = threading.Lock()
    calls: list[tuple[str, str]] = []
    period = threading.local()

    def job(name: str):
        def run() -> None:
            with lock:
                calls.append((name, period.now))

        return run

    jobs.periodic("a", interval=10)(job("a"))
    jobs.periodic("b", interval=20)(job("b"))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        from django.db import connection

        mine = {name: dataclasses.replace(j) for name, j in registry.items()}
        try:
            for step in range(10):
                now = START + step * 5
                period.now = str(now)
                barrier.wait()
                jobs.run_due_jobs(now=now, jobs=mine)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    # "a": periods START, +10, +20, +30, +40; "b": START, +20, +40.
    assert sorted(name for name, _ in calls) == ["a"] * 5 + ["b"] * 3
    assert JobRun.objects.filter(outcome=JobOutcome.OK).count() == 8
    assert len(set(JobRun.objects.values_list("name", "period_start"))) == 8


@pytest.mark.django_db
def test_old_run_records_are_pruned():
    now = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)
    for days in (1, 6, 8, 30):
        jobs.job_claim("x", now - dt.timedelta(days=days))
    assert jobs.jobruns_prune(now=now) == 2
    assert JobRun.objects.count() == 2
    assert "core.jobruns_prune" in jobs.jobs_import()


def test_every_worker_calls_are_made_in_each_process_at_their_interval(monkeypatch):
    monkeypatch.setattr(jobs, "WORKER_CALLS", {})
    seen: list[str] = []
    jobs.every_worker("beat", interval=10)(seen.append)
    assert jobs.worker_calls_due("embedded", now=100.0) == ["beat"]
    assert jobs.worker_calls_due("embedded", now=105.0) == []
    assert jobs.worker_calls_due("procrastinate", now=110.0) == ["beat"]
    assert seen == ["embedded", "procrastinate"]


@pytest.mark.django_db
def test_the_runs_are_listed_read_only_to_the_operators_in_the_admin(client, personas):
    """The operators (superusers) read the runs; no role of the product manages them."""
    jobs.job_claim("supervision.sweep", dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC))
    client.force_login(personas.admin)
    assert client.get("/admin/core/jobrun/").status_code == 403
    personas.admin.is_superuser = True
    personas.admin.save()
    page = client.get("/admin/core/jobrun/")
    assert page.status_code == 200 and "supervision.sweep" in page.content.decode()
    assert client.get("/admin/core/jobrun/add/").status_code == 403
