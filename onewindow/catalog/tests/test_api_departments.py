"""GET /api/v1/departments/ and /api/v1/departments/<code>/."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from onewindow.api.tests import data as d
from onewindow.catalog.models import Item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def market():
    return d.department(
        "SCJG",
        "鄂州市市场监督管理局",
        short_name="市场监管局",
        address="鄂州市滨湖南路 1 号",
        phone="0711-3200000",
        hall_location="二楼 12-15 号窗口",
        sort=1,
    )


def test_the_list_shows_each_active_department_with_its_published_item_count(client, market):
    health = d.department("WJW", "鄂州市卫生健康委员会", sort=2)
    d.department("OLD", "已撤销的局", is_active=False)
    d.guide("SP-001", "食品经营许可", dept=market)
    d.guide("SP-002", "食品生产许可", dept=market)
    d.draft(Item.objects.create(code="SP-003", department=market), "草稿事项")
    superseded = d.guide("WS-001", "公共场所卫生许可", dept=health)
    d.publish(d.draft(superseded.item, "公共场所卫生许可（新版）"))
    response = client.get("/api/v1/departments/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["results"] == [
        {
            "code": "SCJG",
            "name": "鄂州市市场监督管理局",
            "short_name": "市场监管局",
            "address": "鄂州市滨湖南路 1 号",
            "phone": "0711-3200000",
            "hall_location": "二楼 12-15 号窗口",
            "published_item_count": 2,
            "items_url": "http://testserver/api/v1/items/?department=SCJG",
        },
        {
            "code": "WJW",
            "name": "鄂州市卫生健康委员会",
            "short_name": "",
            "address": "",
            "phone": "",
            "hall_location": "",
            "published_item_count": 1,
            "items_url": "http://testserver/api/v1/items/?department=WJW",
        },
    ]


def test_items_url_lists_the_departments_items(client, market):
    d.guide("SP-001", "食品经营许可", dept=market)
    d.guide("WS-001", "公共场所卫生许可", dept=d.department("WJW", "鄂州市卫生健康委员会"))
    url = client.get("/api/v1/departments/SCJG/").json()["items_url"]
    rows = client.get(url.removeprefix("http://testserver")).json()["results"]
    assert [row["code"] for row in rows] == ["SP-001"]


def test_the_detail_shows_one_department(client, market):
    d.guide("SP-001", "食品经营许可", dept=market)
    response = client.get("/api/v1/departments/SCJG/")
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["name"], body["published_item_count"]) == (
        "SCJG",
        "鄂州市市场监督管理局",
        1,
    )


@pytest.mark.parametrize("code", ["NOPE", "OLD", "X" * 500])
def test_an_unknown_or_inactive_department_is_a_chinese_404(client, code):
    d.department("OLD", "已撤销的局", is_active=False)
    response = client.get(f"/api/v1/departments/{code}/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "部门不存在。"}


def test_list_and_detail_run_a_fixed_number_of_queries(
    unthrottled, client, django_assert_max_num_queries
):
    for n in range(30):
        dept = d.department(f"D{n:02d}", f"部门{n:02d}")
        d.guide(f"I{n:02d}", f"事项{n:02d}", dept=dept)
    with django_assert_max_num_queries(2):  # count + page
        assert len(client.get("/api/v1/departments/", {"page_size": 50}).json()["results"]) == 30
    with django_assert_max_num_queries(1):
        assert client.get("/api/v1/departments/D07/").status_code == 200
