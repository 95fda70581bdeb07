"""Two clerks deciding the same case at once, with real threads and real transactions: exactly
one decision is made, the other clerk is told the case was just handled. Runs on SQLite and on
PostgreSQL (whichever DATABASE_URL names)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, cast

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases.forms.intake import DecisionForm
from onewindow.cases.models import Case, CaseEvent, CaseStatus, Notice
from onewindow.cases.tests.test_intake_rules import submitted_case

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _real_database_file() -> None:
    # Django's in-memory SQLite test database is shared between threads through SQLite's
    # shared cache, whose table locks fail at once instead of waiting: not how the app runs
    # (a WAL file with a busy timeout). SQLITE_TEST_NAME=<file> gives the tests a real file.
    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        pytest.skip("SQLite in-memory test database: set SQLITE_TEST_NAME to a file path")


JUST_HANDLED = "该办件刚刚已被他人处理，请刷新后查看最新状态。"
CHANGED_SINCE_OPENED = "该办件在您打开页面后已发生变化"


def _clients(world: Any) -> list[Client]:
    second = User.objects.create_user(
        username="clerk2", password="x", role=Role.CLERK, department=world.department
    )
    clients = []
    for user in (world.clerk, second):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def _race(clients: list[Client], post: Callable[[Client], Any]) -> list[Any]:
    """Run ``post`` for every client in its own thread, all at once; return the responses."""
    results: list[Any] = [None] * len(clients)
    start = threading.Barrier(len(clients))

    def run(i: int) -> None:
        try:
            start.wait(timeout=10)
            results[i] = post(clients[i])
        except BaseException as exc:  # surfaced by the assertions below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _accept(case: Case) -> Callable[[Client], Any]:
    url = reverse("cases:intake_accept", args=[case.pk])
    return lambda client: client.post(url, {"revision": case.revision})


def _one_acceptance(case: Case) -> None:
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW  # accepted; the review opened at once (§C5)
    assert CaseEvent.objects.filter(case=case, action="accepted").count() == 1
    assert Notice.objects.filter(case=case).count() == 1


@pytest.fixture
def both_read(monkeypatch: Any) -> None:
    """Hold each request after it has read the case and checked its revision until the other
    request has too, so both decide on the same state (outside any transaction)."""
    barrier = threading.Barrier(2)
    stale = DecisionForm.stale

    def stale_after_both_read(form: DecisionForm) -> bool:
        barrier.wait(timeout=10)
        return stale(form)

    monkeypatch.setattr(DecisionForm, "stale", stale_after_both_read)


def test_two_clerks_who_read_the_same_case_accept_it_once(world, both_read):
    case = submitted_case(world, when="2026-03-02")
    clients = _clients(world)
    responses = _race(clients, _accept(case))
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    codes = sorted(r.status_code for r in responses)
    assert codes == [302, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert JUST_HANDLED in loser.content.decode()
    _one_acceptance(case)


def test_two_clerks_racing_without_coordination_still_accept_once(world):
    case = submitted_case(world, when="2026-03-02")
    responses = _race(_clients(world), _accept(case))
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    codes = sorted(r.status_code for r in responses)
    # The loser either lost the conditional UPDATE (409) or already saw the new status (400).
    assert codes in ([302, 409], [302, 400])
    loser = next(r for r in responses if r.status_code != 302).content.decode()
    # The loser lost the conditional UPDATE, saw the revision changed under its form, or already
    # saw the new status: each says so, and nothing was changed twice.
    assert any(
        text in loser for text in (JUST_HANDLED, CHANGED_SINCE_OPENED, "办件当前状态为“已受理”")
    )
    _one_acceptance(case)


def test_accept_and_reject_at_once_produce_one_decision(world, both_read):
    case = submitted_case(world, when="2026-03-02")
    clients = _clients(world)
    accept_url = reverse("cases:intake_accept", args=[case.pk])
    reject_url = reverse("cases:intake_reject", args=[case.pk])
    posts = {
        id(clients[0]): lambda c: c.post(accept_url, {"revision": case.revision}),
        id(clients[1]): lambda c: c.post(
            reject_url, {"revision": case.revision, "reasons": "不属于本部门"}
        ),
    }
    responses = _race(clients, lambda c: posts[id(c)](c))
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert sorted(r.status_code for r in responses) == [302, 409]
    case.refresh_from_db()
    assert case.status in (CaseStatus.IN_REVIEW, CaseStatus.REJECTED)  # accepting opens the review
    assert Notice.objects.filter(case=case).count() == 1
    decided = CaseEvent.objects.filter(case=case, action__in=["accepted", "rejected"])
    assert decided.count() == 1
