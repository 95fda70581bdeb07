"""The home page and the three lists: form downloads, power list, fee list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.catalog.models import ItemType, VersionStatus
from onewindow.portal.tests import factories as f

pytestmark = pytest.mark.django_db


def get(client, name: str, **params):
    response = client.get(reverse(f"portal:{name}"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_home_has_the_search_box_columns_counts_items_and_departments(client, catalog):
    f.department("鄂州市公安局", "GA")  # active, nothing published yet
    html = get(client, "home")
    assert 'action="/guides/"' in html and 'name="q"' in html and 'for="home-q"' in html
    for column in ["办事指南", "表格下载", "权力清单", "收费清单"]:
        assert f'<span class="tile-title">{column}</span>' in html
    assert "<dd>3 个</dd>" in html  # departments
    assert "<dd>3 项</dd>" in html  # published items
    assert 'href="/guides/SP-JY-001/"' in html
    assert 'href="/guides/?department=SCJG"' in html
    assert "鄂州市公安局 <span" in html and "暂无公开事项" in html
    assert 'href="/guides/?department=GA"' not in html


def test_home_counts_leave_out_drafts_and_inactive_departments(client, catalog):
    f.guide("食品生产许可", dept=catalog.market, status=VersionStatus.DRAFT)
    f.department("已撤销的部门", "OLD", is_active=False)
    html = get(client, "home")
    assert "<dd>2 个</dd>" in html and "<dd>3 项</dd>" in html
    assert "食品生产许可" not in html and "已撤销的部门" not in html


def test_home_costs_a_fixed_number_of_queries(client, catalog, django_assert_max_num_queries):
    for n in range(20):
        f.guide(f"事项{n}", dept=f.department(f"部门{n}"))
    # … one of them the themes by life event (docs/rules/bundles.md), whatever their number
    with django_assert_max_num_queries(6):
        client.get("/")


def test_form_downloads_list_published_materials_with_files_by_department(client, catalog):
    f.guide(
        "食品生产许可",
        dept=catalog.market,
        status=VersionStatus.DRAFT,
        materials=[f.MaterialSpec("草稿表格", form=("d.pdf", b"d"))],
    )
    f.guide(
        "公共场所卫生许可（延续）",
        dept=catalog.health,
        materials=[f.MaterialSpec("延续申请表", sample=("s.pdf", b"s"))],
    )
    html = get(client, "form_list")
    assert (
        "<h2" in html
        and "鄂州市市场监督管理局</h2>" in html
        and "鄂州市卫生健康委员会</h2>" in html
    )
    assert "食品经营许可申请书" in html and "延续申请表" in html
    assert "营业执照" not in html  # no file attached
    assert "草稿表格" not in html
    assert html.index("鄂州市市场监督管理局</h2>") < html.index("鄂州市卫生健康委员会</h2>")


def test_form_downloads_can_be_searched(client, catalog):
    f.guide(
        "公共场所卫生许可（延续）",
        dept=catalog.health,
        materials=[f.MaterialSpec("延续申请表", form=("s.pdf", b"s"))],
    )
    html = get(client, "form_list", q="延续")
    assert "延续申请表" in html and "食品经营许可申请书" not in html
    assert "食品经营许可申请书" in get(client, "form_list", q="sp-jy")
    assert "没有找到符合条件的表格。" in get(client, "form_list", q="没有这张表")


def test_form_downloads_cost_a_fixed_number_of_queries(
    client, catalog, django_assert_max_num_queries
):
    for n in range(10):
        f.guide(f"事项{n}", materials=[f.MaterialSpec(f"表{n}", form=(f"{n}.pdf", b"x"))])
    with django_assert_max_num_queries(3):
        client.get(reverse("portal:form_list"))


def test_the_power_list_groups_published_items_by_department(client, catalog):
    f.guide("食品生产许可", dept=catalog.market, status=VersionStatus.DRAFT)
    filing = f.item(catalog.health, "WS-BA-004", item_type=ItemType.FILING)
    f.version(
        filing, f.GuideSpec("消毒产品备案", fields={"legal_basis": "《消毒管理办法》第三十一条"})
    )
    html = get(client, "power_list")
    market, health = (
        html.index("鄂州市市场监督管理局</h2>"),
        html.index("鄂州市卫生健康委员会</h2>"),
    )
    assert market < html.index("食品经营许可</a>") < health < html.index("消毒产品备案</a>")
    assert "备案" in html and "《消毒管理办法》第三十一条" in html
    assert "20 个工作日" in html and "当场办结" in html
    assert "食品生产许可" not in html
    assert '<th scope="col">设定依据</th>' in html


def test_the_power_list_costs_a_fixed_number_of_queries(
    client, catalog, django_assert_max_num_queries
):
    for n in range(20):
        f.guide(f"事项{n}", dept=f.department(f"部门{n}"))
    with django_assert_max_num_queries(3):
        client.get(reverse("portal:power_list"))


def test_the_fee_list_shows_each_published_fee_and_says_the_rest_are_free(client, catalog):
    f.version(
        catalog.food.item,
        f.GuideSpec("食品经营许可（草稿）", fees=[("草稿费", "9.00", "件", "无")]),
        status=VersionStatus.DRAFT,
    )
    html = get(client, "fee_list")
    assert "卫生检测费" in html and "120.00" in html and "次" in html
    assert "《湖北省行政事业性收费目录》" in html and "公共场所卫生许可" in html
    assert "食品经营许可" not in html  # free: not listed
    assert "草稿费" not in html
    assert "未列入本清单的事项一律不收费" in html


def test_the_fee_list_when_nothing_is_charged(client, catalog):
    f.supersede(catalog.hygiene)
    assert "目前公开的事项均不收费。" in get(client, "fee_list")
