"""The public catalog reads: only published versions ever come out."""

from __future__ import annotations

import pytest

from onewindow.catalog.models import RegionLevel, VersionStatus
from onewindow.catalog.selectors import (
    active_departments,
    guide_search,
    published_guide,
    published_versions,
)
from onewindow.portal.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def market():
    return f.department("鄂州市市场监督管理局", "SCJG")


def names(versions) -> list[str]:
    return sorted(v.name for v in versions)


def test_published_versions_leave_out_drafts_and_superseded_versions(market):
    food = f.guide("食品经营许可", dept=market)
    f.guide("食品生产许可", dept=market, status=VersionStatus.DRAFT)
    f.version(food.item, "食品经营许可（草稿）", status=VersionStatus.DRAFT)
    republished = f.guide("药品经营许可", dept=market)
    f.version(republished.item, "药品经营许可（新版）")
    assert names(published_versions()) == ["药品经营许可（新版）", "食品经营许可"]


def test_guide_search_finds_a_chinese_substring_of_the_name(market):
    f.guide("食品经营许可", dept=market)
    f.guide("食品小经营许可", dept=market)
    f.guide("药品经营许可", dept=market)
    assert names(guide_search(query="食品")) == ["食品小经营许可", "食品经营许可"]
    assert names(guide_search(query="经营")) == ["药品经营许可", "食品小经营许可", "食品经营许可"]


def test_guide_search_matches_codes_whatever_their_case(market):
    f.guide("食品经营许可", dept=market, code="SP-JY-001")
    assert names(guide_search(query="sp-jy-001")) == ["食品经营许可"]
    assert names(guide_search(query="SP-jy")) == ["食品经营许可"]


def test_guide_search_matches_the_department_name(market):
    f.guide("食品经营许可", dept=market)
    f.guide("公共场所卫生许可", dept=f.department("鄂州市卫生健康委员会", "WJW"))
    assert names(guide_search(query="监督管理")) == ["食品经营许可"]


def test_guide_search_never_returns_drafts(market):
    f.guide("食品生产许可", dept=market, status=VersionStatus.DRAFT)
    assert list(guide_search(query="食品")) == []


def test_guide_search_filters_by_department_code(market):
    f.guide("食品经营许可", dept=market)
    f.guide("公共场所卫生许可", dept=f.department("鄂州市卫生健康委员会", "WJW"))
    assert names(guide_search(department_code="WJW")) == ["公共场所卫生许可"]
    assert names(guide_search(department_code="NONE")) == []


def test_guide_search_by_region_includes_items_implemented_above_it(market):
    city = f.region("鄂州市", "420700", RegionLevel.CITY)
    district = f.region("梁子湖区", "420702", RegionLevel.DISTRICT, city)
    town = f.region("太和镇", "420702100", RegionLevel.STREET, district)
    city_item = f.guide("食品经营许可", dept=market)
    town_item = f.guide("食品小经营许可", dept=market)
    f.guide("药品经营许可", dept=market)  # implemented nowhere
    f.implement(city_item.item, city)
    f.implement(town_item.item, town)
    assert names(guide_search(region_code="420702100")) == ["食品小经营许可", "食品经营许可"]
    assert names(guide_search(region_code="420702")) == ["食品经营许可"]
    assert list(guide_search(region_code="000000")) == []


def test_guide_search_by_region_lists_each_item_once(market):
    city = f.region("鄂州市", "420700", RegionLevel.CITY)
    district = f.region("鄂城区", "420704", RegionLevel.DISTRICT, city)
    food = f.guide("食品经营许可", dept=market)
    f.implement(food.item, city)
    f.implement(food.item, district)
    assert names(guide_search(region_code="420704")) == ["食品经营许可"]


def test_published_guide_returns_the_published_version_with_its_rows(
    market, django_assert_max_num_queries
):
    food = f.guide(
        "食品经营许可",
        dept=market,
        code="SP-JY-001",
        conditions=["条件一"],
        materials=[f.MaterialSpec("申请书")],
        fees=[("工本费", "10.00", "件", "依据")],
    )
    f.version(food.item, "食品经营许可（草稿）", status=VersionStatus.DRAFT)
    guide = published_guide(code="SP-JY-001")
    assert guide is not None and guide.pk == food.pk
    with django_assert_max_num_queries(0):
        assert [c.text for c in guide.conditions.all()] == ["条件一"]
        assert [m.name for m in guide.materials.all()] == ["申请书"]
        assert [fee.name for fee in guide.fees.all()] == ["工本费"]
        assert guide.item.department.name == "鄂州市市场监督管理局"


def test_published_guide_is_none_for_unknown_or_unpublished_items(market):
    f.guide("食品生产许可", dept=market, code="SP-SC-002", status=VersionStatus.DRAFT)
    f.guide("旧事项", dept=market, code="OLD-003", status=VersionStatus.SUPERSEDED)
    assert published_guide(code="SP-SC-002") is None
    assert published_guide(code="OLD-003") is None
    assert published_guide(code="NOPE") is None


def test_active_departments_leave_out_inactive_ones(market):
    f.department("已撤销的部门", "OLD", is_active=False)
    assert [d.name for d in active_departments()] == ["鄂州市市场监督管理局"]
