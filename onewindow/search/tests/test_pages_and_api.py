"""The guide list page and /api/v1/search/items/ give the same search (docs/rules/search.md)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGE = reverse("portal:guide_list")
API = "/api/v1/search/items/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def page_names(response) -> list[str]:
    return [v.name for v in response.context["page"].object_list]


def test_the_page_ranks_the_meant_item_first(client, demo):
    response = client.get(PAGE, {"q": "开饭店"})
    assert response.status_code == 200
    assert page_names(response)[0] == "食品经营许可"
    assert page_names(client.get(PAGE, {"q": "办护照"})) == ["普通护照签发"]


def test_the_api_gives_the_same_order_with_scores_and_signals(client, demo):
    body = client.get(API, {"q": "营业执照"}).json()
    assert body["words"] == ["营业执照"]
    assert [r["code"] for r in body["results"]][:2] == ["420700-SCJG-009", "420700-SCJG-010"]
    assert body["results"][0]["matched"] == "alias"
    assert body["results"][0]["department"] == "鄂州市市场监督管理局"
    assert body["results"][0]["url"].endswith("/api/v1/items/420700-SCJG-009/")
    page = page_names(client.get(PAGE, {"q": "营业执照"}))
    assert page == [r["name"] for r in body["results"]]


def test_pinyin_initials_work_on_page_and_api(client, demo):
    assert page_names(client.get(PAGE, {"q": "yyzz"}))[0] == "市场主体设立登记"
    assert client.get(API, {"q": "yyzz"}).json()["results"][0]["matched"] == "pinyin"


def test_no_result_page_suggests_the_nearest_items(client, demo):
    response = client.get(PAGE, {"q": "护昭签法"})
    html = response.content.decode()
    assert page_names(response) == []
    assert "未找到与“护昭签法”相关的事项。" in html
    assert "您是不是要找" in html
    assert reverse("portal:guide_detail", args=["420700-GAJ-002"]) in html
    body = client.get(API, {"q": "护昭签法"}).json()
    assert body["count"] == 0
    assert body["suggestions"][0]["code"] == "420700-GAJ-002"
    assert body["suggestions_popular"] is False


def test_filters_apply_to_the_ranked_search(client, demo):
    response = client.get(PAGE, {"q": "许可", "department": "GAJ"})
    names = page_names(response)
    assert names and all(
        name
        in {
            "大型群众性活动安全许可",
            "剧毒化学品购买许可",
            "民用爆炸物品购买许可",
            "旅馆业特种行业许可",
        }
        for name in names
    )
    body = client.get(API, {"q": "许可", "department": "GAJ"}).json()
    assert [r["name"] for r in body["results"]] == names


def test_the_api_limits_and_refuses_bad_parameters(client, demo):
    body = client.get(API, {"q": "许可", "limit": 3}).json()
    assert len(body["results"]) == 3 and body["count"] > 3
    for bad in ({"limit": 0}, {"limit": 51}, {"limit": "many"}, {"department": "x" * 51}):
        response = client.get(API, {"q": "许可", **bad})
        assert response.status_code == 400


def test_pages_of_a_ranked_search_keep_the_query(client, demo):
    first = client.get(PAGE, {"q": "许可"})
    assert len(page_names(first)) == 20
    second = client.get(PAGE, {"q": "许可", "page": 2})
    assert set(page_names(first)).isdisjoint(page_names(second))
    assert client.get(PAGE, {"q": "许可", "page": "abc"}).status_code == 200


def test_the_catalog_item_list_api_searches_the_same_way(client, demo):
    """/api/v1/items/?q= is no longer a substring filter: the same order as the search."""
    items = "/api/v1/items/"
    meant = client.get(items, {"q": "开饭店"}).json()["results"]
    assert meant[0]["name"] == "食品经营许可"
    assert client.get(items, {"q": "yyzz"}).json()["results"][0]["name"] == "市场主体设立登记"
    searched = [r["code"] for r in client.get(API, {"q": "营业执照"}).json()["results"]]
    listed = client.get(items, {"q": "营业执照", "page_size": 50}).json()["results"]
    assert [r["code"] for r in listed] == searched
    assert client.get(items, {"q": "？？！！"}).json()["count"] == 0
