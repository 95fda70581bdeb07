"""Several workers recomputing the same period at once (the job in two processes, a supervisor's
button) end with exactly one row per subject and no error: real threads, real transactions,
the scheme-row lock (PostgreSQL) or SQLite's one writer deciding. Needs a database file on
SQLite (SQLITE_TEST_NAME), like the sweep's concurrency test."""

from __future__ import annotations

import threading
from typing import Any, cast

import pytest
import time_machine
from django.db import connection

from onewindow.review.tests.task_world import at
from onewindow.supervision.models import PerformanceScore
from onewindow.supervision.services.scores import scheme_get, scores_compute
from onewindow.supervision.tests.score_world import decided_case, make_score_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _real_database_file() -> None:
    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        pytest.skip("SQLite in-memory test database: set SQLITE_TEST_NAME to a file path")


def test_three_recomputes_at_once_leave_one_row_per_subject(personas):
    decided_case(make_score_world(personas), "2025-10-14")
    scheme_get()
    workers = 3
    results: list[Any] = [None] * workers
    start = threading.Barrier(workers)

    def run(i: int) -> None:
        try:
            with time_machine.travel(at("2026-01-05", 9), tick=False):
                start.wait(timeout=10)
                results[i] = len(scores_compute(kind="quarter", period_start="2025-10-01"))
        except BaseException as exc:  # surfaced by the assertions below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(r, int) for r in results), results
    rows = list(PerformanceScore.objects.values_list("subject_kind", "department", "window"))
    assert len(rows) == len(set(rows)) == results[0]
    assert PerformanceScore.objects.get(department=personas.dept_a).rank == 1
