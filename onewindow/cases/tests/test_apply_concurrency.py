"""Two submissions of the same draft at the same moment, in real threads and transactions.

Whatever the path (service, API with one Idempotency-Key, API without, the page's double
click), exactly one case number and one "submitted" event come out, and both callers get the
same case. Runs on PostgreSQL, and on SQLite when the test database is a file
(SQLITE_TEST_NAME): the in-memory one shares tables between threads through a cache whose
locks fail at once instead of waiting, which is not how the application runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, cast

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, CaseFile, CaseNumberSequence, CaseStatus
from onewindow.cases.tests import test_apply_fixtures as fx
from onewindow.cases.tests.conftest import PDF_BYTES
from onewindow.cases.tests.test_apply_fixtures import complete_draft, draft, page_data, pdf

aw = fx.aw  # the fixture, shared with the other application tests

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _real_database_file() -> None:
    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        pytest.skip("SQLite in-memory test database: set SQLITE_TEST_NAME to a file path")


def race(call: Callable[[int], Any], n: int = 2) -> list[Any]:
    """Run ``call(i)`` in ``n`` threads released at the same instant; return results in order."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call(i)
        except Exception as exc:  # reported to the test below, never swallowed
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a submission hung"
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


def assert_submitted_once(case: Case) -> Case:
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert Case.objects.exclude(number=None).count() == 1
    assert CaseEvent.objects.filter(case=case, action="submitted").count() == 1
    assert CaseNumberSequence.objects.get().last == 1
    return case


def test_two_service_calls_at_once_submit_once(aw):
    case = complete_draft(aw)

    def submit(_: int) -> services.Submission:
        fresh = Case.objects.get(pk=case.pk)  # each caller read the draft before the other wrote
        return services.application_submit(case=fresh, actor=aw.applicant)

    results = race(submit)
    assert_submitted_once(case)
    assert {r.case.pk for r in results} == {case.pk}
    assert {r.case.number for r in results} == {Case.objects.get(pk=case.pk).number}
    assert sorted(r.created for r in results) == [False, True]


@pytest.mark.parametrize("keys", [("same-key", "same-key"), ("", "")])
def test_two_api_submissions_at_once_give_one_case(aw, keys):
    case = complete_draft(aw)
    clients = []
    for _ in keys:
        client = APIClient()
        client.force_authenticate(aw.applicant)
        clients.append(client)

    def submit(i: int) -> Any:
        headers = {"HTTP_IDEMPOTENCY_KEY": keys[i]} if keys[i] else {}
        return clients[i].post(f"/api/v1/cases/{case.pk}/submit/", {}, format="json", **headers)

    responses = race(submit)
    case = assert_submitted_once(case)
    assert sorted(r.status_code for r in responses) == [200, 201]
    assert {r.json()["number"] for r in responses} == {case.number}
    assert {r.json()["id"] for r in responses} == {case.pk}


def test_a_double_click_on_the_submit_button_gives_one_case_and_files_once(aw):
    case = draft(aw)
    lines = list(case.materials.all())
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(aw.applicant)

    def click(i: int) -> Any:
        data = page_data(action="submit", token="double-click-race-01")
        for line in lines:
            data[f"files-{line.pk}"] = [pdf(f"m{line.pk}.pdf", PDF_BYTES + bytes([line.pk % 250]))]
        return clients[i].post(reverse("cases:application", args=[case.pk]), data)

    responses = race(click)
    assert_submitted_once(case)
    assert {r.status_code for r in responses} == {302}
    assert {r["Location"] for r in responses} == {reverse("cases:apply_done", args=[case.pk])}
    assert CaseFile.objects.filter(case_material__case=case).count() == len(lines)
    assert len(fx.files_on_disk()) == len(lines)
