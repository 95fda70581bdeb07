"""Two deciders deciding the same case at once, with real threads and real transactions: exactly
one decision is made, the other is told the case was just handled. Runs on SQLite (with
SQLITE_TEST_NAME pointing at a file) and on PostgreSQL (whichever DATABASE_URL names)."""

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
from onewindow.cases.models import CaseEvent, CaseStatus, Notice, NoticeKind
from onewindow.review.forms import RevisionForm
from onewindow.review.models import Decision, Extension
from onewindow.review.tests.decision_world import (
    all_agree,
    case_in_review,
    make_world,
)


@pytest.fixture
def dworld(personas):
    return make_world(personas)


pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

JUST_HANDLED = "该办件刚刚已被他人处理，请刷新后查看最新状态。"
REMEDIES = "可以在六十日内申请行政复议，或者在六个月内提起行政诉讼。"


@pytest.fixture(autouse=True)
def _real_database_file() -> None:
    # See cases/tests/test_intake_concurrency.py: in-memory SQLite shares one cache between
    # threads whose table locks fail at once; a file database behaves like production.
    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        pytest.skip("SQLite in-memory test database: set SQLITE_TEST_NAME to a file path")


@pytest.fixture
def both_read(monkeypatch: Any) -> None:
    """Hold each request after it has read the case and checked its revision until the other
    has too, so both decide on the same state."""
    barrier = threading.Barrier(2)
    stale = RevisionForm.stale

    def stale_after_both_read(form: RevisionForm) -> bool:
        barrier.wait(timeout=10)
        return stale(form)

    monkeypatch.setattr(RevisionForm, "stale", stale_after_both_read)


def _race(clients: list[Client], posts: list[Callable[[Client], Any]]) -> list[Any]:
    results: list[Any] = [None] * len(clients)
    start = threading.Barrier(len(clients))

    def run(i: int) -> None:
        try:
            start.wait(timeout=10)
            results[i] = posts[i](clients[i])
        except BaseException as exc:  # surfaced by the assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _clients(*users: Any) -> list[Client]:
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def test_two_deciders_who_read_the_same_case_make_one_decision(dworld, both_read):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    url = reverse("review:decision_make", args=[case.pk])
    grant = {"revision": case.revision, "kind": "grant"}
    refuse = {
        "revision": case.revision,
        "kind": "refuse",
        "reasons": "不符合",
        "remedies": REMEDIES,
    }
    responses = _race(
        _clients(dworld.p.approver_a, dworld.p.chief_a),
        [lambda c: c.post(url, grant), lambda c: c.post(url, refuse)],
    )
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert sorted(r.status_code for r in responses) == [302, 409]
    loser = next(r for r in responses if r.status_code == 409).content.decode()
    assert JUST_HANDLED in loser or "不能重复决定" in loser
    case.refresh_from_db()
    assert case.status in (CaseStatus.GRANTED, CaseStatus.REFUSED)
    assert Decision.objects.filter(case=case).count() == 1
    kinds = [NoticeKind.GRANT, NoticeKind.REFUSAL]
    assert Notice.objects.filter(case=case, kind__in=kinds).count() == 1
    assert CaseEvent.objects.filter(case=case, action__startswith="decision_").count() == 1


def test_two_deciders_racing_without_coordination_still_decide_once(dworld):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    url = reverse("review:decision_make", args=[case.pk])
    data = {"revision": case.revision, "kind": "grant"}
    responses = _race(
        _clients(dworld.p.approver_a, dworld.p.chief_a), [lambda c: c.post(url, data)] * 2
    )
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    codes = sorted(r.status_code for r in responses)
    assert codes in ([302, 409], [302, 400])
    assert Decision.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, action__startswith="decision_").count() == 1


def test_two_heads_approving_the_same_extension_at_once_move_the_dates_once(dworld):
    from onewindow.review.services.decisions import extension_request

    case = case_in_review(dworld)
    extension = extension_request(case=case, actor=dworld.p.handler_a, days=10, reasons="核查")
    url = reverse("review:extension_decide", args=[extension.pk])
    # ALL Art. 42 (docs/rules/licensing.md §B2): the agency heads of the lead department approve,
    # not its approver or chief; department A's head and its deputy head race here.
    deputy = User.objects.create_user(
        username="deputy_head_a",
        password=dworld.p.password,
        role=Role.HEAD,
        full_name="钱学军（副局长）",
        department=dworld.p.dept_a,
    )
    responses = _race(
        _clients(dworld.p.head_a, deputy),
        [lambda c: c.post(url, {"approve": "1"})] * 2,
    )
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert sorted(r.status_code for r in responses) == [302, 409]
    case.refresh_from_db()
    assert str(case.decision_due) == "2025-11-18"
    assert CaseEvent.objects.filter(case=case, action="extension_approved").count() == 1
    assert Extension.objects.get(pk=extension.pk).status == "approved"
