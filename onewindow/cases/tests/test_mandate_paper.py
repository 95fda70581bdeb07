"""Paper mandates at a window or community point (docs/rules/mandates.md §T3, §T6): recorded
from a scan, pending (authorising nothing) until the principal confirms in their account or the
clerk verifies the ID at the window; only the principal revokes — the agent's attempt is refused
and logged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.cases import services
from onewindow.cases.errors import CaseError
from onewindow.cases.models import Case, Mandate, MandateChannel, StoredFile
from onewindow.cases.tests import test_apply_fixtures as fx
from onewindow.core.models import AccessDenied

aw = fx.aw  # the fixture, shared with the other application tests

ID_NUMBER = "11010519491231002X"  # docs/rules/identity.md §F1's valid example
WINDOW = "/intake/mandates/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 5, 6, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def principal(aw):
    aw.applicant.id_number = ID_NUMBER
    aw.applicant.applicant_kind = "person"
    aw.applicant.save()
    return aw.applicant


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def record(aw, **kw) -> Mandate:
    return services.mandate_record_paper(
        agent=aw.agent,
        applicant=aw.applicant,
        valid_until=kw.pop("valid_until", dt.date(2026, 12, 31)),
        recorded_by=kw.pop("recorded_by", aw.clerk),
        scan=kw.pop("scan", fx.pdf("委托书.pdf")),
        **kw,
    )


def can_file(aw) -> bool:
    try:
        fx.draft(aw, actor=aw.agent, applicant=aw.applicant)
    except CaseError:
        return False
    return True


def window_post(client, **data):
    body = {
        "principal_kind": "person",
        "principal_number": ID_NUMBER,
        "agent": "agent_li",
        "scope": "all",
        "valid_until": "2026-12-31",
        "scan": fx.pdf("委托书.pdf"),
        **data,
    }
    return client.post(WINDOW, body)


# --- recording at the window ----------------------------------------------------------------------


def test_the_clerk_records_a_paper_mandate_which_stays_pending(aw, principal):
    clerk = as_user(aw.clerk)
    assert "登记纸质委托书" in clerk.get(WINDOW).content.decode()
    response = window_post(clerk)
    assert response.status_code == 302
    mandate = Mandate.objects.get()
    assert mandate.channel == MandateChannel.PAPER and mandate.pending
    assert (mandate.applicant, mandate.agent, mandate.recorded_by) == (
        principal,
        aw.agent,
        aw.clerk,
    )
    scan = mandate.scan
    assert scan is not None and (scan.owner, scan.uploaded_by) == (principal, aw.clerk)
    assert "待委托人确认" in clerk.get(response["Location"]).content.decode()
    # pending: the agent files nothing, sees nothing
    assert not can_file(aw)
    case = fx.complete_draft(aw)
    services.application_submit(case=case, actor=aw.applicant)
    assert as_user(aw.agent).get(reverse("cases:application", args=[case.pk])).status_code == 404
    assert api_as(aw.agent).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert AccessDenied.objects.filter(user=aw.agent, target=f"case:{case.pk}").count() == 2
    refused = api_as(aw.agent).post(
        "/api/v1/cases/",
        {
            "item_code": aw.version.item.code,
            "region_code": aw.region.code,
            "applicant_id": principal.pk,
        },
        format="json",
    )
    assert refused.status_code == 400


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"principal_number": "110105194912310021"}, "没有找到证件号码为“110105194912310021”"),
        ({"agent": "lisi"}, "未找到用户名或手机号码为“lisi”的代办员"),
        ({"scan": ""}, "请上传委托人签字的纸质委托书扫描件"),
        ({"valid_until": "2026-05-01"}, "委托有效期不能早于今天"),
        ({"valid_from": "2026-05-05"}, "委托生效日期不能早于今天"),
    ],
)
def test_a_bad_paper_mandate_is_refused_and_nothing_is_stored(aw, principal, data, message):
    before = fx.files_on_disk()
    response = window_post(as_user(aw.clerk), **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Mandate.objects.exists() and not StoredFile.objects.exists()
    assert fx.files_on_disk() == before


def test_a_scan_that_is_not_a_pdf_or_image_is_refused(aw, principal):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = fx.files_on_disk()
    exe = SimpleUploadedFile("委托书.pdf", fx.EXE_BYTES, content_type="application/pdf")
    response = window_post(as_user(aw.clerk), scan=exe)
    assert response.status_code == 400
    assert "不是 PDF、JPEG 或 PNG 格式" in response.content.decode()
    assert not Mandate.objects.exists() and fx.files_on_disk() == before


def test_only_window_staff_record_paper_mandates(aw, principal):
    with pytest.raises(CaseError, match="纸质委托书须由窗口或社区代办点工作人员登记"):
        record(aw, recorded_by=aw.applicant)
    response = window_post(as_user(aw.agent))
    assert response.status_code == 404
    assert AccessDenied.objects.filter(user=aw.agent).exists()
    assert not Mandate.objects.exists()


# --- the principal confirms or refuses ------------------------------------------------------------


def test_the_principal_confirms_in_their_account_and_the_agent_may_then_act(aw, principal):
    mandate = record(aw)
    assert not can_file(aw)  # pending: nothing yet
    client = as_user(principal)
    assert "1 份以您名义登记的纸质委托书待您确认" in client.get("/my/mandates/").content.decode()
    page = client.get(reverse("cases:mandates_pending")).content.decode()
    assert "李娜（代办员）" in page and reverse("cases:mandate_scan", args=[mandate.pk]) in page
    scan = client.get(reverse("cases:mandate_scan", args=[mandate.pk]))
    assert scan.status_code == 200
    assert b"".join(scan.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert client.post(reverse("cases:mandate_confirm", args=[mandate.pk])).status_code == 302
    mandate.refresh_from_db()
    assert mandate.confirmation == "account" and mandate.confirmed_by == principal
    assert not mandate.pending
    assert can_file(aw)
    assert "没有待您确认的委托书" in client.get(reverse("cases:mandates_pending")).content.decode()


def test_a_refused_paper_mandate_never_comes_into_force(aw, principal):
    mandate = record(aw)
    client = as_user(principal)
    assert client.post(reverse("cases:mandate_refuse", args=[mandate.pk])).status_code == 302
    mandate.refresh_from_db()
    assert mandate.refused_at is not None
    assert not can_file(aw)
    again = client.post(reverse("cases:mandate_confirm", args=[mandate.pk]), follow=True)
    assert "委托人已拒绝该委托书" in again.content.decode()
    mandate.refresh_from_db()
    assert mandate.confirmed_at is None
    assert "委托人已拒绝" in client.get("/my/mandates/").content.decode()


@pytest.mark.parametrize("who", ["agent", "other_applicant", "clerk"])
def test_nobody_but_the_principal_confirms(aw, principal, who):
    mandate = record(aw)
    user = getattr(aw, who)
    assert as_user(user).post(reverse("cases:mandate_confirm", args=[mandate.pk])).status_code in (
        403,
        404,
    )
    assert api_as(user).post(f"/api/v1/mandates/{mandate.pk}/confirm/").status_code == 404
    assert AccessDenied.objects.filter(user=user, target=f"mandate:{mandate.pk}").exists()
    mandate.refresh_from_db()
    assert mandate.pending


def test_an_expired_pending_mandate_can_no_longer_be_confirmed(aw, principal):
    mandate = record(aw, valid_until=dt.date(2026, 5, 8))
    later = time_machine.travel(dt.datetime(2026, 5, 9, 10, tzinfo=dt.UTC), tick=False)
    with later, pytest.raises(CaseError, match="有效期已过"):
        services.mandate_confirm(mandate=mandate, actor=principal)
    mandate.refresh_from_db()
    assert mandate.confirmed_at is None


# --- the clerk verifies at the window -------------------------------------------------------------


def test_the_clerk_verifies_with_the_principal_present(aw, principal):
    mandate = record(aw)
    assert not can_file(aw)
    clerk = as_user(aw.other_clerk)  # any window, not only the one that recorded it
    url = reverse("cases:window_mandate_verify", args=[mandate.pk])
    wrong = clerk.post(url, {"verify-id_number": "110105194912310021"})
    assert wrong.status_code == 400
    assert "与委托人账号登记的不一致" in wrong.content.decode()
    mandate.refresh_from_db()
    assert mandate.pending
    # typed with a Chinese input method: full-width and lower case still match
    ok = clerk.post(url, {"verify-id_number": "１１０１０５１９４９１２３１００２ｘ"})
    assert ok.status_code == 302
    mandate.refresh_from_db()
    assert (mandate.confirmation, mandate.confirmed_by) == ("window", aw.other_clerk)
    assert can_file(aw)
    page = clerk.get(reverse("cases:window_mandate", args=[mandate.pk])).content.decode()
    assert "窗口当面核验身份" in page and aw.other_clerk.full_name in page


def test_a_principal_without_a_registered_number_confirms_online(aw):
    mandate = record(aw)
    with pytest.raises(CaseError, match="委托人账号未登记身份证号"):
        services.mandate_verify(mandate=mandate, actor=aw.clerk, id_number=ID_NUMBER)
    mandate.refresh_from_db()
    assert mandate.pending


def test_the_window_finds_a_principals_mandates_by_id_number(aw, principal):
    mandate = record(aw, recorded_by=aw.other_clerk)  # another department's window
    clerk = as_user(aw.clerk)
    assert aw.agent.full_name not in clerk.get(WINDOW).content.decode()
    found = clerk.get(WINDOW, {"principal": ID_NUMBER.lower()}).content.decode()
    assert reverse("cases:window_mandate", args=[mandate.pk]) in found


# --- revocation: the principal only -------------------------------------------------------------


def test_the_agent_trying_to_revoke_is_refused_and_logged(aw, principal):
    mandate = record(aw)
    services.mandate_confirm(mandate=mandate, actor=principal)
    url = reverse("cases:mandate_revoke", args=[mandate.pk])
    assert as_user(aw.agent).post(url).status_code == 404
    assert api_as(aw.agent).post(f"/api/v1/mandates/{mandate.pk}/revoke/").status_code == 404
    rows = AccessDenied.objects.filter(user=aw.agent, target=f"mandate:{mandate.pk}")
    assert rows.count() == 2
    assert set(rows.values_list("reason", flat=True)) == {
        "agent may not revoke on the principal's behalf"
    }
    with pytest.raises(CaseError, match="代办员不能代委托人撤销委托"):
        services.mandate_revoke(mandate=mandate, actor=aw.agent)
    mandate.refresh_from_db()
    assert mandate.revoked_at is None
    assert can_file(aw)


def test_the_principal_revokes_in_person_at_the_window(aw, principal):
    mandate = record(aw)
    services.mandate_verify(mandate=mandate, actor=aw.clerk, id_number=ID_NUMBER)
    case = fx.draft(aw, actor=aw.agent, applicant=principal)
    agent = as_user(aw.agent)
    page = reverse("cases:application", args=[case.pk])
    assert agent.get(page).status_code == 200
    clerk = as_user(aw.clerk)
    url = reverse("cases:window_mandate_revoke", args=[mandate.pk])
    refused = clerk.post(url, {"revoke-id_number": "110105194912310021"})
    assert refused.status_code == 400 and "核验未通过" in refused.content.decode()
    mandate.refresh_from_db()
    assert mandate.revoked_at is None
    assert clerk.post(url, {"revoke-id_number": ID_NUMBER}).status_code == 302
    mandate.refresh_from_db()
    assert mandate.revoked_by == aw.clerk
    assert agent.get(page).status_code == 404
    assert AccessDenied.objects.filter(user=aw.agent, target=f"case:{case.pk}").exists()
    assert Case.objects.get(pk=case.pk).applicant == principal


# --- the API ------------------------------------------------------------------------------------


def test_the_api_records_confirms_and_lists_paper_mandates(aw, principal):
    body = {
        "principal_number": ID_NUMBER,
        "agent": "agent_li",
        "scope": "item",
        "item": aw.version.item.code,
        "valid_until": "2026-12-31",
        "scan": fx.pdf("委托书.pdf"),
    }
    created = api_as(aw.clerk).post("/api/v1/mandates/paper/", body, format="multipart")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["status"], data["channel"], data["direction"]) == ("pending", "paper", "window")
    assert data["scan_url"] == reverse("cases:mandate_scan", args=[data["id"]])
    listed = api_as(aw.clerk).get("/api/v1/mandates/window/").json()
    assert [m["id"] for m in listed] == [data["id"]]
    held = api_as(aw.agent).get("/api/v1/mandates/").json()
    assert [(m["id"], m["status"]) for m in held] == [(data["id"], "pending")]
    confirmed = api_as(principal).post(f"/api/v1/mandates/{data['id']}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "valid"
    assert confirmed.json()["confirmation"] == "account"
    again = api_as(principal).post(f"/api/v1/mandates/{data['id']}/confirm/")
    assert again.status_code == 400 and again.json()["code"] == "not_pending"


def test_the_api_verifies_refuses_and_revokes(aw, principal):
    first = record(aw)
    wrong = api_as(aw.clerk).post(
        f"/api/v1/mandates/{first.pk}/verify/", {"id_number": "X"}, format="json"
    )
    assert wrong.status_code == 400 and "核验未通过" in wrong.json()["message"]
    verified = api_as(aw.clerk).post(
        f"/api/v1/mandates/{first.pk}/verify/", {"id_number": ID_NUMBER}, format="json"
    )
    assert verified.status_code == 200
    assert verified.json()["confirmed_by"]["username"] == aw.clerk.username
    second = record(aw, item=aw.version.item)
    refused = api_as(principal).post(f"/api/v1/mandates/{second.pk}/refuse/")
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    # the agent may not revoke; the window needs the principal's ID; the principal may
    assert api_as(aw.agent).post(f"/api/v1/mandates/{first.pk}/revoke/").status_code == 404
    no_id = api_as(aw.clerk).post(f"/api/v1/mandates/{first.pk}/revoke/", {}, format="json")
    assert no_id.status_code == 400 and "请填写委托人出示的身份证号" in no_id.json()["message"]
    revoked = api_as(principal).post(f"/api/v1/mandates/{first.pk}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"


def test_the_api_refuses_a_paper_mandate_from_anyone_but_window_staff(aw, principal):
    body: dict[str, Any] = {"principal_number": ID_NUMBER, "agent": "agent_li", "scope": "all"}
    body |= {"valid_until": "2026-12-31", "scan": fx.pdf()}
    response = api_as(aw.agent).post("/api/v1/mandates/paper/", body, format="multipart")
    assert response.status_code == 404
    assert AccessDenied.objects.filter(user=aw.agent).exists()
    past = api_as(aw.clerk).post(
        "/api/v1/mandates/paper/",
        {**body, "valid_until": "2026-05-01", "scan": fx.pdf()},
        format="multipart",
    )
    assert past.status_code == 400
    assert "委托有效期不能早于今天" in past.json()["errors"]["valid_until"][0]
    assert not Mandate.objects.exists()


def test_a_community_points_staff_record_a_paper_mandate_too(aw, principal):
    """A mandate is given at a community point by uploading the signed printed form
    (docs/rules/mandates.md §T3): the point's staff hold the permission, not the intake."""
    from onewindow.accounts.models import User
    from onewindow.accounts.roles import Role
    from onewindow.catalog.models import Region, RegionLevel

    point = Region.objects.create(
        code="420704001001", name="凤凰街道滨湖社区", level=RegionLevel.COMMUNITY, parent=aw.region
    )
    staff = User.objects.create_user(
        username="binhu_point", password="x-Pass-12345", role=Role.POINT_CLERK, region=point
    )
    client = as_user(staff)
    assert "登记纸质委托书" in client.get(WINDOW).content.decode()
    assert window_post(client).status_code == 302
    mandate = Mandate.objects.get()
    assert mandate.pending and mandate.recorded_by == staff
    assert client.get(reverse("cases:intake_queue")).status_code == 404  # no intake for a point
