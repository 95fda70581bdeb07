from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse

from onewindow.catalog.models import RegionLevel, VersionStatus
from onewindow.portal.tests import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("portal:guide_list")


def names(response) -> list[str]:
    return [v.name for v in response.context["page"].object_list]


def test_guide_list_shows_name_code_department_limits_and_the_on_the_spot_badge(client, catalog):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["食品经营许可", "SP-JY-001", "鄂州市市场监督管理局", "公共场所卫生许可"]:
        assert text in html
    assert "5 个工作日" in html and "20 个工作日" in html
    assert "当场办结" in html  # the on-the-spot item's committed limit of 0 days
    assert html.count('class="badge badge-instant"') == 1
    assert "共 3 个事项" in html


def test_searching_food_finds_both_food_licences_and_nothing_else(client, catalog):
    response = client.get(URL, {"q": "食品"})
    assert sorted(names(response)) == ["食品小经营许可", "食品经营许可"]


def test_search_matches_the_department_name(client, catalog):
    assert names(client.get(URL, {"q": "卫生健康"})) == ["公共场所卫生许可"]


def test_search_on_codes_ignores_case(client, catalog):
    assert names(client.get(URL, {"q": "sp-jy"})) == ["食品经营许可"]
    assert names(client.get(URL, {"q": "Ws-Gg-003"})) == ["公共场所卫生许可"]


def test_several_words_must_all_match(client, catalog):
    assert names(client.get(URL, {"q": "食品 小"})) == ["食品小经营许可"]


def test_department_filter_keeps_that_departments_items(client, catalog):
    response = client.get(URL, {"department": "WJW"})
    assert names(response) == ["公共场所卫生许可"]
    assert '<option value="WJW" selected>' in response.content.decode()


def test_region_filter_includes_items_implemented_in_a_region_above(client, catalog):
    city = f.region("鄂州市", "420700", RegionLevel.CITY)
    district = f.region("鄂城区", "420704", RegionLevel.DISTRICT, city)
    f.implement(catalog.food.item, city)
    f.implement(catalog.hygiene.item, district)
    assert sorted(names(client.get(URL, {"region": "420704"}))) == [
        "公共场所卫生许可",
        "食品经营许可",
    ]
    assert names(client.get(URL, {"region": "420700"})) == ["食品经营许可"]
    assert names(client.get(URL, {"region": "999999"})) == []


def test_no_match_says_so(client, catalog):
    response = client.get(URL, {"q": "不存在的事项"})
    html = response.content.decode()
    assert "没有找到符合条件的事项。" in html
    assert "共 0 个事项" in html


def test_the_form_labels_every_field(client, catalog):
    html = client.get(URL).content.decode()
    for field_id in ["guide-q", "guide-department", "guide-region"]:
        assert f'for="{field_id}"' in html and f'id="{field_id}"' in html


def test_a_draft_only_item_is_not_listed(client, catalog):
    f.guide("食品生产许可", dept=catalog.market, status=VersionStatus.DRAFT)
    assert "食品生产许可" not in client.get(URL, {"q": "食品"}).content.decode()


def test_only_the_current_version_of_a_republished_item_is_listed(client, catalog):
    f.version(catalog.food.item, "食品经营许可（2026年版）")
    response = client.get(URL, {"q": "食品经营"})
    assert names(response)[0] == "食品经营许可（2026年版）"
    assert "食品经营许可" not in names(response)


def test_pages_of_twenty_keep_the_search_in_the_links(client, catalog):
    for n in range(25):
        f.guide(f"食品批发许可{n:02d}", dept=catalog.market)
    first = client.get(URL, {"q": "食品"})
    assert len(names(first)) == 20
    html = first.content.decode()
    assert f"?q={quote('食品')}&amp;page=2" in html
    second = client.get(URL, {"q": "食品", "page": 2})
    assert len(names(second)) == 7
    assert "第 2 页，共 2 页" in second.content.decode()


def test_an_out_of_range_page_shows_the_last_page(client, catalog):
    assert client.get(URL, {"page": 99}).status_code == 200
    assert client.get(URL, {"page": "abc"}).status_code == 200


def test_the_list_costs_a_fixed_number_of_queries(client, catalog, django_assert_max_num_queries):
    for n in range(30):
        f.guide(f"食品批发许可{n:02d}", dept=catalog.health)
    client.get(URL, {"q": "许可"})  # the search index is built once per catalog change
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"q": "许可", "department": "WJW"})
    assert len(names(response)) == 20
    with django_assert_max_num_queries(5):
        client.get(URL)
