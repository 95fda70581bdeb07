"""docs/rules/publicity.md §L4: objections while the publicity is open, refused after it closes;
routed to the lead department only (another department: a logged 404); the objector told of
the answer through the notifications outbox. Pages and API alike."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from onewindow.core.models import AccessDenied
from onewindow.notifications.models import OutboxMessage
from onewindow.publicity.models import Objection, ObjectionStatus
from onewindow.publicity.tests.world import decided, on, rule_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(dworld):
    rule_for(dworld)
    return decided(dworld).publicity


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_an_objection_during_the_period_goes_to_the_lead_department_only(dworld, published, client):
    p = dworld.p
    client.force_login(p.outsider)
    with on("2025-10-28", 17):  # the last day
        response = client.post(
            f"/publicity/{published.pk}/objection/",
            {"text": "申请人的经营场所实际是居民住宅。", "contact": "13907110003"},
        )
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.department == p.dept_a and objection.objector == p.outsider

    # Department A's reviewer sees it in the workbench and the API ...
    client.force_login(p.reviewer_a)
    inbox = client.get("/publicity/objections/").content.decode()
    assert published.title in inbox
    assert client.get(f"/publicity/objections/{objection.pk}/").status_code == 200
    rows = _api(p.reviewer_a).get("/api/v1/objections/").json()["results"]
    assert [r["id"] for r in rows] == [objection.pk]

    # ... department B's (who holds the same permission) gets a logged 404, page and API.
    client.force_login(p.reviewer_b)
    assert client.get(f"/publicity/objections/{objection.pk}/").status_code == 404
    assert client.get("/publicity/objections/").content.decode().count(published.title) == 0
    assert _api(p.reviewer_b).get(f"/api/v1/objections/{objection.pk}/").status_code == 404
    answer = _api(p.reviewer_b).post(
        f"/api/v1/objections/{objection.pk}/answer/", {"answer": "不属实。"}, format="json"
    )
    assert answer.status_code == 404
    assert AccessDenied.objects.filter(target=f"objection:{objection.pk}").count() == 3
    assert _api(p.reviewer_b).get("/api/v1/objections/").json()["results"] == []
    # An applicant without the permission cannot open the inbox at all.
    client.force_login(p.applicant)
    assert client.get("/publicity/objections/").status_code == 404


def test_the_lead_department_answers_once_and_the_objector_is_told(dworld, published, client):
    p = dworld.p
    p.outsider.email = "qian@example.com"
    p.outsider.save()
    with on("2025-10-22"):
        created = _api(p.outsider).post(
            f"/api/v1/publicity/{published.pk}/objections/",
            {"text": "许可证编号与公示不一致。"},
            format="json",
        )
    assert created.status_code == 201, created.json()
    objection_id = created.json()["id"]
    client.force_login(p.reviewer_a)
    with on("2025-10-23"):
        response = client.post(
            f"/publicity/objections/{objection_id}/", {"answer": "经核实，公示信息无误。"}
        )
    assert response.status_code == 302
    objection = Objection.objects.get(pk=objection_id)
    assert objection.status == ObjectionStatus.ANSWERED and objection.answered_by == p.reviewer_a
    told = OutboxMessage.objects.filter(user=p.outsider)
    assert {m.channel for m in told} == {"email", "sms"}
    assert all("经核实，公示信息无误。" in m.body for m in told)
    # A second answer is refused, nothing changes.
    again = _api(p.reviewer_a).post(
        f"/api/v1/objections/{objection_id}/answer/", {"answer": "再答一次"}, format="json"
    )
    assert again.status_code == 400 and "已经答复" in again.json()["message"]
    assert Objection.objects.get(pk=objection_id).answer == "经核实，公示信息无误。"
    # The objector reads the answer on the publicity page and through the API.
    client.force_login(p.outsider)
    assert "经核实，公示信息无误。" in client.get(f"/publicity/{published.pk}/").content.decode()
    mine = _api(p.outsider).get(f"/api/v1/objections/{objection_id}/").json()
    assert mine["answer"] == "经核实，公示信息无误。"


def test_an_objection_after_the_period_is_refused_with_the_date(dworld, published, client):
    p = dworld.p
    client.force_login(p.outsider)
    with on("2025-10-29", 8):  # the day after the last day; the job has not run yet
        page = client.post(f"/publicity/{published.pk}/objection/", {"text": "有异议。"})
        api = _api(p.outsider).post(
            f"/api/v1/publicity/{published.pk}/objections/", {"text": "有异议。"}, format="json"
        )
        shown = client.get(f"/publicity/{published.pk}/").content.decode()
    assert page.status_code == 400
    assert "公示期已于 2025-10-28 结束，不再受理异议" in page.content.decode()
    assert api.status_code == 400 and api.json()["code"] == "publicity_closed"
    assert "2025-10-28" in api.json()["message"]
    assert "提交异议" not in shown and "不再受理异议" in shown
    assert not Objection.objects.exists()


def test_signing_in_is_required(published, client):
    response = client.post(f"/publicity/{published.pk}/objection/", {"text": "有异议。"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert APIClient().post(
        f"/api/v1/publicity/{published.pk}/objections/", {"text": "x"}, format="json"
    ).status_code in (401, 403)
    assert not Objection.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请填写异议内容"),
        ("   ", "请填写异议内容"),
        ("异" * 10_000, "最多 2000 个字"),
    ],
)
def test_bad_objections_are_refused_in_chinese_and_nothing_is_stored(
    dworld, published, client, text, message
):
    p = dworld.p
    client.force_login(p.outsider)
    with on("2025-10-22"):
        page = client.post(f"/publicity/{published.pk}/objection/", {"text": text})
        api = _api(p.outsider).post(
            f"/api/v1/publicity/{published.pk}/objections/", {"text": text}, format="json"
        )
    assert page.status_code == 400
    assert api.status_code == 400 and message in api.json()["message"]
    assert not Objection.objects.exists()


def test_html_in_an_objection_is_shown_escaped(dworld, published, client):
    p = dworld.p
    client.force_login(p.outsider)
    script = "<script>alert('x')</script>"
    with on("2025-10-22"):
        client.post(f"/publicity/{published.pk}/objection/", {"text": script})
        mine = client.get(f"/publicity/{published.pk}/").content.decode()
    assert Objection.objects.get().text == script
    assert script not in mine and "&lt;script&gt;" in mine
    client.force_login(p.reviewer_a)
    staff = client.get(f"/publicity/objections/{Objection.objects.get().pk}/").content.decode()
    assert script not in staff and "&lt;script&gt;" in staff


def test_too_many_objections_by_one_person(dworld, published):
    client = _api(dworld.p.outsider)
    with on("2025-10-22"):
        codes = [
            client.post(
                f"/api/v1/publicity/{published.pk}/objections/", {"text": f"第{i}条"}, format="json"
            ).status_code
            for i in range(4)
        ]
    assert codes == [201, 201, 201, 400]
    assert Objection.objects.count() == 3


@pytest.mark.parametrize(
    ("answer", "message"), [("", "请填写答复内容"), ("答" * 10_000, "最多 2000 个字")]
)
def test_a_bad_answer_is_refused_and_the_objection_stays_open(
    dworld, published, client, answer, message
):
    p = dworld.p
    with on("2025-10-22"):
        _api(p.outsider).post(
            f"/api/v1/publicity/{published.pk}/objections/", {"text": "有异议。"}, format="json"
        )
    objection = Objection.objects.get()
    client.force_login(p.reviewer_a)
    page = client.post(f"/publicity/objections/{objection.pk}/", {"answer": answer})
    api = _api(p.reviewer_a).post(
        f"/api/v1/objections/{objection.pk}/answer/", {"answer": answer}, format="json"
    )
    assert page.status_code == 400
    assert api.status_code == 400 and message in str(api.json())
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.OPEN and objection.answer == ""
    assert not OutboxMessage.objects.filter(user=p.outsider).exists()
