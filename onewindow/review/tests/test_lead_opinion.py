"""No licence without the lead department's own review (docs/rules/licensing.md §C1, §C2): deemed
consent is for co-departments only, and a decision needs the lead's recorded opinion — refused
otherwise, with a clear message, by the service, the page and the API; nothing is written.

Dates by hand (decision_world: accepted 2025-09-30; A3: Oct 1–8 holiday, Sat Oct 11 works):
co-department B (15 working days) is due 2025-10-28, the lead A (19) 2025-11-03, the case (20)
2025-11-04.
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.cases.models import CaseStatus
from onewindow.review.models import Decision, Opinion, OpinionKind, Task, TaskStatus
from onewindow.review.selectors import decisions as sel
from onewindow.review.services.decisions import (
    LeadOpinionMissing,
    OpinionsIncomplete,
    decision_make,
)
from onewindow.review.tests.decision_world import (
    at,
    case_in_review,
    deem_silent,
    give_opinion,
    make_world,
)

REMEDIES = "可以在六十日内申请行政复议，或者在六个月内提起行政诉讼。"
LEAD_MISSING = "牵头部门鄂州市市场监督管理局尚未提出本部门的审查意见"


@pytest.fixture
def dworld(personas):
    return make_world(personas)


def _lead(case) -> Task:
    return Task.objects.get(case=case, is_lead=True)


def _old_lead_deemed(case, day: str = "2025-11-04") -> Task:
    """The state the old job left behind: the silent lead recorded as 默许同意 like a
    co-department (status deemed, an opinion with no signer)."""
    lead = _lead(case)
    Task.objects.filter(pk=lead.pk).update(status=TaskStatus.DEEMED, closed_at=at(day, 1))
    Opinion.objects.create(
        task=lead, kind=OpinionKind.DEEMED_CONSENT, text="视为同意。", actor=None, at=at(day, 1)
    )
    return lead


def _unchanged(case, revision: int) -> None:
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW and case.revision == revision
    assert not Decision.objects.filter(case=case).exists()


def test_with_everyone_silent_only_the_co_department_is_deemed_and_no_one_may_grant(dworld):
    """2025-11-04: B (due 10-28) and the lead A (due 11-03) are both past due and silent."""
    case = case_in_review(dworld)
    assert deem_silent("2025-11-04") == 1
    assert _lead(case).status == TaskStatus.OPEN
    assert sel.decisions_pending(dworld.p.approver_a).count() == 0
    revision = case.revision
    with (
        time_machine.travel(at("2025-11-04"), tick=False),
        pytest.raises(OpinionsIncomplete, match="尚缺：鄂州市市场监督管理局"),
    ):
        decision_make(case=case, actor=dworld.p.approver_a, kind="grant")
    _unchanged(case, revision)


def test_the_lead_answering_late_after_a_deemed_co_department_may_then_decide(dworld):
    """B deemed on 2025-10-29 (due 10-28); the lead agrees on 2025-11-05, past its 11-03."""
    case = case_in_review(dworld)
    assert deem_silent("2025-10-29") == 1
    give_opinion(dworld, case, dworld.p.dept_a, day="2025-11-05")
    assert list(sel.decisions_pending(dworld.p.approver_a)) == [case]
    with time_machine.travel(at("2025-11-05", 15), tick=False):
        decision_make(case=case, actor=dworld.p.approver_a, kind="grant")
    case.refresh_from_db()
    assert case.status == CaseStatus.GRANTED


@pytest.mark.parametrize("kind", ["grant", "refuse"])
def test_a_decision_on_a_lead_recorded_only_as_deemed_is_refused(dworld, kind):
    case = case_in_review(dworld)
    deem_silent("2025-10-29")
    _old_lead_deemed(case)
    assert sel.opinions_complete(case)  # every task closed, yet the lead never reviewed
    assert sel.decisions_pending(dworld.p.approver_a).count() == 0
    summary = sel.review_summary(case)
    assert "decide" not in sel.allowed_actions(dworld.p.approver_a, summary)
    revision = case.revision
    with (
        time_machine.travel(at("2025-11-04"), tick=False),
        pytest.raises(LeadOpinionMissing, match=LEAD_MISSING),
    ):
        decision_make(
            case=case, actor=dworld.p.approver_a, kind=kind, reasons="理由", remedies=REMEDIES
        )
    _unchanged(case, revision)


def test_the_page_refuses_a_grant_without_the_leads_own_opinion(client, dworld):
    case = case_in_review(dworld)
    deem_silent("2025-10-29")
    _old_lead_deemed(case)
    client.force_login(dworld.p.approver_a)
    with time_machine.travel(at("2025-11-04"), tick=False):
        response = client.post(
            reverse("review:decision_make", args=[case.pk]),
            {"revision": case.revision, "kind": "grant"},
        )
    assert response.status_code == 400
    assert LEAD_MISSING in response.content.decode()
    _unchanged(case, case.revision)


def test_the_api_refuses_a_grant_without_the_leads_own_opinion(dworld):
    case = case_in_review(dworld)
    deem_silent("2025-10-29")
    _old_lead_deemed(case)
    api = APIClient()
    api.force_authenticate(dworld.p.approver_a)
    with time_machine.travel(at("2025-11-04"), tick=False):
        response = api.post(
            reverse("api:review-decide", args=[case.pk]), {"kind": "grant"}, format="json"
        )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "lead_opinion_missing" and LEAD_MISSING in body["message"]
    _unchanged(case, case.revision)


def test_the_migration_reopens_a_lead_task_the_old_job_deemed(dworld):
    """Cases still in review whose lead was deemed by the old job get the lead's task back,
    open, with its deemed opinion removed and an event saying why; decided cases are left."""
    case = case_in_review(dworld)
    deem_silent("2025-10-29")
    lead = _old_lead_deemed(case)
    migration = importlib.import_module("onewindow.review.migrations.0004_lead_never_deemed")
    with time_machine.travel(at("2025-12-01"), tick=False):
        migration.reopen_deemed_lead_tasks(apps, None)
    lead.refresh_from_db()
    assert lead.status == TaskStatus.OPEN and lead.closed_at is None
    assert not Opinion.objects.filter(task=lead).exists()
    event = case.events.get(action="lead_deemed_consent_withdrawn")
    assert "牵头部门" in event.reason
    co = Task.objects.get(case=case, is_lead=False)
    assert co.status == TaskStatus.DEEMED  # a co-department's deemed consent stands
    assert sel.decisions_pending(dworld.p.approver_a).count() == 0
    give_opinion(dworld, case, dworld.p.dept_a, day="2025-12-01")
    assert list(sel.decisions_pending(dworld.p.approver_a)) == [case]
    assert _lead(case).opinion.actor == dworld.p.approver_a
    assert dt.date(2025, 11, 3) == _lead(case).due
