"""我的代办委托 (docs/product.md §C8): granting, listing and revoking mandates, in pages and through the
API."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases import services
from onewindow.cases.models import Mandate
from onewindow.cases.tests import test_apply_fixtures as fx
from onewindow.core.models import AccessDenied

aw = fx.aw  # the fixture, shared with the other application tests

TODAY = "2026-05-06"
URL = "/my/mandates/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime.fromisoformat(f"{TODAY}T10:00:00+08:00"), tick=False):
        yield


@pytest.fixture
def agent(aw):
    aw.agent.phone = "13907110009"
    aw.agent.save()
    return aw.agent


def grant(client, **data):
    body = {"agent": "agent_li", "scope": "all", "valid_until": "2026-12-31", **data}
    return client.post(URL, body)


def test_an_applicant_mandates_an_agent_for_every_item_and_sees_it_listed(client, aw, agent):
    client.force_login(aw.applicant)
    response = grant(client, note="开办超市全程代办")
    assert response.status_code == 302
    mandate = Mandate.objects.get()
    assert (mandate.agent, mandate.applicant, mandate.item) == (agent, aw.applicant, None)
    assert (mandate.valid_until, mandate.recorded_by) == (dt.date(2026, 12, 31), aw.applicant)
    html = client.get(URL).content.decode()
    assert "我的代办委托" in html and "李娜（代办员）" in html
    assert "全部事项" in html and "2026-12-31" in html and "有效" in html
    assert reverse("cases:mandate_revoke", args=[mandate.pk]) in html


def test_an_agent_is_found_by_mobile_number_and_the_mandate_limited_to_one_item(client, aw, agent):
    client.force_login(aw.applicant)
    code = aw.version.item.code
    assert grant(client, agent="139-0711-0009", scope="item", item=code).status_code == 302
    assert Mandate.objects.get().item == aw.version.item
    # the item may also be named by its published name
    other = aw.commitment_version
    grant(client, scope="item", item=other.name)
    assert Mandate.objects.filter(item=other.item).exists()
    html = client.get(URL).content.decode()
    assert f"{code} {aw.version.name}" in html


def test_the_agent_sees_the_applicants_who_mandated_them(client, aw, agent):
    services.mandate_record(
        agent=agent,
        applicant=aw.applicant,
        item=aw.version.item,
        valid_until=dt.date(2027, 1, 31),
        recorded_by=aw.applicant,
    )
    client.force_login(agent)
    html = client.get(URL).content.decode()
    assert "我的委托人" in html and "张三" in html and "2027-01-31" in html
    assert aw.version.name in html
    assert "委托代办员" not in html  # no grant form for agents
    assert grant(client).status_code == 403
    assert Mandate.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"agent": "nobody"}, "未找到用户名或手机号码为“nobody”的代办员"),
        ({"agent": "lisi"}, "未找到用户名或手机号码为“lisi”的代办员"),  # an applicant
        ({"agent": "clerk"}, "未找到用户名或手机号码为“clerk”的代办员"),  # staff
        ({"agent": ""}, "请填写代办员的用户名或手机号码"),
        ({"scope": "item"}, "请选择委托事项"),
        ({"scope": "item", "item": "NO-SUCH"}, "没有找到已发布的事项“NO-SUCH”"),
        ({"scope": "some"}, "委托范围只能是"),
        ({"valid_until": "2026-05-05"}, "委托有效期不能早于今天"),
        ({"valid_until": "2028-05-07"}, "委托有效期最长 2 年，请选择 2028-05-06 或更早的日期"),
        ({"valid_until": "31/12/2026"}, "请填写有效的日期"),
        ({"valid_until": ""}, "请填写委托有效期"),
    ],
)
def test_a_bad_grant_gets_a_clear_message_and_records_nothing(client, aw, agent, data, message):
    client.force_login(aw.applicant)
    response = grant(client, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Mandate.objects.exists()


def test_an_inactive_agent_cannot_be_mandated(client, aw, agent):
    agent.is_active = False
    agent.save()
    client.force_login(aw.applicant)
    assert "未找到用户名或手机号码为“agent_li”的代办员" in grant(client).content.decode()
    assert not Mandate.objects.exists()


def test_the_longest_mandate_runs_two_years_to_the_day(client, aw, agent):
    client.force_login(aw.applicant)
    assert grant(client, valid_until="2028-05-06").status_code == 302
    assert services.mandate_latest_end(dt.date(2028, 2, 29)) == dt.date(2030, 2, 28)


def test_a_second_mandate_of_the_same_scope_in_force_is_refused(client, aw, agent):
    client.force_login(aw.applicant)
    grant(client)
    response = grant(client, valid_until="2027-03-01")
    assert "仍在有效期内的委托" in response.content.decode()
    assert Mandate.objects.count() == 1


def test_revoking_asks_for_confirmation_then_ends_the_mandate(client, aw, agent):
    client.force_login(aw.applicant)
    grant(client)
    mandate = Mandate.objects.get()
    url = reverse("cases:mandate_revoke", args=[mandate.pk])
    page = client.get(url).content.decode()
    assert "确定撤销吗" in page and "确认撤销" in page
    mandate.refresh_from_db()
    assert mandate.revoked_at is None  # showing the confirmation changes nothing
    assert client.post(url).status_code == 302
    mandate.refresh_from_db()
    assert mandate.revoked_at is not None
    html = client.get(URL).content.decode()
    assert "已撤销" in html and url not in html
    again = client.post(url, follow=True).content.decode()
    assert "该委托已于 2026-05-06 撤销，无需重复操作" in again


def test_an_expired_mandate_shows_as_expired(client, aw, agent):
    client.force_login(aw.applicant)
    grant(client, valid_until="2026-05-10")
    with time_machine.travel(dt.datetime(2026, 5, 11, 9, tzinfo=dt.UTC), tick=False):
        html = client.get(URL).content.decode()
    assert "已过期" in html


@pytest.mark.parametrize("who", ["agent", "other_applicant", "clerk"])
def test_only_the_mandating_applicant_may_revoke(client, aw, agent, who):
    mandate = services.mandate_record(
        agent=agent,
        applicant=aw.applicant,
        valid_until=dt.date(2026, 12, 31),
        recorded_by=aw.applicant,
    )
    user = getattr(aw, who)
    client.force_login(user)
    url = reverse("cases:mandate_revoke", args=[mandate.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    mandate.refresh_from_db()
    assert mandate.revoked_at is None
    assert AccessDenied.objects.filter(user=user, target=f"mandate:{mandate.pk}").count() == 2


def test_a_user_administrator_may_revoke_any_mandate(client, aw, agent):
    mandate = services.mandate_record(
        agent=agent,
        applicant=aw.applicant,
        valid_until=dt.date(2026, 12, 31),
        recorded_by=aw.applicant,
    )
    admin = User.objects.create_user(username="admin_w", password="x", role=Role.ADMIN)
    client.force_login(admin)
    assert client.post(reverse("cases:mandate_revoke", args=[mandate.pk])).status_code == 302
    mandate.refresh_from_db()
    assert mandate.revoked_at is not None


def test_staff_have_no_mandate_page(client, aw):
    client.force_login(aw.clerk)
    assert client.get(URL).status_code == 403


def test_the_dashboard_links_to_the_mandates(client, aw):
    client.force_login(aw.applicant)
    html = client.get(reverse("portal:my_cases")).content.decode()
    assert URL in html and "我的代办委托" in html
    client.force_login(aw.agent)
    assert "我的委托人" in client.get(reverse("portal:my_cases")).content.decode()
    client.force_login(aw.clerk)  # staff have no mandates: no link to a page they cannot open
    assert URL not in client.get(reverse("portal:my_cases")).content.decode()


# --- API ------------------------------------------------------------------------------------


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_grants_lists_and_revokes_a_mandate(aw, agent):
    api = api_as(aw.applicant)
    body = {"agent": "13907110009", "scope": "item", "item": aw.version.item.code}
    created = api.post("/api/v1/mandates/", {**body, "valid_until": "2027-01-31"}, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["direction"] == "given" and data["status"] == "valid"
    assert data["agent"]["username"] == "agent_li"
    assert data["item"] == {"code": aw.version.item.code, "name": aw.version.name}
    assert [m["id"] for m in api.get("/api/v1/mandates/").json()] == [data["id"]]
    held = api_as(agent).get("/api/v1/mandates/").json()
    assert [(m["id"], m["direction"]) for m in held] == [(data["id"], "held")]
    revoked = api.post(f"/api/v1/mandates/{data['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    again = api.post(f"/api/v1/mandates/{data['id']}/revoke/")
    assert again.status_code == 400
    assert again.json()["code"] == "already_revoked"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"agent": "nobody"}, "agent", "未找到用户名或手机号码为“nobody”的代办员"),
        ({"scope": "item", "item": ""}, "item", "请选择委托事项"),
        ({"valid_until": "2029-01-01"}, "valid_until", "委托有效期最长 2 年"),
        ({"valid_until": "2020-01-01"}, "valid_until", "委托有效期不能早于今天"),
    ],
)
def test_the_api_answers_a_bad_grant_with_a_json_error(aw, agent, body, field, message):
    payload = {"agent": "agent_li", "scope": "all", "valid_until": "2026-12-31", **body}
    response = api_as(aw.applicant).post("/api/v1/mandates/", payload, format="json")
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid"
    assert message in error["message"]
    assert any(message in text for text in error["errors"][field])
    assert not Mandate.objects.exists()


def test_only_applicants_grant_and_strangers_cannot_revoke_through_the_api(aw, agent):
    refused = api_as(agent).post(
        "/api/v1/mandates/", {"agent": "agent_li", "scope": "all", "valid_until": "2026-12-31"}
    )
    assert refused.status_code == 403
    assert api_as(aw.clerk).get("/api/v1/mandates/").status_code == 403
    mandate = services.mandate_record(
        agent=agent,
        applicant=aw.applicant,
        valid_until=dt.date(2026, 12, 31),
        recorded_by=aw.applicant,
    )
    for user in (agent, aw.other_applicant):
        response = api_as(user).post(f"/api/v1/mandates/{mandate.pk}/revoke/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert AccessDenied.objects.filter(user=user, target=f"mandate:{mandate.pk}").exists()
    mandate.refresh_from_db()
    assert mandate.revoked_at is None
