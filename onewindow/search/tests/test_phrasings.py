"""Everyday phrasings on the demo catalog find the item a person means
(docs/rules/search.md §N2 to docs/rules/search.md §N5): in the first three results, most of them first."""

from __future__ import annotations

import pytest

from onewindow.search.selectors import search_items

pytestmark = pytest.mark.django_db

# (what a citizen types, the item's code, the rank it must reach at worst)
PHRASINGS = [
    ("办护照", "420700-GAJ-002", 1),
    ("护照", "420700-GAJ-002", 1),
    ("我想办个护照", "420700-GAJ-002", 1),
    ("huzhao", "420700-GAJ-002", 1),
    ("营业执照", "420700-SCJG-009", 2),
    ("营业执照", "420700-SCJG-010", 2),
    ("yyzz", "420700-SCJG-009", 2),
    ("yingyezhizhao", "420700-SCJG-009", 2),
    ("ying ye zhi zhao", "420700-SCJG-009", 2),
    ("营业执昭", "420700-SCJG-009", 2),  # one wrong character
    ("开饭店", "420700-SCJG-001", 1),
    ("开餐馆", "420700-SCJG-001", 1),
    ("开饭店怎么办", "420700-SCJG-001", 1),
    ("办理食品经营许可证", "420700-SCJG-001", 1),
    ("食品经营许可", "420700-SCJG-001", 1),
    ("食品经营许司", "420700-SCJG-001", 1),  # one wrong character
    ("spjyxk", "420700-SCJG-001", 1),
    ("我想开个小卖部", "420700-SCJG-002", 1),
    ("开公司", "420700-SCJG-009", 1),
    ("怎么注册公司", "420700-SCJG-009", 1),
    ("个体户", "420700-SCJG-010", 1),
    ("房产证", "420700-ZRZY-005", 1),
    ("取公积金", "420700-GJJ-001", 1),
    ("公积金贷款", "420700-GJJ-002", 1),
    ("办医保", "420700-YBJ-001", 1),
    ("开药店", "420700-SCJG-005", 1),
    ("开诊所", "420700-WJW-002", 1),
    ("环评", "420700-STHJ-001", 1),
    ("教师资格证", "420700-JYJ-002", 1),
    ("砍树", "420700-LYJ-001", 1),
    ("迁户口", "420700-GAJ-001", 1),
    ("落户", "420700-GAJ-001", 1),
    ("开网吧", "420700-WLJ-003", 1),
    ("KTV", "420700-WLJ-001", 1),
    ("烟草证", "420700-YCJ-001", 1),
    ("施工许可证", "420700-ZJJ-003", 1),
    ("消防验收", "420700-ZJJ-006", 1),
    ("开出租车", "420700-JTJ-004", 1),
    ("挖马路", "420700-CGW-001", 1),
    ("申请法律援助", "420700-SFJ-001", 1),
    ("卖烟花", "420700-YJJ-002", 1),
    ("电梯", "420700-SCJG-008", 1),
    ("开宾馆", "420700-GAJ-006", 1),
    ("如何开书店", "420700-WLJ-002", 1),
    ("渔业捕捞", "420700-NYJ-004", 1),
    ("预付卡备案", "420700-SWJ-001", 1),
    ("ＫＴＶ", "420700-WLJ-001", 1),  # full-width letters
    ("食品经营许可证？", "420700-SCJG-001", 1),  # punctuation
]


@pytest.mark.parametrize(("query", "code", "worst"), PHRASINGS)
def test_a_phrasing_finds_the_item_meant(demo, query, code, worst):
    codes = [hit.entry.code for hit in search_items(query=query).hits]
    assert code in codes[:worst], (query, codes[:5])


def test_the_table_has_thirty_phrasings_and_most_are_first():
    assert len(PHRASINGS) >= 30
    assert sum(1 for _q, _c, worst in PHRASINGS if worst == 1) >= 30


def test_every_demo_item_has_an_everyday_alias(demo):
    from onewindow.catalog.models import Item
    from onewindow.search.models import AliasKind

    without = Item.objects.exclude(aliases__kind=AliasKind.ALIAS)
    assert Item.objects.count() == 92
    assert list(without.values_list("code", flat=True)) == []


def test_an_alias_alone_finds_its_item_first(demo):
    """Every demo alias typed as it is finds its item in the first three."""
    from onewindow.search.models import AliasKind, ItemAlias

    misses = []
    for alias in ItemAlias.objects.filter(kind=AliasKind.ALIAS).select_related("item"):
        codes = [hit.entry.code for hit in search_items(query=alias.text).hits[:3]]
        if alias.item.code not in codes:
            misses.append((alias.text, alias.item.code, codes))
    assert misses == []


def test_a_query_matching_no_item_suggests_the_nearest(demo):
    result = search_items(query="护昭签法")  # two characters off: below the threshold
    assert result.hits == []
    assert result.suggestions[0].code == "420700-GAJ-002"
    assert not result.suggestions_popular
    missing = search_items(query="不存在的事项")
    assert missing.hits == []
    assert missing.suggestions  # the nearest, or the popular items


def test_a_wordy_query_still_finds_the_item(demo):
    codes = [h.entry.code for h in search_items(query="请问我要怎么办理普通护照").hits]
    assert codes[0] == "420700-GAJ-002"
