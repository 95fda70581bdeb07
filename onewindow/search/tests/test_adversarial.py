"""Odd queries give a normal page and a normal answer (docs/rules/search.md §N1, docs/rules/search.md §N8)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGE = reverse("portal:guide_list")
API = "/api/v1/search/items/"

ODD = [
    "？？？！！！……",
    "😀😀😀🎉",
    "怎么办理",
    "我要 申请 办理",
    "护" * 1000,
    "a" * 1000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "'; DROP TABLE catalog_item; --",
    "%_%",
    "\\\\\\",
    "   ",
    "营业执照" * 300,
    "{{ 7*7 }}",
]


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("query", ODD)
def test_an_odd_query_gives_a_normal_page(client, demo, query):
    response = client.get(PAGE, {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "49" not in html.split('id="guide-q"')[1].split(">")[0]  # no template evaluation


@pytest.mark.parametrize("query", ODD)
def test_an_odd_query_gives_a_normal_answer(client, demo, query):
    response = client.get(API, {"q": query})
    assert response.status_code == 200
    body = response.json()
    assert len(body["query"]) <= 100
    assert isinstance(body["results"], list)


def test_only_stop_words_find_nothing_and_offer_popular_items(client, demo):
    body = client.get(API, {"q": "我要怎么办理"}).json()
    assert body["words"] == []
    assert body["count"] == 0
    assert body["suggestions_popular"] is True
    assert len(body["suggestions"]) == 5
    html = client.get(PAGE, {"q": "我要怎么办理"}).content.decode()
    assert "未找到与“我要怎么办理”相关的事项。" in html
    assert "看看热门事项" in html


def test_a_long_query_is_cut_and_the_page_says_so(client, demo):
    response = client.get(PAGE, {"q": "营业执照" + "啊" * 200})
    html = response.content.decode()
    assert "检索词过长，只按前 100 个字查找。" in html
    body = client.get(API, {"q": "营业执照" + "啊" * 200}).json()
    assert body["truncated"] is True
    assert len(body["query"]) == 100
