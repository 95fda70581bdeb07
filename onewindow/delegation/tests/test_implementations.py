"""docs/rules/delegation.md §V4–§V7: region administrators manage only their own region; a
deviation is stricter, or laxer with a legal basis; every change is recorded; the drift monitor
lists what differs from the city's guide. Pages and API."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.catalog import delegation
from onewindow.catalog.models import ImplementationChange, ItemImplementation
from onewindow.core.models import AccessDenied


def _impl(town, region=None):
    return ItemImplementation.objects.get(item=town.version.item, region=region or town.district)


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _snapshot(row):
    row.refresh_from_db()
    return (row.committed_days, row.fee_amounts, row.extra_materials, row.omitted_materials)


# --- the rule itself (V5 worked example) --------------------------------------------------------
def test_stricter_is_allowed_and_laxer_needs_a_legal_basis(town):
    version = town.version
    ok = delegation.deviation_check(
        version,
        delegation.Deviations(
            committed_days=10,
            fee_amounts={"证书工本费": "5"},
            omitted_materials=["场所平面图"],
            reason="精简",
        ),
    )
    assert ok["committed_days"] == 10 and ok["fee_amounts"] == {"证书工本费": "5.00"}
    with pytest.raises(delegation.DeviationRefused) as refused:
        delegation.deviation_check(
            version,
            delegation.Deviations(
                committed_days=18,
                fee_amounts={"证书工本费": "12.00"},
                extra_materials=["社区证明"],
                reason="加严",
            ),
        )
    assert len(refused.value.reasons) == 3
    assert "承诺时限18个工作日长于市级的15个工作日" in refused.value.reasons[0]
    assert "须填写法律依据" in refused.value.message
    with_basis = delegation.Deviations(
        committed_days=18,
        fee_amounts={"证书工本费": "12.00"},
        extra_materials=["社区证明"],
        legal_basis="《湖北省某条例》第十条",
        reason="依法",
    )
    assert delegation.deviation_check(version, with_basis)["committed_days"] == 18


@pytest.mark.parametrize(
    ("wanted", "message"),
    [
        (dict(committed_days=21), "超过法定时限20个工作日"),
        (dict(omitted_materials=["申请书"]), "是主要材料，不得精简"),
        (dict(fee_amounts={"检测费": "1"}), "没有收费项目“检测费”"),
        (dict(fee_amounts={"证书工本费": "-1"}), "金额“-1”无效"),
        (dict(fee_amounts={"证书工本费": "abc"}), "金额“abc”无效"),
        (dict(fee_amounts={"证书工本费": "1.234"}), "金额“1.234”无效"),
        (dict(extra_materials=["申请书"]), "已在市级材料清单中"),
    ],
)
def test_never_allowed_even_with_a_basis(town, wanted, message):
    with pytest.raises(delegation.DeviationRefused, match=message):
        delegation.deviation_check(
            town.version, delegation.Deviations(legal_basis="某法", reason="试", **wanted)
        )


def test_a_reason_is_required(town):
    with pytest.raises(delegation.DeviationRefused, match="请填写修改理由"):
        delegation.deviation_check(town.version, delegation.Deviations(committed_days=10))


# --- pages --------------------------------------------------------------------------------------
def test_region_admin_edits_own_region_and_the_change_is_recorded(town, client):
    row = _impl(town)
    client.force_login(town.region_admin)
    url = reverse("delegation:implementation", args=[row.pk])
    page = client.get(url)
    assert page.status_code == 200 and "证书工本费" in page.content.decode()
    response = client.post(
        url,
        {"committed_days": "10", "fee_0": "5.00", "omitted": ["场所平面图"], "reason": "减时限"},
    )
    assert response.status_code == 302
    assert _snapshot(row) == (10, {"证书工本费": "5.00"}, [], ["场所平面图"])
    change = ImplementationChange.objects.get(implementation=row, action="update")
    assert change.actor == town.region_admin and change.reason == "减时限"
    assert change.changes["committed_days"] == [None, 10]
    assert row.updated_by == town.region_admin and row.updated_at is not None


def test_a_laxer_deviation_without_basis_is_refused_and_nothing_changes(town, client):
    row = _impl(town)
    client.force_login(town.region_admin)
    before = _snapshot(row)
    response = client.post(
        reverse("delegation:implementation", args=[row.pk]),
        {"committed_days": "18", "fee_0": "12", "reason": "想延长"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "承诺时限18个工作日长于市级的15个工作日" in html
    assert "高于市级收费标准10.00元" in html and "须填写法律依据" in html
    assert _snapshot(row) == before
    assert not ImplementationChange.objects.exists()


def test_a_region_admin_cannot_touch_another_region(town, client):
    row = _impl(town)
    client.force_login(town.other_region_admin)
    url = reverse("delegation:implementation", args=[row.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"committed_days": "5", "reason": "x"}).status_code == 404
    remove = reverse("delegation:implementation_remove", args=[row.pk])
    assert client.post(remove, {"reason": "x"}).status_code == 404
    add = reverse("delegation:implementation_add")
    assert (
        client.post(
            add, {"region": town.district.code, "item": town.other_version.item_id, "reason": "x"}
        ).status_code
        == 404
    )
    assert AccessDenied.objects.filter(user=town.other_region_admin).count() == 4
    assert _snapshot(row) == (None, {}, [], [])
    listing = client.get(reverse("delegation:implementations")).content.decode()
    assert "食品经营许可" not in listing


def test_region_admin_adds_and_removes_items_of_own_region(town, client):
    client.force_login(town.region_admin)
    response = client.post(
        reverse("delegation:implementation_add"),
        {"region": town.point.code, "item": town.other_version.item_id, "reason": "社区需要"},
    )
    assert response.status_code == 302
    row = ItemImplementation.objects.get(item=town.other_version.item, region=town.point)
    assert row.mode == "accepts"
    response = client.post(
        reverse("delegation:implementation_remove", args=[row.pk]), {"reason": "撤回"}
    )
    assert response.status_code == 302
    assert not ItemImplementation.objects.filter(pk=row.pk).exists()
    assert list(
        ImplementationChange.objects.filter(region=town.point).values_list("action", flat=True)
    ) == ["remove", "add"]


# --- drift monitor ------------------------------------------------------------------------------
def _drift_fee_and_limit(town):
    delegation.implementation_update(
        implementation=_impl(town),
        actor=town.region_admin,
        wanted=delegation.Deviations(
            committed_days=18,
            fee_amounts={"证书工本费": "12.00"},
            legal_basis="《湖北省食品小作坊条例》第十二条",
            reason="按省条例执行",
        ),
    )


def test_the_drift_monitor_lists_the_changed_fee_and_limit(town, client):
    _drift_fee_and_limit(town)
    client.force_login(town.supervisor)
    html = client.get(reverse("delegation:drift")).content.decode()
    for text in ("鄂城区", "食品经营许可", "承诺时限", "15", "18", "证书工本费", "10.00", "12.00"):
        assert text in html
    assert "ec_admin" in html and "按省条例执行" in html
    other = client.get(reverse("delegation:drift") + "?region=420703").content.decode()
    assert "证书工本费" not in other
    bad = client.get(reverse("delegation:drift") + "?region=999")
    assert bad.status_code == 400 and "没有区划代码为“999”的区域" in bad.content.decode()

    export = client.get(reverse("delegation:drift_export", args=["csv"]))
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:6] == ["区域", "事项编码", "事项名称", "偏离内容", "市级", "本区域"]
    assert ["鄂城区", "T-SP-001", "食品经营许可", "承诺时限（工作日）", "15", "18"] in [
        r[:6] for r in rows
    ]
    assert ["鄂城区", "T-SP-001", "食品经营许可", "收费：证书工本费（元）", "10.00", "12.00"] in [
        r[:6] for r in rows
    ]


def test_the_drift_monitor_is_for_the_centre_only(town, client):
    client.force_login(town.district_clerk)
    assert client.get(reverse("delegation:drift")).status_code == 404
    assert AccessDenied.objects.filter(user=town.district_clerk).exists()
    assert _api(town.region_admin).get(reverse("api:delegation_drift")).status_code == 403


# --- API ----------------------------------------------------------------------------------------
def test_api_list_detail_update_with_the_same_rules(town):
    row = _impl(town)
    api = _api(town.region_admin)
    listing = api.get(reverse("api:delegation_implementations")).json()
    assert {r["region_code"] for r in listing} == {"420704", "420704001001"}
    detail_url = reverse("api:delegation_implementation", args=[row.pk])
    assert api.get(detail_url).json()["city_committed_days"] == 15

    refused = api.patch(
        detail_url,
        {"committed_days": 18, "fee_amounts": {"证书工本费": "12"}, "reason": "x"},
        format="json",
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "deviation_refused" and len(body["errors"]) == 2
    assert _snapshot(row) == (None, {}, [], [])

    done = api.patch(
        detail_url,
        {"committed_days": 12, "fee_amounts": {"证书工本费": "8"}, "reason": "提速"},
        format="json",
    )
    assert done.status_code == 200
    body = done.json()
    assert body["committed_days"] == 12 and body["fee_amounts"] == {"证书工本费": "8.00"}
    assert body["history"][0]["actor"] == "ec_admin" and body["history"][0]["reason"] == "提速"

    bad = api.patch(detail_url, {"committed_days": "十", "reason": "x"}, format="json")
    assert bad.status_code == 400


def test_api_another_region_is_a_logged_404(town):
    row = _impl(town)
    api = _api(town.other_region_admin)
    url = reverse("api:delegation_implementation", args=[row.pk])
    assert api.get(url).status_code == 404
    assert api.patch(url, {"committed_days": 5, "reason": "x"}, format="json").status_code == 404
    assert api.get(reverse("api:delegation_implementations") + "?region=420704").status_code == 404
    assert AccessDenied.objects.filter(user=town.other_region_admin).count() == 3
    assert _snapshot(row) == (None, {}, [], [])
    assert _api(town.city_clerk).get(reverse("api:delegation_implementations")).status_code == 403


def test_api_drift_lists_the_changed_fee_and_limit(town):
    _drift_fee_and_limit(town)
    rows = _api(town.admin).get(reverse("api:delegation_drift")).json()
    assert len(rows) == 1
    drift = rows[0]
    assert drift["region_code"] == "420704" and drift["changed_by"] == "ec_admin"
    assert {(x["what"], x["city"], x["region"]) for x in drift["lines"]} == {
        ("承诺时限（工作日）", "15", "18"),
        ("收费：证书工本费（元）", "10.00", "12.00"),
    }
    assert drift["legal_basis"] == "《湖北省食品小作坊条例》第十二条"
    assert _api(town.admin).get(reverse("api:delegation_drift") + "?region=x").status_code == 400
