"""Two reviewers deciding the same task at the same moment, with real threads and real
transactions: exactly one opinion, the other reviewer told clearly that the task was just handled
(409). Runs on SQLite (needs SQLITE_TEST_NAME, a file) and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, cast

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases.models import CaseEvent
from onewindow.review import selectors
from onewindow.review.models import Opinion, StepRecord, Task, TaskStatus
from onewindow.review.tests.task_world import accepted_case, at, make_world, task_of


@pytest.fixture
def tworld(personas):
    return make_world(personas)


pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
JUST_HANDLED = "该审查任务刚刚已被他人处理，请刷新后查看最新状态。"


@pytest.fixture(autouse=True)
def _real_database_file() -> None:
    # In-memory SQLite shares one cache between threads whose table locks fail at once: not how
    # the app runs (a WAL file with a busy timeout). SQLITE_TEST_NAME=<file> gives a real file.
    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        pytest.skip("SQLite in-memory test database: set SQLITE_TEST_NAME to a file path")


def _race(clients: list[Any], post: Callable[[Any, int], Any]) -> list[Any]:
    results: list[Any] = [None] * len(clients)
    start = threading.Barrier(len(clients))

    def run(i: int) -> None:
        try:
            start.wait(timeout=10)
            results[i] = post(clients[i], i)
        except BaseException as exc:  # surfaced by the assertions below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    with time_machine.travel(at("2025-10-13"), tick=False):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    return results


def _reviewers(w: Any) -> list[User]:
    second = User.objects.create_user(
        username="reviewer_b2", password="x", role=Role.REVIEWER, department=w.p.dept_b
    )
    return [w.p.reviewer_b, second]


@pytest.fixture
def both_read(monkeypatch: Any) -> None:
    """Hold each request after it has read the task until the other has too, so both act on
    the same revision (the first read of each thread only)."""
    barrier = threading.Barrier(2)
    seen = threading.local()
    real = selectors.task_get_for_staff

    def read_then_wait(request: Any, *, task_id: int) -> Task:
        task = real(request, task_id=task_id)
        if not getattr(seen, "done", False):
            seen.done = True
            barrier.wait(timeout=10)
        return task

    monkeypatch.setattr(selectors, "task_get_for_staff", read_then_wait)


def _one_opinion(task: Task) -> None:
    assert Opinion.objects.filter(task=task).count() == 1
    assert StepRecord.objects.filter(task=task).count() == 1
    assert CaseEvent.objects.filter(case=task.case, action="opinion_given").count() == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.revision == 1


def test_two_reviewers_giving_an_opinion_through_the_api_at_once_make_one(tworld, both_read):
    case = accepted_case(tworld)
    task = task_of(case, tworld.p.dept_b)
    clients = []
    for user in _reviewers(tworld):
        client = APIClient()
        client.force_authenticate(user)
        clients.append(client)
    url = f"/api/v1/review/tasks/{task.pk}/opinion/"
    kinds = [{"kind": "agree"}, {"kind": "disagree", "text": "不符合规划"}]

    def post(client: Any, i: int) -> Any:
        return client.post(url, {"revision": 0, **kinds[i]}, format="json")

    responses = _race(clients, post)
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["code"] == "conflict" and loser.json()["message"] == JUST_HANDLED
    _one_opinion(task)


def test_two_reviewers_on_the_task_page_at_once_make_one_opinion(tworld):
    case = accepted_case(tworld)
    task = task_of(case, tworld.p.dept_b)
    clients = []
    for user in _reviewers(tworld):
        client = Client()
        client.force_login(user)
        clients.append(client)
    url = reverse("review:task_opinion", args=[task.pk])

    def post(client: Any, i: int) -> Any:
        return client.post(url, {"revision": 0, "kind": "agree", "text": ""})

    responses = _race(clients, post)
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert sorted(r.status_code for r in responses) == [302, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert JUST_HANDLED in loser.content.decode()
    _one_opinion(task)
