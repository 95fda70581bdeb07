"""GET /api/v1/items/ and /api/v1/items/<code>/: published guides only."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import resolve

from onewindow.api.tests import data as d
from onewindow.catalog.models import Item, RegionLevel, VersionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def market():
    return d.department("SCJG", "鄂州市市场监督管理局")


@pytest.fixture
def health():
    return d.department("WJW", "鄂州市卫生健康委员会")


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


# --- list ------------------------------------------------------------------------------------


def test_the_list_shows_each_published_item_with_its_key_facts(client, market):
    d.guide("SP-001", "食品经营许可", dept=market, statutory_days=20, committed_days=7)
    response = client.get("/api/v1/items/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    assert body["results"] == [
        {
            "code": "SP-001",
            "name": "食品经营许可",
            "department": {"code": "SCJG", "name": "鄂州市市场监督管理局"},
            "item_type": "licensing",
            "item_type_label": "行政许可",
            "statutory_days": 20,
            "committed_days": 7,
            "on_the_spot": False,
            "version": 1,
            "url": "http://testserver/api/v1/items/SP-001/",
        }
    ]


def test_the_list_leaves_out_items_without_a_published_version(client, market):
    d.guide("SP-001", "食品经营许可", dept=market)
    unpublished = Item.objects.create(code="SP-002", department=market)
    d.draft(unpublished, "食品生产许可")
    assert names(client.get("/api/v1/items/")) == ["食品经营许可"]


def test_the_list_shows_the_current_version_not_a_superseded_or_draft_one(client, market):
    first = d.guide("SP-001", "食品经营许可（旧）", dept=market)
    d.publish(d.draft(first.item, "食品经营许可"))
    d.draft(first.item, "食品经营许可（修订草稿）")
    body = client.get("/api/v1/items/").json()
    assert [(row["name"], row["version"]) for row in body["results"]] == [("食品经营许可", 2)]


def test_q_finds_a_chinese_substring_of_the_name(client, market):
    d.guide("SP-001", "食品经营许可", dept=market)
    d.guide("SP-002", "食品生产许可", dept=market)
    d.guide("YP-001", "药品零售许可", dept=market)
    assert names(client.get("/api/v1/items/", {"q": "食品"})) == ["食品经营许可", "食品生产许可"]
    assert names(client.get("/api/v1/items/", {"q": "经营 食品"})) == ["食品经营许可"]
    assert names(client.get("/api/v1/items/", {"q": "yp-001"})) == ["药品零售许可"]
    assert names(client.get("/api/v1/items/", {"q": "不存在"})) == []


def test_department_filters_by_department_code(client, market, health):
    d.guide("SP-001", "食品经营许可", dept=market)
    d.guide("WS-001", "公共场所卫生许可", dept=health)
    assert names(client.get("/api/v1/items/", {"department": "WJW"})) == ["公共场所卫生许可"]
    assert names(client.get("/api/v1/items/", {"department": "NOPE"})) == []


def test_region_filter_includes_items_implemented_in_the_regions_above(client, market):
    city = d.region("420700", "鄂州市")
    district = d.region("420702", "梁子湖区", RegionLevel.DISTRICT, city)
    town = d.region("420702100", "太和镇", RegionLevel.STREET, district)
    d.guide("SP-001", "食品经营许可", dept=market, regions=[city])
    d.guide("SP-002", "食品小经营许可", dept=market, regions=[town])
    d.guide("SP-003", "食品生产许可", dept=market)
    assert names(client.get("/api/v1/items/", {"region": "420702100"})) == [
        "食品经营许可",
        "食品小经营许可",
    ]
    assert names(client.get("/api/v1/items/", {"region": "420702"})) == ["食品经营许可"]


def test_an_unknown_region_gives_an_empty_list_not_an_error(client, market):
    d.guide("SP-001", "食品经营许可", dept=market)
    response = client.get("/api/v1/items/", {"region": "does-not-exist"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_a_query_longer_than_100_characters_is_refused_with_a_chinese_message(client):
    response = client.get("/api/v1/items/", {"q": "食" * 101})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "q" in body["errors"]
    assert "100" in body["message"]


def test_a_nul_character_in_a_filter_is_a_400(client):
    response = client.get("/api/v1/items/", {"q": "食\x00品"})
    assert response.status_code == 400
    assert "q" in response.json()["errors"]


def test_the_list_is_paginated_with_count_next_and_previous(client, market):
    for n in range(25):
        d.guide(f"SP-{n:03d}", f"事项{n:03d}", dept=market)
    first = client.get("/api/v1/items/").json()
    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/items/?page=2"
    second = client.get("/api/v1/items/", {"page": 2}).json()
    assert [row["code"] for row in second["results"]] == [f"SP-{n:03d}" for n in range(20, 25)]
    assert second["next"] is None
    small = client.get("/api/v1/items/", {"page_size": 10, "page": 3}).json()
    assert len(small["results"]) == 5


def test_page_size_is_capped_at_200(client, market):
    for n in range(201):
        d.guide(f"SP-{n:03d}", f"事项{n:03d}", dept=market)
    body = client.get("/api/v1/items/", {"page_size": 500}).json()
    assert len(body["results"]) == 200
    assert body["next"] is not None


def test_the_list_runs_a_fixed_number_of_queries_whatever_its_length(
    unthrottled, client, market, health, django_assert_max_num_queries
):
    for n in range(30):
        d.guide(f"SP-{n:03d}", f"食品事项{n:03d}", dept=market if n % 2 else health)
    with django_assert_max_num_queries(2):  # count + page
        assert client.get("/api/v1/items/", {"page_size": 50}).json()["count"] == 30
    # A query goes through the guide search: its index is built once (then cached), then a
    # search reads the index's stamp and the items' usage — a fixed number, whatever the length.
    client.get("/api/v1/items/", {"q": "食品"})
    with django_assert_max_num_queries(5):
        found = client.get("/api/v1/items/", {"q": "食品", "department": "SCJG"}).json()
    assert found["count"] == 15


# --- detail ----------------------------------------------------------------------------------


@pytest.fixture
def food(market):
    city = d.region("420700", "鄂州市")
    district = d.region("420702", "梁子湖区", RegionLevel.DISTRICT, city)
    version = d.guide(
        "SP-001",
        "食品经营许可",
        dept=market,
        regions=[city],
        conditions=["持有营业执照", "有与经营的食品品种相适应的场所"],
        materials=[
            d.material(
                "食品经营许可申请书",
                form=b"blank form",
                sample=b"filled sample",
                note="法定代表人签字",
            ),
            d.material(
                "营业执照",
                required=False,
                is_core=False,
                original_or_copy="copy",
                copies=2,
                source="市场监管部门",
            ),
        ],
        fees=[d.fee("工本费", "10.50", basis="鄂价费〔2015〕1号")],
        statutory_days=20,
        committed_days=7,
        joint_handling=True,
        tolerance_category="encouraged",
        commitment_allowed=True,
        result_type="certificate",
        result_name="食品经营许可证",
        delivery_methods=["window", "electronic"],
        handling_place="市民之家二楼 12 号窗口",
        handling_hours="工作日 9:00-17:00",
        contact_phone="0711-3200000",
        supervision_phone="0711-3200001",
        service_object="企业法人",
        process_summary="申请 → 受理 → 审查 → 决定",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
    )
    Item.objects.get(pk=version.item_id).implementations.create(
        region=district, mode="accepts", delegated=True
    )
    return version


def test_the_detail_is_the_full_guide_of_the_published_version(client, food):
    response = client.get("/api/v1/items/SP-001/")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "SP-001"
    assert body["name"] == "食品经营许可"
    assert body["department"] == {"code": "SCJG", "name": "鄂州市市场监督管理局"}
    assert body["version"] == 1
    assert body["published_at"].startswith(food.published_at.date().isoformat()[:4])
    assert body["legal_basis"] == "《中华人民共和国食品安全法》第三十五条"
    assert body["conditions"] == ["持有营业执照", "有与经营的食品品种相适应的场所"]
    assert body["fees"] == [
        {"name": "工本费", "amount": "10.50", "unit": "件", "legal_basis": "鄂价费〔2015〕1号"}
    ]
    assert body["is_free"] is False
    assert body["limits"] == {
        "statutory_days": 20,
        "committed_days": 7,
        "joint_handling": True,
        "on_the_spot": False,
        "limit_basis_law": "",  # within 45 working days: no other basis needed (Art. 42)
        "limit_basis_article": "",
    }
    assert (body["tolerance_category"], body["tolerance_category_label"]) == (
        "encouraged",
        "鼓励类",
    )
    assert body["commitment_allowed"] is True
    assert body["result"] == {
        "result_type": "certificate",
        "result_type_label": "证照",
        "name": "食品经营许可证",
        "validity_years": None,
        "renewable": False,
    }
    assert body["delivery_methods"] == [
        {"delivery_method": "window", "delivery_method_label": "窗口领取"},
        {"delivery_method": "electronic", "delivery_method_label": "电子证照"},
    ]
    assert body["handling"] == {
        "place": "市民之家二楼 12 号窗口",
        "hours": "工作日 9:00-17:00",
        "contact_phone": "0711-3200000",
        "supervision_phone": "0711-3200001",
    }
    assert body["service_object"] == "企业法人"
    assert body["process_summary"] == "申请 → 受理 → 审查 → 决定"
    assert body["implementations"] == [
        {
            "code": "420700",
            "name": "鄂州市",
            "level": "city",
            "level_label": "市",
            "mode": "handles",
            "mode_label": "受理并办理",
            "delegated": False,
        },
        {
            "code": "420702",
            "name": "梁子湖区",
            "level": "district",
            "level_label": "区/新区",
            "mode": "accepts",
            "mode_label": "代收代办（受理点）",
            "delegated": True,
        },
    ]


def test_materials_carry_their_checklist_facts_and_absolute_download_links(client, food):
    form, licence = client.get("/api/v1/items/SP-001/").json()["materials"]
    form_id = food.materials.get(name="食品经营许可申请书").pk
    assert form == {
        "id": form_id,
        "name": "食品经营许可申请书",
        "required": True,
        "is_core": True,
        "original_or_copy": "original",
        "original_or_copy_label": "原件",
        "copies": 1,
        "for_renewal": True,
        "source": "",
        "note": "法定代表人签字",
        "form_url": f"http://testserver/guides/SP-001/materials/{form_id}/form/",
        "sample_url": f"http://testserver/guides/SP-001/materials/{form_id}/sample/",
    }
    assert licence["required"] is False
    assert licence["is_core"] is False
    assert (licence["original_or_copy"], licence["copies"]) == ("copy", 2)
    assert (licence["form_url"], licence["sample_url"]) == (None, None)


def test_download_links_point_at_the_portal_download_view(client, food):
    material = client.get("/api/v1/items/SP-001/").json()["materials"][0]
    for url, kind in [(material["form_url"], "form"), (material["sample_url"], "sample")]:
        match = resolve(url.removeprefix("http://testserver"))
        assert match.view_name == "portal:material_download"
        assert match.kwargs == {"code": "SP-001", "material_id": material["id"], "kind": kind}


def test_an_item_without_fees_is_free(client, market):
    d.guide("SP-009", "食品登记", dept=market)
    body = client.get("/api/v1/items/SP-009/").json()
    assert (body["fees"], body["is_free"]) == ([], True)


def test_the_detail_shows_the_current_version_after_a_new_one_is_published(client, food):
    d.publish(d.draft(food.item, "食品经营许可（2025版）", conditions=["新条件"]))
    body = client.get("/api/v1/items/SP-001/").json()
    assert (body["name"], body["version"], body["conditions"]) == (
        "食品经营许可（2025版）",
        2,
        ["新条件"],
    )


@pytest.mark.parametrize("code", ["NOPE", "SP-002"])
def test_an_unknown_or_unpublished_item_is_a_chinese_404(client, market, code):
    Item.objects.create(code="SP-002", department=market)
    d.draft(Item.objects.get(code="SP-002"), "食品生产许可")
    response = client.get(f"/api/v1/items/{code}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "message": "事项不存在或尚未发布。"}


def test_a_superseded_only_item_is_not_found(client, food):
    food.status = VersionStatus.SUPERSEDED
    food.save(update_fields=["status"])
    assert client.get("/api/v1/items/SP-001/").status_code == 404


def test_the_detail_runs_a_fixed_number_of_queries(
    unthrottled, client, food, django_assert_max_num_queries
):
    # version + conditions + materials + fees + implementations + their regions
    # + the process branches with their departments
    with django_assert_max_num_queries(7):
        assert client.get("/api/v1/items/SP-001/").status_code == 200
