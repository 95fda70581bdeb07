"""Two sweep workers started together over the same data issue no duplicate card: real threads,
real transactions, the unique constraint deciding. Runs on PostgreSQL, and on SQLite when
SQLITE_TEST_NAME gives the tests a database file (the in-memory one cannot be shared)."""

from __future__ import annotations

import threading
from typing import Any, cast

import pytest
import time_machine
from django.db import connection

from onewindow.review.tests.task_world import accepted_case, at, make_world
from onewindow.supervision.models import Card
from onewindow.supervision.services.sweep import SweepResult, supervision_sweep
from onewindow.supervision.tests.world import D, submitted_case

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _real_database_file() -> None:
    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        pytest.skip("SQLite in-memory test database: set SQLITE_TEST_NAME to a file path")


def _race(workers: int, batch: int) -> list[Any]:
    results: list[Any] = [None] * workers
    start = threading.Barrier(workers)

    def run(i: int) -> None:
        try:
            with time_machine.travel(at("2025-10-15", 7), tick=False):
                start.wait(timeout=10)
                results[i] = supervision_sweep(today=D("2025-10-15"), batch=batch)
        except BaseException as exc:  # surfaced by the assertions below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.parametrize("batch", [1, 500])
def test_two_sweeps_at_once_issue_every_card_exactly_once(personas, batch):
    world = make_world(personas)
    for _ in range(4):
        accepted_case(world)
    submitted_case(world)
    results = _race(2, batch)
    assert all(isinstance(r, SweepResult) for r in results), results
    cards = list(Card.objects.values_list("rule_id", "object_kind", "object_id", "level"))
    assert len(cards) == len(set(cards)) == sum(r.total for r in results)
    assert Card.objects.filter(rule__code="task_due", level="red").count() == 8
    # Nothing left to do for a third worker.
    assert supervision_sweep(today=D("2025-10-15")).total == 0
