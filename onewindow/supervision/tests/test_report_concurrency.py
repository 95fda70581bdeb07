"""Two workers at once on situation reports (情况通报): real threads, real transactions. Both
scheduling queue each period once; both generating the same report make it once; two reports
finishing together get different numbers. Runs on PostgreSQL, and on SQLite when
SQLITE_TEST_NAME gives the tests a database file (the in-memory one cannot be shared)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, cast

import pytest
import time_machine
from django.db import connection

from onewindow.review.tests.task_world import at
from onewindow.supervision.models import PeriodKind, ReportStatus, SituationReport
from onewindow.supervision.services import reports
from onewindow.supervision.tests.world import D

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _real_database_file() -> None:
    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        pytest.skip("SQLite in-memory test database: set SQLITE_TEST_NAME to a file path")


def _together(*work: Callable[[], Any]) -> list[Any]:
    results: list[Any] = [None] * len(work)
    start = threading.Barrier(len(work))

    def run(i: int) -> None:
        try:
            with time_machine.travel(at("2026-12-01", 9), tick=False):
                start.wait(timeout=10)
                results[i] = work[i]()
        except BaseException as exc:  # surfaced by the assertions below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_schedulers_at_once_queue_each_period_once(personas):
    results = _together(reports.reports_schedule, reports.reports_schedule)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == SituationReport.objects.count() == 15
    keys = list(SituationReport.objects.values_list("period_kind", "period_start"))
    assert len(keys) == len(set(keys))


def test_two_workers_generate_the_same_report_once(personas):
    with time_machine.travel(at("2026-11-20", 9), tick=False):
        report = reports.report_request(
            kind=PeriodKind.MONTH, period_start=D("2026-10-01"), actor=personas.supervisor
        )
    pk = report.pk

    def generate() -> bool:
        return reports.report_generate(SituationReport.objects.get(pk=pk))

    results = _together(generate, generate)
    assert sorted(results) == [False, True], results
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.number == "情况通报〔2026〕第1期"


def test_two_reports_finishing_together_get_different_numbers(personas):
    with time_machine.travel(at("2026-11-20", 9), tick=False):
        ids = [
            reports.report_request(
                kind=PeriodKind.MONTH, period_start=D(day), actor=personas.supervisor
            ).pk
            for day in ("2026-09-01", "2026-10-01")
        ]

    def generate(pk: int) -> Callable[[], bool]:
        return lambda: reports.report_generate(SituationReport.objects.get(pk=pk))

    results = _together(generate(ids[0]), generate(ids[1]))
    assert results == [True, True], results
    numbers = sorted(str(n) for n in SituationReport.objects.values_list("number", flat=True))
    assert numbers == ["情况通报〔2026〕第1期", "情况通报〔2026〕第2期"]
