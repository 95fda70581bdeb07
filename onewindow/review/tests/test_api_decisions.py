"""The decision, extension and special-procedure endpoints: JSON errors, logged 404s outside the
lead department, 409 on a stale revision, and every endpoint in the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.cases.models import CaseStatus, NoticeKind
from onewindow.core.models import AccessDenied
from onewindow.review.models import Decision, Extension, Suspension
from onewindow.review.tests.decision_world import (
    all_agree,
    at,
    case_in_review,
    give_opinion,
    make_world,
)


@pytest.fixture
def dworld(personas):
    return make_world(personas)


REMEDIES = "可以在六十日内申请行政复议，或者在六个月内提起行政诉讼。"


@pytest.fixture
def frozen():
    with time_machine.travel(at("2025-10-20"), tick=False):
        yield


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(name: str, *args) -> str:
    return reverse(f"api:{name}", args=args)


def test_the_summary_shows_opinions_dates_and_allowed_actions(dworld, frozen):
    case = case_in_review(dworld)
    give_opinion(dworld, case, dworld.p.dept_a)
    response = _api(dworld.p.approver_a).get(_url("review-summary", case.pk))
    assert response.status_code == 200
    data = response.json()
    assert data["decision_due"]["date"] == "2025-11-04"
    assert data["lead_department"]["name"] == "鄂州市市场监督管理局"
    assert data["opinions_complete"] is False
    assert [o["opinion"] for o in data["opinions"]] == ["agree", None]
    assert data["extension_limit"] == 10
    assert "decide" not in data["allowed_actions"]
    assert {"extension_request", "suspension_start"} <= set(data["allowed_actions"])
    assert "鄂州市人民政府" in data["remedies_default"]


def test_a_decision_through_the_api(dworld, frozen):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    api = _api(dworld.p.approver_a)
    pending = api.get(_url("review-decisions-pending")).json()
    assert [row["number"] for row in pending["results"]] == [case.number]
    response = api.post(
        _url("review-decide", case.pk),
        {"revision": case.revision, "kind": "grant", "conditions": "限本场所"},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == CaseStatus.GRANTED
    assert data["decision"]["certificate_due"]["date"] == "2025-11-03"
    assert [n["kind"] for n in data["notices"]] == [NoticeKind.GRANT]
    assert data["allowed_actions"] == []


def test_a_refusal_without_reasons_is_a_400_with_a_clear_message(dworld, frozen):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    response = _api(dworld.p.approver_a).post(
        _url("review-decide", case.pk),
        {"kind": "refuse", "reasons": "", "remedies": REMEDIES},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "reasons_required",
        "message": "不予行政许可必须说明理由（行政许可法第三十八条）。",
    }
    assert not Decision.objects.filter(case=case).exists()


def test_a_decision_before_every_opinion_is_a_400(dworld, frozen):
    case = case_in_review(dworld)
    response = _api(dworld.p.approver_a).post(
        _url("review-decide", case.pk), {"kind": "grant"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "opinions_incomplete"
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW


def test_a_stale_revision_is_a_409_and_changes_nothing(dworld, frozen):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    response = _api(dworld.p.approver_a).post(
        _url("review-decide", case.pk), {"kind": "grant", "revision": 0}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert not Decision.objects.filter(case=case).exists()


def test_another_department_gets_a_logged_404(dworld, frozen):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    api = _api(dworld.p.reviewer_b)
    assert api.get(_url("review-summary", case.pk)).status_code == 404
    response = api.post(
        _url("review-suspension-start", case.pk),
        {"kind": "testing", "reason": "x", "expected_days": 2},
        format="json",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert (
        AccessDenied.objects.filter(user=dworld.p.reviewer_b, target=f"case:{case.pk}").count() == 2
    )
    # reviewer_b has no DECISION_MAKE: the decision endpoint is closed to them altogether.
    assert api.post(_url("review-decide", case.pk), {"kind": "grant"}).status_code == 403
    assert not Suspension.objects.filter(case=case).exists()


def test_extension_request_and_decision_through_the_api(dworld, frozen):
    case = case_in_review(dworld)
    too_long = _api(dworld.p.handler_a).post(
        _url("review-extension-request", case.pk), {"days": 11, "reasons": "核查"}, format="json"
    )
    assert too_long.status_code == 400
    assert too_long.json()["code"] == "extension_refused"
    assert "依法最多可延长 10 个工作日" in too_long.json()["message"]
    created = _api(dworld.p.handler_a).post(
        _url("review-extension-request", case.pk), {"days": 10, "reasons": "核查"}, format="json"
    )
    assert created.status_code == 201
    second = _api(dworld.p.handler_a).post(
        _url("review-extension-request", case.pk), {"days": 5, "reasons": "再延"}, format="json"
    )
    assert second.status_code == 400 and "不能重复申请" in second.json()["message"]
    head = _api(dworld.p.head_a)  # the agency head (ALL Art. 42), not the chief
    queue = head.get(_url("review-extensions-pending")).json()
    assert [row["id"] for row in queue] == [created.json()["id"]]
    decided = head.post(
        _url("review-extension-decide", created.json()["id"]), {"approve": True}, format="json"
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    case.refresh_from_db()
    assert case.decision_due == dt.date(2025, 11, 18)
    again = head.post(
        _url("review-extension-decide", created.json()["id"]), {"approve": True}, format="json"
    )
    assert again.status_code == 409
    assert Extension.objects.filter(case=case).count() == 1


def test_special_procedure_through_the_api(dworld):
    case = case_in_review(dworld)
    api = _api(dworld.p.handler_a)
    with time_machine.travel(at("2025-10-09"), tick=False):
        started = api.post(
            _url("review-suspension-start", case.pk),
            {"kind": "inspection", "reason": "现场勘验", "expected_days": 3},
            format="json",
        )
    assert started.status_code == 201, started.content
    with time_machine.travel(at("2025-10-14"), tick=False):
        ended = api.post(
            _url("review-suspension-end", started.json()["id"]),
            {"result": "勘验完毕"},
            format="json",
        )
    assert ended.status_code == 200
    assert ended.json()["days_spent"] == 4
    case.refresh_from_db()
    assert case.decision_due == dt.date(2025, 11, 10)


def test_bad_input_is_a_400_with_field_errors(dworld, frozen):
    case = case_in_review(dworld)
    response = _api(dworld.p.handler_a).post(
        _url("review-suspension-start", case.pk),
        {"kind": "holiday", "reason": "", "expected_days": 0},
        format="json",
    )
    assert response.status_code == 400
    assert {"kind", "reason", "expected_days"} <= set(response.json()["errors"])


def test_every_decision_endpoint_is_in_the_openapi_document(db):
    document = json.loads(Client().get("/api/v1/openapi.json").content)
    operations = {
        op["operationId"]
        for methods in document["paths"].values()
        for op in methods.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert {
        "review_decisions_pending",
        "review_cases_summary",
        "review_cases_decide",
        "review_cases_extension_request",
        "review_extensions_pending",
        "review_extensions_decide",
        "review_cases_suspension_start",
        "review_suspensions_end",
    } <= operations
    assert "ReviewSummary" in document["components"]["schemas"]
