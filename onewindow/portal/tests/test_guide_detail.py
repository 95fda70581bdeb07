from __future__ import annotations

import re

import pytest
from django.urls import reverse

from onewindow.catalog.models import RegionLevel, ToleranceCategory, ToleranceSetting, VersionStatus
from onewindow.portal.tests import factories as f

pytestmark = pytest.mark.django_db


def detail(client, code: str):
    return client.get(reverse("portal:guide_detail", args=[code]))


def test_the_guide_shows_every_part_of_the_published_version(client, catalog):
    ToleranceSetting.objects.update_or_create(
        category=ToleranceCategory.ENCOURAGED, defaults={"max_missing": 2}
    )
    response = detail(client, "SP-JY-001")
    assert response.status_code == 200
    html = response.content.decode()
    expected = [
        "<h1>食品经营许可",
        "SP-JY-001",
        "行政许可",  # item type
        "鄂州市市场监督管理局",
        "企业法人",
        "承诺件",
        "鼓励类",
        "最多可容缺 2 项次要材料",
        "适用：申请人可以书面承诺",
        "《中华人民共和国食品安全法》第三十五条",
        "20 个工作日",
        "5 个工作日",
        "法定办结时限是法律、法规规定的最长办理期限",
        "不收费",
        "鄂州市市民中心一楼 A08 窗口",
        "工作日 9:00-12:00",
        "0711-1234567",
        "0711-7654321",
        "食品经营许可证",
        "证照",
        "窗口领取、快递送达",
        "审查与现场核查",
    ]
    for text in expected:
        assert text in html, text


def test_conditions_are_numbered_in_order(client, catalog):
    html = detail(client, "SP-JY-001").content.decode()
    conditions = re.search(r'<ol class="conditions">(.*?)</ol>', html, re.S)
    assert conditions is not None
    items = re.findall(r"<li>(.*?)</li>", conditions.group(1))
    assert items == ["具有与经营的食品品种、数量相适应的经营场所", "有食品安全专业技术人员"]


def test_the_materials_table_lists_each_line_with_its_download_links(client, catalog):
    html = detail(client, "SP-JY-001").content.decode()
    table = re.search(r'<table class="data materials">(.*?)</table>', html, re.S)
    assert table is not None
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    assert len(rows) == 4  # header and three materials
    first = rows[1]
    for text in ["食品经营许可申请书", "必需", "主要", "原件", "申请人自备", "法定代表人签字"]:
        assert text in first
    material = catalog.food.materials.get(name="食品经营许可申请书")
    for kind in ["form", "sample"]:
        url = reverse("portal:material_download", args=["SP-JY-001", material.pk, kind])
        assert f'href="{url}"' in first
    assert "复印件" in rows[2] and "次要" in rows[2] and "<td>2</td>" in rows[2]
    assert "可选" in rows[3]
    assert "materials/" not in rows[2]  # no file, no link


def test_fees_are_shown_with_their_legal_basis(client, catalog):
    html = detail(client, "WS-GG-003").content.decode()
    assert "卫生检测费" in html and "120.00" in html and "《湖北省行政事业性收费目录》" in html
    assert "不收费" not in html


def test_an_on_the_spot_item_says_so(client, catalog):
    html = detail(client, "SP-XJY-002").content.decode()
    assert "即办件（材料齐全、符合法定形式的，当场办结）" in html
    assert "当场办结" in html


def test_implementing_regions_are_listed(client, catalog):
    city = f.region("鄂州市", "420700", RegionLevel.CITY)
    district = f.region("葛店开发区", "420791", RegionLevel.DISTRICT, city)
    f.implement(catalog.food.item, city)
    f.implement(catalog.food.item, district, delegated=True)
    html = detail(client, "SP-JY-001").content.decode()
    assert "鄂州市：受理并办理" in html
    assert "葛店开发区：受理并办理（下放事项）" in html


def test_unknown_codes_are_404(client, catalog):
    assert detail(client, "NO-SUCH-CODE").status_code == 404


def test_an_item_with_only_a_draft_is_404(client, catalog):
    draft = f.guide(
        "食品生产许可", dept=catalog.market, code="SP-SC-009", status=VersionStatus.DRAFT
    )
    assert draft.status == VersionStatus.DRAFT
    assert detail(client, "SP-SC-009").status_code == 404


def test_an_item_whose_only_version_is_superseded_is_404(client, catalog):
    f.guide("食品生产许可", dept=catalog.market, code="SP-SC-009", status=VersionStatus.SUPERSEDED)
    assert detail(client, "SP-SC-009").status_code == 404


def test_a_superseded_versions_content_is_not_shown(client, catalog):
    new = f.version(
        catalog.food.item,
        f.GuideSpec(
            "食品经营许可（新版）",
            conditions=["新版条件"],
            materials=[f.MaterialSpec("新版申请书")],
            fields={"legal_basis": "新版依据"},
        ),
    )
    catalog.food.refresh_from_db()
    assert catalog.food.status == VersionStatus.SUPERSEDED
    html = detail(client, "SP-JY-001").content.decode()
    assert new.name in html and "新版条件" in html and "新版申请书" in html and "新版依据" in html
    for old in ["有食品安全专业技术人员", "营业执照", "食品安全法》第三十五条"]:
        assert old not in html


def test_a_newer_draft_does_not_replace_the_published_guide(client, catalog):
    f.version(catalog.food.item, "食品经营许可（草稿）", status=VersionStatus.DRAFT)
    html = detail(client, "SP-JY-001").content.decode()
    assert "食品经营许可（草稿）" not in html
    assert "有食品安全专业技术人员" in html


def test_the_print_button_is_progressive(client, catalog):
    html = detail(client, "SP-JY-001").content.decode()
    assert re.search(r"<button[^>]*data-print[^>]*hidden", html)
    assert "/static/js/print.js" in html


def test_the_detail_costs_a_fixed_number_of_queries(client, catalog, django_assert_max_num_queries):
    city = f.region("鄂州市", "420700", RegionLevel.CITY)
    f.implement(catalog.food.item, city)
    many = f.GuideSpec(
        "食品经营许可（多材料）",
        conditions=[f"条件{n}" for n in range(15)],
        materials=[f.MaterialSpec(f"材料{n}", form=(f"m{n}.pdf", b"x")) for n in range(25)],
        fees=[(f"费用{n}", "1.00", "次", "依据") for n in range(5)],
    )
    f.version(catalog.food.item, many)
    # One of them reads the item's FAQ (docs/rules/consultation.md §K2), one the intermediary
    # services it requires (docs/rules/agencies.md §I1).
    with django_assert_max_num_queries(10):
        response = detail(client, "SP-JY-001")
    assert response.content.decode().count("空白表格<span") == 25


def test_the_guide_reads_in_english(client, catalog):
    ToleranceSetting.objects.update_or_create(
        category=ToleranceCategory.ENCOURAGED, defaults={"max_missing": 2}
    )
    f.implement(catalog.food.item, f.region("鄂州市", "420700", RegionLevel.CITY), delegated=True)
    client.cookies["django_language"] = "en"
    html = detail(client, "SP-JY-001").content.decode()
    for text in [
        "Statutory time limit",
        "20 working days",
        "Free of charge",
        "Encouraged (with all core materials present, up to 2 non-core materials may be missing)",
        "Collect at the window, Express delivery",
        "鄂州市: Accepts and decides (delegated item)",
        "Print this page",
    ]:
        assert text in html, text
