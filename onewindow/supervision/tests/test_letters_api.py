"""The supervision letters API (督办函): lists per role, issue → respond → close, JSON errors
with nothing saved, others 404 and logged, the PDF, everything in the OpenAPI schema."""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.test import APIClient

from onewindow.cases.models import Case
from onewindow.cases.tests.test_notices_pdf import extract_text, needs_extractor
from onewindow.core.models import AccessDenied
from onewindow.review.tests.task_world import accepted_case, at, make_world
from onewindow.supervision.models import LetterStatus, SupervisionLetter

pytestmark = pytest.mark.django_db
BASE = "/api/v1/supervision/letters"


@pytest.fixture
def case(personas) -> Case:
    return accepted_case(make_world(personas))


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _issue(personas, case, **body):
    data = {
        "department": personas.dept_a.pk,
        "case": case.pk,
        "subject": "审查超时",
        "text": "请说明原因。",
        **body,
    }
    with time_machine.travel(at("2025-09-30", 9), tick=False):
        return _api(personas.supervisor).post(f"{BASE}/", data, format="json")


def test_issue_respond_close_over_the_api(personas, case):
    r = _issue(personas, case)
    assert r.status_code == 201, r.json()
    letter = r.json()
    assert letter["number"] == "督〔2025〕001号" and letter["response_due"]["date"] == "2025-10-14"
    assert letter["response_days"] == 5 and letter["status"] == LetterStatus.ISSUED
    url = f"{BASE}/{letter['id']}"
    r = _api(personas.handler_a).post(f"{url}/respond/", {"text": "已办结", "revision": 0})
    assert r.status_code == 200 and r.json()["status"] == LetterStatus.RESPONDED
    r = _api(personas.supervisor).post(f"{url}/close/", {"text": "同意", "revision": 1})
    assert r.status_code == 200 and r.json()["status"] == LetterStatus.CLOSED


def test_lists_follow_the_role(personas, case):
    letter = _issue(personas, case).json()
    own = _api(personas.handler_a).get(f"{BASE}/").json()
    assert [row["id"] for row in own["results"]] == [letter["id"]]
    assert _api(personas.reviewer_b).get(f"{BASE}/").json()["results"] == []
    sup = _api(personas.supervisor)
    assert sup.get(f"{BASE}/", {"department": personas.dept_b.pk}).json()["results"] == []
    assert sup.get(f"{BASE}/", {"status": "issued"}).json()["count"] == 1
    bad = sup.get(f"{BASE}/", {"status": "nonsense"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert _api(personas.applicant).get(f"{BASE}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"text": ""}, "请填写督办内容"),
        ({"response_days": 0}, "回复期限须为 1 至 20 个工作日"),
        ({"response_days": 30}, "回复期限须为 1 至 20 个工作日"),
    ],
)
def test_bad_input_is_a_json_error_and_nothing_is_saved(personas, case, body, message):
    r = _issue(personas, case, **body)
    assert r.status_code == 400
    assert r.json()["code"] == "letter_error" and message in r.json()["message"]
    assert not SupervisionLetter.objects.exists()


def test_others_are_refused_and_logged(personas, case):
    with time_machine.travel(at("2025-09-30", 9), tick=False):
        r = _api(personas.chief_a).post(
            f"{BASE}/",
            {"department": personas.dept_a.pk, "subject": "x", "text": "y"},
            format="json",
        )
    assert r.status_code == 404 and not SupervisionLetter.objects.exists()
    letter = _issue(personas, case).json()
    url = f"{BASE}/{letter['id']}"
    assert _api(personas.reviewer_b).get(f"{url}/").status_code == 404
    assert _api(personas.reviewer_b).post(f"{url}/respond/", {"text": "x"}).status_code == 404
    assert _api(personas.reviewer_b).get(f"{url}/pdf/").status_code == 404
    r = _api(personas.clerk).post(f"{url}/respond/", {"text": "x"})
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    r = _api(personas.handler_a).post(f"{url}/close/", {"text": "x"})
    assert r.status_code == 403
    r = _api(personas.handler_a).post(f"{url}/respond/", {"text": "x", "revision": 9})
    assert r.status_code == 409
    assert AccessDenied.objects.filter(user=personas.reviewer_b).count() == 3
    assert AccessDenied.objects.filter(user=personas.chief_a).exists()
    assert SupervisionLetter.objects.get().status == LetterStatus.ISSUED


@needs_extractor
def test_the_pdf_over_the_api(personas, case):
    letter = _issue(personas, case).json()
    r = _api(personas.handler_a).get(f"{BASE}/{letter['id']}/pdf/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = extract_text(r.content)
    assert letter["number"] in text and "审查超时" in text


def test_every_letter_endpoint_is_in_the_schema(personas):
    schema = _api(personas.supervisor).get("/api/v1/openapi.json").json()
    ops = {
        op["operationId"]
        for item in schema["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for name in ("list", "create", "retrieve", "respond", "close", "pdf"):
        assert f"supervision_letters_{name}" in ops
    assert "SupervisionLetter" in schema["components"]["schemas"]
