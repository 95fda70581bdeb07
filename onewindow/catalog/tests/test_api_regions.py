"""GET /api/v1/regions/ and /api/v1/regions/<code>/: the region tree."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from onewindow.api.tests import data as d
from onewindow.catalog.models import RegionLevel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tree():
    city = d.region("420700", "鄂州市")
    liangzihu = d.region("420702", "梁子湖区", RegionLevel.DISTRICT, city, sort=1)
    huarong = d.region("420703", "华容区", RegionLevel.DISTRICT, city, sort=2)
    taihe = d.region("420702100", "太和镇", RegionLevel.STREET, liangzihu)
    d.region("420702100001", "太和社区", RegionLevel.COMMUNITY, taihe, has_service_point=True)
    d.region("420703100", "华容镇", RegionLevel.STREET, huarong)
    return city


def codes(response) -> list[str]:
    return [row["code"] for row in response.json()["results"]]


def test_the_list_is_flat_with_level_and_parent_code(client, tree):
    body = client.get("/api/v1/regions/").json()
    assert body["count"] == 6
    by_code = {row["code"]: row for row in body["results"]}
    assert by_code["420700"] == {
        "code": "420700",
        "name": "鄂州市",
        "level": "city",
        "level_label": "市",
        "parent": None,
        "has_service_point": False,
    }
    assert by_code["420702100001"] == {
        "code": "420702100001",
        "name": "太和社区",
        "level": "community",
        "level_label": "社区/村",
        "parent": "420702100",
        "has_service_point": True,
    }


def test_level_filters_the_list(client, tree):
    assert codes(client.get("/api/v1/regions/", {"level": "district"})) == ["420702", "420703"]
    assert codes(client.get("/api/v1/regions/", {"level": "city"})) == ["420700"]


def test_parent_filters_the_list_to_direct_children(client, tree):
    assert codes(client.get("/api/v1/regions/", {"parent": "420702"})) == ["420702100"]
    assert codes(client.get("/api/v1/regions/", {"parent": "420700", "level": "street"})) == []


def test_an_unknown_parent_gives_an_empty_list(client, tree):
    response = client.get("/api/v1/regions/", {"parent": "999999"})
    assert (response.status_code, response.json()["count"]) == (200, 0)


def test_an_unknown_level_is_a_400_naming_the_parameter(client, tree):
    response = client.get("/api/v1/regions/", {"level": "province"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == ["level"]
    assert "province" in body["message"]


def test_the_detail_shows_the_region_and_its_children(client, tree):
    response = client.get("/api/v1/regions/420702/")
    assert response.status_code == 200
    assert response.json() == {
        "code": "420702",
        "name": "梁子湖区",
        "level": "district",
        "level_label": "区/新区",
        "parent": "420700",
        "has_service_point": False,
        "children": [
            {
                "code": "420702100",
                "name": "太和镇",
                "level": "street",
                "level_label": "街道/乡镇",
                "has_service_point": False,
            }
        ],
    }
    city = client.get("/api/v1/regions/420700/").json()
    assert [child["code"] for child in city["children"]] == ["420702", "420703"]


def test_an_unknown_region_is_a_chinese_404(client, tree):
    response = client.get("/api/v1/regions/000000/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "行政区域不存在。"}


def test_list_and_detail_run_a_fixed_number_of_queries(
    unthrottled, client, tree, django_assert_max_num_queries
):
    for n in range(30):
        d.region(
            f"4207032{n:02d}", f"街道{n}", RegionLevel.STREET, tree.children.get(code="420703")
        )
    with django_assert_max_num_queries(2):  # count + page with parents joined
        assert client.get("/api/v1/regions/", {"page_size": 100}).json()["count"] == 36
    with django_assert_max_num_queries(2):  # region with parent + children
        assert len(client.get("/api/v1/regions/420703/").json()["children"]) == 31
