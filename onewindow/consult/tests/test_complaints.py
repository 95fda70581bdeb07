"""Complaints and staff records (docs/rules/consultation.md §K3, §K4, §K5): filing, bad input,
the supervisor's handling, result and reply, who sees what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from onewindow.consult import services
from onewindow.consult.errors import ConsultWrongStatus
from onewindow.consult.models import Complaint, ComplaintEvent, ComplaintStatus
from onewindow.consult.tests.world import World, api_for, at, client_for
from onewindow.core.models import AccessDenied
from onewindow.notifications.models import OutboxMessage
from onewindow.ratings.models import BadReview, BadReviewStatus, Rating, Service

pytestmark = pytest.mark.django_db


def _file(w: World, **kw) -> Complaint:
    values: dict[str, Any] = {
        "complainant": w.p.applicant,
        "title": "窗口人员态度生硬",
        "text": "10月9日上午在A01窗口办理时，工作人员多次打断我说话。",
        "window_id": w.p.window.pk,
        "staff_number": w.p.clerk.username,
        "now": at("2025-10-09", 11),
    }
    values.update(kw)
    return services.complaint_file(**values)


def test_filing_on_the_page(world: World) -> None:
    world.p.supervisor.email = "zhou.ming@example.org"
    world.p.supervisor.save(update_fields=["email"])
    client = client_for(world.p.applicant)
    page = client.get(reverse("consult:complaint_new"))
    assert page.status_code == 200 and "A01" in page.content.decode()
    response = client.post(
        reverse("consult:complaint_new"),
        {
            "window": world.p.window.pk,
            "staff_number": " clerk ",
            "title": "等候时间过长",
            "text": "取号后等了两个小时。",
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert (complaint.window, complaint.staff, complaint.status) == (
        world.p.window,
        world.p.clerk,
        ComplaintStatus.SUBMITTED,
    )
    assert complaint.events.get().new_status == "submitted"
    # The supervisors hear of it by e-mail.
    mail = OutboxMessage.objects.get(user=world.p.supervisor)
    assert (mail.channel, mail.recipient) == ("email", "zhou.ming@example.org")
    assert "等候时间过长" in mail.subject and world.p.applicant.full_name not in mail.body


def test_filing_through_the_api(world: World) -> None:
    response = api_for(world.p.enterprise).post(
        "/api/v1/complaints/",
        {"staff_number": "handler_a", "title": "推诿", "text": "承办人说不归他管。"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "submitted"
    assert Complaint.objects.get().staff == world.p.handler_a


def _bad(w: World) -> list[tuple[dict, str, str]]:
    ok = {"title": "事由", "text": "内容", "window": w.p.window.pk}
    return [
        ({**ok, "title": " "}, "title", "请填写投诉事由"),
        ({**ok, "text": ""}, "text", "请填写投诉内容"),
        ({**ok, "text": "投" * 10_000}, "text", "投诉内容不能超过 2000 个字"),
        (
            {"title": "事由", "text": "内容"},
            "non_field_errors",
            "请选择被投诉的窗口或填写工作人员工号",
        ),
        ({**ok, "window": 999_999}, "window", "没有找到该窗口"),
        ({**ok, "staff_number": "nobody-here"}, "staff_number", "没有找到工号为“nobody-here”"),
        # Not staff of a window or department: an applicant, a supervisor.
        ({**ok, "staff_number": "outsider"}, "staff_number", "没有找到工号"),
        ({**ok, "staff_number": "supervisor"}, "staff_number", "没有找到工号"),
        ({**ok, "case": 999_999}, "case", "没有找到您的这件办件"),
    ]


def test_bad_complaints_are_refused_on_the_page_with_nothing_stored(world: World) -> None:
    client = client_for(world.p.applicant)
    for values, _field, message in _bad(world):
        response = client.post(reverse("consult:complaint_new"), values)
        assert response.status_code == 400, values
        assert message in response.content.decode(), (values, message)
    assert not Complaint.objects.exists() and not ComplaintEvent.objects.exists()


def test_bad_complaints_are_refused_by_the_api_with_nothing_stored(world: World) -> None:
    api = api_for(world.p.applicant)
    for values, field, message in _bad(world):
        response = api.post("/api/v1/complaints/", values, format="json")
        assert response.status_code == 400, values
        assert any(message in m for m in response.json()["errors"][field]), values
    assert not Complaint.objects.exists()


def test_the_supervisor_handles_decides_and_replies(world: World) -> None:
    complaint = _file(world)
    sup = client_for(world.p.supervisor)
    listing = sup.get(reverse("consult:complaints")).content.decode()
    assert complaint.title in listing
    url = reverse("consult:complaint_act", args=[complaint.pk, "handle"])
    assert sup.post(url, {"notes": "调取了窗口录像，询问了当事工作人员。"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.HANDLING
    assert complaint.handled_by == world.p.supervisor
    # Concluding needs a result and a reply.
    url = reverse("consult:complaint_act", args=[complaint.pk, "conclude"])
    bad = sup.post(url, {"result": "", "reply": " "})
    assert bad.status_code == 400
    assert "请选择处理结果" in bad.content.decode() and "请填写答复内容" in bad.content.decode()
    assert not OutboxMessage.objects.exists()
    ok = sup.post(
        url, {"result": "substantiated", "reply": "经核实情况属实，已对该工作人员批评教育。"}
    )
    assert ok.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.result) == (ComplaintStatus.CLOSED, "substantiated")
    assert [e.new_status for e in complaint.events.all()] == ["submitted", "handling", "closed"]
    sms = OutboxMessage.objects.get(user=world.p.applicant, channel="sms")
    assert "已办结" in sms.subject and "批评教育" in sms.body
    # A closed complaint takes no further step.
    with pytest.raises(ConsultWrongStatus):
        services.complaint_handle(complaint=complaint, actor=world.p.supervisor, notes="再查")


def test_the_api_handles_and_concludes(world: World) -> None:
    complaint = _file(world)
    api = api_for(world.p.supervisor)
    early = api.post(
        f"/api/v1/complaints/{complaint.pk}/conclude/",
        {"result": "unsubstantiated", "reply": "不属实"},
        format="json",
    )
    assert early.status_code == 400  # not investigated yet
    r = api.post(f"/api/v1/complaints/{complaint.pk}/handle/", {"notes": "已调查"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "handling"
    r = api.post(
        f"/api/v1/complaints/{complaint.pk}/conclude/",
        {"result": "unsubstantiated", "reply": "经查不属实。"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"


def test_the_complainant_sees_status_and_reply_but_not_the_investigation(world: World) -> None:
    complaint = _file(world)
    services.complaint_handle(complaint=complaint, actor=world.p.supervisor, notes="内部调查记录甲")
    services.complaint_conclude(
        complaint=complaint, actor=world.p.supervisor, result="partly", reply="答复投诉人乙"
    )
    html = (
        client_for(world.p.applicant)
        .get(reverse("consult:complaint", args=[complaint.pk]))
        .content.decode()
    )
    assert "答复投诉人乙" in html and "部分属实" in html and "内部调查记录甲" not in html
    body = api_for(world.p.applicant).get(f"/api/v1/complaints/{complaint.pk}/").json()
    assert body["reply"] == "答复投诉人乙" and "handling_notes" not in body
    mine = client_for(world.p.applicant).get(reverse("consult:mine")).content.decode()
    assert complaint.title in mine


def test_the_staff_member_and_others_get_a_logged_404(world: World) -> None:
    complaint = _file(world)
    for user in (world.p.clerk, world.p.handler_a, world.p.outsider, world.p.head_a):
        page = client_for(user).get(reverse("consult:complaint", args=[complaint.pk]))
        assert page.status_code == 404, user
        api = api_for(user).get(f"/api/v1/complaints/{complaint.pk}/")
        assert api.status_code == 404, user
        acted = api_for(user).post(
            f"/api/v1/complaints/{complaint.pk}/handle/", {"notes": "x"}, format="json"
        )
        assert acted.status_code == 404
    assert AccessDenied.objects.filter(user=world.p.clerk).count() == 3
    # The complainant may not handle their own complaint.
    own = api_for(world.p.applicant).post(
        f"/api/v1/complaints/{complaint.pk}/handle/", {"notes": "x"}, format="json"
    )
    assert own.status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.SUBMITTED


def test_the_staff_record_is_for_supervisors_only(world: World, client) -> None:
    first = _file(world)
    _file(world, title="第二次投诉", window_id=None)
    services.complaint_handle(complaint=first, actor=world.p.supervisor, notes="查实")
    services.complaint_conclude(
        complaint=first, actor=world.p.supervisor, result="substantiated", reply="已处理"
    )
    url = reverse("consult:staff_record", args=[world.p.clerk.pk])
    html = client_for(world.p.supervisor).get(url).content.decode()
    assert "窗口人员态度生硬" in html and "第二次投诉" in html
    assert "共 2 件：处理中 1 件，属实 1 件" in html
    assert 'id="record-complaints"' in html  # one section per source of the record
    api = api_for(world.p.supervisor).get(f"/api/v1/staff/{world.p.clerk.pk}/record/").json()
    # complaints and bad reviews first; then the sections higher apps register (conduct's records)
    assert [s["key"] for s in api["sections"]][:2] == ["complaints", "bad_reviews"]
    assert api["sections"][0]["counts"]["substantiated"] == 1
    # The public, the staff member, their peers and their head: a logged 404.
    assert client.get(url).status_code in (302, 404)
    for user in (world.p.clerk, world.p.handler_a, world.p.head_a, world.p.applicant):
        assert client_for(user).get(url).status_code == 404, user
        assert api_for(user).get(f"/api/v1/staff/{world.p.clerk.pk}/record/").status_code == 404
    assert (
        AccessDenied.objects.filter(target=f"consult.staff_record:{world.p.clerk.pk}").count() >= 8
    )
    # Not a staff member: no record.
    other = reverse("consult:staff_record", args=[world.p.applicant.pk])
    assert client_for(world.p.supervisor).get(other).status_code == 404


def test_html_in_a_complaint_is_shown_escaped(world: World) -> None:
    complaint = _file(world, title="<img src=x onerror=alert(1)>", text="<script>x()</script>")
    for user in (world.p.applicant, world.p.supervisor):
        html = client_for(user).get(reverse("consult:complaint", args=[complaint.pk])).content
        assert b"<img src=x" not in html and b"<script>x()" not in html
        assert b"&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_staff_record_lists_the_bad_reviews_they_answer_for(world: World) -> None:
    """docs/rules/consultation.md §K4: bad reviews of the clerk's window services join the record;
    one an accepted appeal excluded is listed but not counted."""
    clerk = world.p.clerk
    dept = clerk.department_id
    assert dept is not None
    made = []
    for level, status in ((1, BadReviewStatus.OPEN), (2, BadReviewStatus.EXCLUDED)):
        service = Service.objects.create(
            kind="window",
            department_id=dept,
            staff=clerk,
            description="窗口咨询",
            finished_at=at("2025-10-09"),
            rate_by=at("2025-10-16"),
        )
        rating = Rating.objects.create(
            service=service,
            channel="pad",
            level=level,
            rated_at=at("2025-10-09"),
            month=dt.date(2025, 10, 1),
            department_id=dept,
            excluded=status == BadReviewStatus.EXCLUDED,
        )
        made.append(
            BadReview.objects.create(
                rating=rating,
                department_id=dept,
                status=status,
                created_at=at("2025-10-09"),
                due_on=dt.date(2025, 10, 30),
            )
        )
    url = reverse("consult:staff_record", args=[clerk.pk])
    html = client_for(world.p.supervisor).get(url).content.decode()
    assert 'id="record-bad_reviews"' in html
    assert "共 1 条：整改中 1 条" in html and "申诉成立剔除 1 条" in html
    api = api_for(world.p.supervisor).get(f"/api/v1/staff/{clerk.pk}/record/").json()
    section = api["sections"][1]
    assert section["counts"]["total"] == 1 and section["counts"]["excluded"] == 1
    assert {row["id"] for row in section["rows"]} == {b.pk for b in made}
