"""The review task API: inbox, detail and actions, with the pages' permission rules, JSON errors
and 409 on conflict; every endpoint in the OpenAPI document."""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.test import APIClient

from onewindow.core.models import AccessDenied
from onewindow.review.models import MaterialRequest, Opinion, TaskStatus
from onewindow.review.tests.task_world import accepted_case, at, make_world, task_of


@pytest.fixture
def tworld(personas):
    return make_world(personas)


pytestmark = pytest.mark.django_db
BASE = "/api/v1/review"


@pytest.fixture
def case(tworld):
    c = accepted_case(tworld)
    with time_machine.travel(at("2025-10-13"), tick=False):
        yield c


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_inbox_is_paginated_and_sorted_by_due_date(tworld, case):
    body = _api(tworld.p.reviewer_b).get(f"{BASE}/inbox/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (
        row["due"]["date"] == "2025-10-17" and row["department"]["name"] == "鄂州市住房和城乡建设局"
    )
    assert row["case"]["number"] == case.number and row["revision"] == 0
    assert row["case"]["decision_due"]["date"] == "2025-10-21"
    assert row["due_warning"] == "none"  # 10-17 is three working days after 10-13


def test_the_inbox_filters_and_refuses_bad_values_clearly(tworld, case):
    api = _api(tworld.p.handler_a)  # the lead task is at the handler's step
    soon = api.get(f"{BASE}/inbox/", {"urgency": "soon"}).json()
    assert soon["count"] == 1 and soon["results"][0]["due_warning"] == "soon"  # due 10-14
    assert api.get(f"{BASE}/inbox/", {"urgency": "overdue"}).json()["count"] == 0
    bad = api.get(f"{BASE}/inbox/", {"status": "whatever"})
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


def test_task_detail_lists_the_actions_the_caller_may_take(tworld, case):
    task = task_of(case, tworld.p.dept_a)
    detail = _api(tworld.p.handler_a).get(f"{BASE}/tasks/{task.pk}/").json()
    assert detail["actions"] == ["step", "material_request"]
    assert detail["materials"][0]["files"][0]["url"].startswith(f"/review/tasks/{task.pk}/files/")
    assert detail["other_opinions"] == []


def test_steps_and_opinion_through_the_api(tworld, case):
    p = tworld.p
    task = task_of(case, p.dept_a)
    url = f"{BASE}/tasks/{task.pk}"
    assert _api(p.handler_a).post(f"{url}/step/", {"revision": 0}, format="json").status_code == 200
    back = _api(p.reviewer_a).post(
        f"{url}/return/", {"revision": 1, "comment": "重看"}, format="json"
    )
    assert back.status_code == 200 and back.json()["step"] == 0
    _api(p.handler_a).post(f"{url}/step/", {"revision": 2}, format="json")
    _api(p.reviewer_a).post(f"{url}/step/", {"revision": 3}, format="json")
    done = _api(p.approver_a).post(
        f"{url}/opinion/", {"revision": 4, "kind": "agree"}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == TaskStatus.DONE
    assert done.json()["opinion"]["kind"] == "agree"


def test_a_disagreement_without_reasons_is_a_400_with_a_clear_message(tworld, case):
    task = task_of(case, tworld.p.dept_b)
    response = _api(tworld.p.reviewer_b).post(
        f"{BASE}/tasks/{task.pk}/opinion/", {"revision": 0, "kind": "disagree"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "reasons_required"
    assert "必须说明理由" in response.json()["message"]
    assert not Opinion.objects.exists()


def test_a_stale_revision_is_a_409(tworld, case):
    task = task_of(case, tworld.p.dept_b)
    response = _api(tworld.p.reviewer_b).post(
        f"{BASE}/tasks/{task.pk}/opinion/", {"revision": 5, "kind": "agree"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert not Opinion.objects.exists()


def test_another_departments_task_is_a_logged_404(tworld, case):
    task = task_of(case, tworld.p.dept_b)
    api = _api(tworld.p.reviewer_a)
    assert api.get(f"{BASE}/tasks/{task.pk}/").status_code == 404
    response = api.post(
        f"{BASE}/tasks/{task.pk}/opinion/", {"revision": 0, "kind": "agree"}, format="json"
    )
    assert response.status_code == 404
    assert AccessDenied.objects.filter(target=f"review.task:{task.pk}").count() == 2
    assert not Opinion.objects.exists()


def test_an_applicant_cannot_use_the_inbox(tworld, case):
    assert _api(tworld.p.applicant).get(f"{BASE}/inbox/").status_code == 403


def test_material_request_and_the_applicants_answer(tworld, case):
    task = task_of(case, tworld.p.dept_b)
    asked = _api(tworld.p.reviewer_b).post(
        f"{BASE}/tasks/{task.pk}/material-request/",
        {"revision": 0, "text": "请补充消防验收意见书"},
        format="json",
    )
    assert asked.status_code == 200 and asked.json()["status"] == TaskStatus.WAITING_MATERIAL
    req = MaterialRequest.objects.get(task=task)
    url = f"{BASE}/material-requests/{req.pk}/answer/"
    assert _api(tworld.p.outsider).post(url, {"answer": "x"}, format="json").status_code == 404
    with time_machine.travel(at("2025-10-16"), tick=False):
        answered = _api(tworld.p.applicant).post(url, {"answer": "已补交"}, format="json")
    assert answered.status_code == 200
    assert answered.json()["paused_days"] == 3 and answered.json()["answered_on"] == "2025-10-16"
    again = _api(tworld.p.applicant).post(url, {"answer": "再交"}, format="json")
    assert again.status_code == 409


def test_every_task_endpoint_is_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {
        "review_inbox",
        "review_tasks_retrieve",
        "review_tasks_step",
        "review_tasks_return",
        "review_tasks_opinion",
        "review_tasks_material_request",
        "review_material_requests_answer",
    } <= operations
    assert "TaskDetail" in schema["components"]["schemas"]
