"""The conduct pages and the REST API: who may see what (others: a logged 404), the bad inputs
answered in Chinese with nothing written, the public pages without personal data."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from onewindow.conduct import services
from onewindow.conduct.models import (
    ConductConfig,
    Discipline,
    DisciplineKind,
    Rectification,
    WindowScore,
)
from onewindow.core.models import AccessDenied

from .world import (
    NOV,
    TODAY,
    api_for,
    at,
    client_for,
    closed,
    complaint,
    ratings,
    staff,
    window,
)


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def record(p, member=None, kind=DisciplineKind.WARNING, **kw):
    member = member or p.clerk
    return services.discipline_record(
        actor=p.supervisor,
        staff=member,
        window_id=member.windows.first().pk,
        kind=kind,
        difficulty="door",
        reason="让群众在窗口前长时间等候却不予理睬。",
        public_summary=kw.pop("public_summary", ""),
        now=at("2025-11-20"),
    )


# --- access -------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["handler_a", "chief_a", "applicant", "admin", "outsider"])
def test_someone_elses_record_is_a_logged_404_on_pages_and_api(personas, who):
    p = personas
    row = record(p)
    user = p.get(who)
    for url in (
        reverse("conduct:record", args=[row.pk]),
        f"/api/v1/conduct/records/{row.pk}/",
    ):
        client = client_for(user) if url.startswith("/conduct") else api_for(user)
        assert client.get(url).status_code == 404
    assert client_for(user).post(reverse("conduct:acknowledge", args=[row.pk])).status_code == 404
    assert api_for(user).post(f"/api/v1/conduct/records/{row.pk}/acknowledge/").status_code == 404
    assert (
        AccessDenied.objects.filter(
            user=user, target__startswith=f"conduct.discipline:{row.pk}"
        ).count()
        == 4
    )
    row.refresh_from_db()
    assert row.acknowledged_at is None


@pytest.mark.parametrize(
    "url",
    [
        "/conduct/records/",
        "/conduct/records/new/",
        "/conduct/evaluation/",
        "/conduct/rectifications/",
        "/conduct/settings/",
        "/api/v1/conduct/evaluation/",
        "/api/v1/conduct/rectifications/",
        "/api/v1/conduct/settings/",
    ],
)
def test_supervisor_and_admin_pages_are_a_logged_404_for_the_clerk(personas, url):
    client = api_for(personas.clerk) if url.startswith("/api/") else client_for(personas.clerk)
    assert client.get(url).status_code == 404
    assert AccessDenied.objects.filter(user=personas.clerk).exists()


def test_the_staff_member_sees_only_their_own_records(personas):
    p = personas
    mine = record(p)
    colleague = staff(p.window, "李强")
    theirs = record(p, colleague)
    page = client_for(p.clerk).get(reverse("conduct:mine")).content.decode()
    assert reverse("conduct:record", args=[mine.pk]) in page
    assert reverse("conduct:record", args=[theirs.pk]) not in page
    listed = api_for(p.clerk).get("/api/v1/conduct/records/").json()
    assert [r["id"] for r in listed] == [mine.pk]
    assert client_for(p.clerk).get(reverse("conduct:record", args=[mine.pk])).status_code == 200
    assert api_for(p.applicant).get("/api/v1/conduct/records/").status_code == 404


# --- the supervisor's pages ---------------------------------------------------------------------
def test_the_supervisor_removes_and_reinstates_on_the_pages(personas, frozen):
    p = personas
    client = client_for(p.supervisor)
    form = client.get(reverse("conduct:record_new")).content.decode()
    assert p.clerk.full_name in form
    values = {
        "staff": p.clerk.pk,
        "window": p.window.pk,
        "kind": DisciplineKind.REMOVAL,
        "difficulty": "matter",
        "reason": "",
    }
    refused = client.post(reverse("conduct:record_new"), values)
    assert refused.status_code == 400 and "请填写处理的事实和理由。" in refused.content.decode()
    assert not Discipline.objects.exists() and p.window in p.clerk.windows.all()
    values["reason"] = "多次推诿，群众反复跑腿。"
    done = client.post(reverse("conduct:record_new"), values)
    row = Discipline.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("conduct:record", args=[row.pk])
    assert p.window not in p.clerk.windows.all()
    refused = client.post(reverse("conduct:reinstate", args=[row.pk]), {"reinstate_reason": ""})
    assert refused.status_code == 400 and "请填写恢复上岗的理由。" in refused.content.decode()
    client.post(reverse("conduct:reinstate", args=[row.pk]), {"reinstate_reason": "整改到位。"})
    assert p.window in p.clerk.windows.all()
    # The staff member acknowledges on the page; the record joins the staff record page.
    own = client_for(p.clerk)
    assert (
        own.post(
            reverse("conduct:acknowledge", args=[row.pk]), {"statement": "接受处理。"}
        ).status_code
        == 302
    )
    row.refresh_from_db()
    assert row.statement == "接受处理。"
    staff_record = client.get(reverse("consult:staff_record", args=[p.clerk.pk])).content.decode()
    assert 'id="record-discipline"' in staff_record and "调离窗口 1" in staff_record
    api = api_for(p.supervisor).get(f"/api/v1/staff/{p.clerk.pk}/record/").json()
    section = next(s for s in api["sections"] if s["key"] == "discipline")
    assert section["rows"][0]["id"] == row.pk and section["counts"]["removal"] == 1


def test_the_evaluation_page_computes_an_ended_month_only(personas, frozen):
    p = personas
    ConductConfig.objects.create(pk=1, ranking_size=1)
    b02 = window("B02")
    ratings(p.window, total=10, satisfied=9)
    ratings(b02, total=10, satisfied=5)
    closed(b02, total=4, on_time=2)
    client = client_for(p.supervisor)
    refused = client.post(reverse("conduct:evaluation"), {"month": "2026-01"})
    assert refused.status_code == 400 and "不能评价未来的月份。" in refused.content.decode()
    refused = client.post(reverse("conduct:evaluation"), {"month": "2025-12"})
    assert "本月尚未结束" in refused.content.decode()
    assert not WindowScore.objects.exists()
    assert client.post(reverse("conduct:evaluation"), {"month": "2025-11"}).status_code == 302
    page = client.get(reverse("conduct:evaluation") + "?month=2025-11").content.decode()
    assert "红旗窗口" in page and "末位窗口" in page and "9/10" in page and "2/4" in page
    # The bottom window gets a rectification; a wrong one is refused.
    rect = client_for(p.supervisor)
    bad = rect.post(
        reverse("conduct:rectifications"),
        {"candidate": f"{p.window.pk}:2025-11", "requirement": "整改", "due_on": "2025-12-31"},
    )
    assert bad.status_code == 400 and "不是所选月份的末位窗口" in bad.content.decode()
    late = rect.post(
        reverse("conduct:rectifications"),
        {"candidate": f"{b02.pk}:2025-11", "requirement": "整改", "due_on": "2025-12-01"},
    )
    assert late.status_code == 400 and "整改期限不能早于今天。" in late.content.decode()
    assert not Rectification.objects.exists()
    ok = rect.post(
        reverse("conduct:rectifications"),
        {"candidate": f"{b02.pk}:2025-11", "requirement": "开展礼仪培训。", "due_on": "2025-12-31"},
    )
    assert ok.status_code == 302
    row = Rectification.objects.get()
    assert (
        rect.post(
            reverse("conduct:rectification_done", args=[row.pk]), {"done_note": ""}
        ).status_code
        == 400
    )
    rect.post(reverse("conduct:rectification_done", args=[row.pk]), {"done_note": "已完成培训。"})
    row.refresh_from_db()
    assert row.done and row.done_by == p.supervisor


def test_the_settings_page_refuses_weights_not_adding_up_to_100(personas):
    client = client_for(personas.admin)
    values = services.settings_snapshot(ConductConfig()) | {"weight_cards": 5}
    refused = client.post(reverse("conduct:settings"), values)
    assert (
        refused.status_code == 400 and "五项权重之和应为 100，现为 95。" in refused.content.decode()
    )
    assert not ConductConfig.objects.exists()
    values["weight_discipline"] = 15
    assert client.post(reverse("conduct:settings"), values).status_code == 302
    assert ConductConfig.objects.get().weight_discipline == 15
    api = api_for(personas.admin)
    answer = api.put("/api/v1/conduct/settings/", {"weight_on_time": 50}, format="json")
    assert (
        answer.status_code == 400 and answer.json()["message"] == "五项权重之和应为 100，现为 120。"
    )
    assert ConductConfig.objects.get().weight_on_time == 30


# --- the API ------------------------------------------------------------------------------------
def test_the_api_records_acknowledges_and_reinstates(personas, frozen):
    p = personas
    api = api_for(p.supervisor)
    body = {
        "staff": p.clerk.pk,
        "window": p.window.pk,
        "kind": "removal",
        "difficulty": "face",
        "reason": "",
    }
    refused = api.post("/api/v1/conduct/records/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["reason"] == ["请填写处理的事实和理由。"]
    assert not Discipline.objects.exists()
    body["reason"] = "对群众冷脸相对。"
    made = api.post("/api/v1/conduct/records/", body, format="json")
    assert made.status_code == 201 and made.json()["removed"] is True
    pk = made.json()["id"]
    assert p.window not in p.clerk.windows.all()
    ack = api_for(p.clerk).post(
        f"/api/v1/conduct/records/{pk}/acknowledge/", {"statement": "知悉"}, format="json"
    )
    assert ack.status_code == 200 and ack.json()["statement"] == "知悉"
    again = api_for(p.clerk).post(f"/api/v1/conduct/records/{pk}/acknowledge/", {}, format="json")
    assert (
        again.status_code == 400 and again.json()["message"] == "该记录已经确认过，不能再次确认。"
    )
    back = api.post(
        f"/api/v1/conduct/records/{pk}/reinstate/", {"reason": "整改到位"}, format="json"
    )
    assert back.status_code == 200 and back.json()["removed"] is False
    assert p.window in p.clerk.windows.all()


def test_the_api_computes_and_publishes_the_ranking(personas, frozen):
    p = personas
    ConductConfig.objects.create(pk=1, ranking_size=1)
    b02 = window("B02")
    ratings(p.window, total=10, satisfied=9)
    ratings(b02, total=10, satisfied=5)
    api = api_for(p.supervisor)
    future = api.post("/api/v1/conduct/evaluation/", {"month": "2026-02"}, format="json")
    assert future.status_code == 400 and future.json()["errors"]["month"] == [
        "不能评价未来的月份。"
    ]
    made = api.post("/api/v1/conduct/evaluation/", {"month": "2025-11"}, format="json")
    assert made.status_code == 201
    rows = {r["window_number"]: r for r in made.json()["rows"]}
    assert rows["A01"]["designation"] == "red_flag" and rows["B02"]["designation"] == "bottom"
    assert rows["B02"]["inputs"]["ratings"] == 10 and rows["B02"]["satisfaction_points"] == "50.00"
    public = api_for(p.outsider).get("/api/v1/conduct/ranking/?month=2025-11").json()
    assert [r["window_number"] for r in public["red_flag"]] == ["A01"]
    assert [r["window_number"] for r in public["bottom"]] == ["B02"]
    assert set(public["bottom"][0]) == {"rank", "window_number", "window_name", "score"}
    bad = api_for(p.outsider).get("/api/v1/conduct/ranking/?month=11-2025")
    assert bad.status_code == 400
    rect = api.post(
        "/api/v1/conduct/rectifications/",
        {"window": b02.pk, "month": "2025-11", "requirement": "", "due_on": "2025-12-31"},
        format="json",
    )
    assert rect.status_code == 400 and rect.json()["errors"]["requirement"] == ["请填写整改要求。"]
    rect = api.post(
        "/api/v1/conduct/rectifications/",
        {"window": b02.pk, "month": "2025-11", "requirement": "礼仪培训", "due_on": "2025-12-31"},
        format="json",
    )
    assert rect.status_code == 201
    done = api.post(
        f"/api/v1/conduct/rectifications/{rect.json()['id']}/done/", {"note": "完成"}, format="json"
    )
    assert done.status_code == 200 and done.json()["done"] is True


# --- public pages -------------------------------------------------------------------------------
def test_public_pages_show_windows_and_masked_names_only(client, personas, frozen):
    p = personas
    ConductConfig.objects.create(pk=1, ranking_size=1)
    b02 = window("B02")
    ratings(p.window, total=10, satisfied=9)
    ratings(b02, total=10, satisfied=5)
    record(p, kind=DisciplineKind.NOTICE, public_summary="窗口人员王芳对群众态度冷漠。")
    services.evaluation_compute(month=NOV)
    for name in ("conduct:red_flag", "conduct:display", "conduct:notices"):
        html = client.get(reverse(name)).content.decode()
        assert "王芳" not in html and p.clerk.username not in html
    ranking = client.get(reverse("conduct:red_flag")).content.decode()
    assert "A01" in ranking and "B02" in ranking and "2025-11" in ranking
    display = client.get(reverse("conduct:display")).content.decode()
    assert "hall-display" in display and "A01" in display
    notices = client.get(reverse("conduct:notices")).content.decode()
    assert "王*" in notices and "让群众在窗口前长时间等候" not in notices
    assert api_for(p.outsider).get("/api/v1/conduct/notices/").json()[0]["staff_name"] == "王*"
    assert dt.date(2025, 11, 1) == WindowScore.objects.values_list("month", flat=True).first()


def test_the_staff_member_learns_a_complaint_is_behind_it_not_its_words(personas):
    p = personas
    upheld = complaint(p.window, p.applicant, about=p.clerk)
    row = services.discipline_record(
        actor=p.supervisor,
        staff=p.clerk,
        window_id=p.window.pk,
        kind=DisciplineKind.INTERVIEW,
        difficulty="face",
        reason="约谈。",
        complaint_id=upheld.pk,
    )
    url = reverse("conduct:record", args=[row.pk])
    own = client_for(p.clerk).get(url).content.decode()
    assert "已关联经查属实的投诉" in own and upheld.title not in own
    theirs = client_for(p.supervisor).get(url).content.decode()
    assert upheld.title in theirs and reverse("consult:complaint", args=[upheld.pk]) in theirs


def test_the_admin_site_refuses_weights_not_adding_up_to_100(personas):
    client = client_for(personas.admin)
    url = "/admin/conduct/conductconfig/add/"
    values = services.settings_snapshot(ConductConfig()) | {"weight_satisfaction": 45}
    refused = client.post(url, values)
    assert (
        refused.status_code == 200
        and "五项权重之和应为 100，现为 105。" in refused.content.decode()
    )
    assert not ConductConfig.objects.exists()
    values["weight_satisfaction"] = 40
    assert client.post(url, values).status_code == 302
    assert ConductConfig.objects.get().updated_by == personas.admin
    assert client_for(personas.admin).get("/admin/conduct/discipline/").status_code == 200


def test_the_pages_before_any_month_is_evaluated(client, personas):
    for name in ("conduct:red_flag", "conduct:display", "conduct:notices"):
        assert client.get(reverse(name)).status_code == 200
    assert "还没有公布月度窗口评价" in client.get(reverse("conduct:red_flag")).content.decode()
    assert api_for(personas.outsider).get("/api/v1/conduct/ranking/").json() == {
        "month": None,
        "red_flag": [],
        "bottom": [],
    }
    supervisor = client_for(personas.supervisor)
    for name in ("conduct:records", "conduct:evaluation", "conduct:rectifications"):
        assert supervisor.get(reverse(name)).status_code == 200
    assert api_for(personas.supervisor).get("/api/v1/conduct/evaluation/").json() == {
        "month": None,
        "rows": [],
    }
