"""The index follows the catalog, aliases and synonyms (docs/rules/search.md §N7); the admin
edits aliases and synonyms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.catalog.services import (
    item_version_create_draft,
    item_version_publish,
    item_version_update,
)
from onewindow.portal.tests import factories as f
from onewindow.search import index as search_index
from onewindow.search.models import AliasKind, ItemAlias, Synonym
from onewindow.search.selectors import search_items
from onewindow.search.services import aliases_set, synonym_set

pytestmark = pytest.mark.django_db


def codes(query: str, **filters: str) -> list[str]:
    return [hit.entry.code for hit in search_items(query=query, **filters).hits]


@pytest.fixture
def small(db):
    market = f.department("鄂州市市场监督管理局", "SCJG")
    health = f.department("鄂州市卫生健康委员会", "WJW")
    food = f.guide(
        "食品经营许可", dept=market, code="SP-JY-001", materials=[f.MaterialSpec("申请书")]
    )
    hygiene = f.guide("公共场所卫生许可", dept=health, code="WS-GG-003")
    return food, hygiene


def test_a_new_alias_is_found_by_the_next_search(small):
    food, _hygiene = small
    assert codes("开饭店") == ["SP-JY-001"]  # the general synonym from the migration
    assert codes("大排档") == []
    aliases_set(item=food.item, aliases=["大排档"])
    assert codes("大排档") == ["SP-JY-001"]


def test_an_alias_edited_in_the_admin_is_found(small, client):
    _food, hygiene = small
    admin = User.objects.create_superuser(username="root", password="Test-pass-123")
    client.force_login(admin)
    response = client.post(
        reverse("admin:search_itemalias_add"),
        {"item": hygiene.item.pk, "text": "理发店", "kind": AliasKind.ALIAS},
    )
    assert response.status_code == 302
    assert codes("理发店") == ["WS-GG-003"]
    assert client.get(reverse("admin:search_itemalias_changelist")).status_code == 200
    assert client.get(reverse("admin:search_synonym_changelist")).status_code == 200
    assert client.get(reverse("admin:search_itemusage_changelist")).status_code == 200


def test_a_synonym_to_items_or_terms_is_applied(small):
    _food, hygiene = small
    assert codes("剪头发") == []
    synonym_set(term="剪头发", items=[hygiene.item])
    assert codes("剪头发") == ["WS-GG-003"]
    synonym_set(term="剪头发", expansions=["卫生许可"])
    assert codes("剪头发") == ["WS-GG-003"]
    Synonym.objects.filter(term="剪头发").update(is_active=False)
    Synonym.objects.get(term="剪头发").save()  # the admin's save
    assert codes("剪头发") == []


def test_a_published_rename_is_found_and_the_old_name_only_fuzzily(small):
    food, _hygiene = small
    draft = item_version_create_draft(item=food.item)
    item_version_update(version=draft, name="餐饮服务许可")
    item_version_publish(version=draft, now=dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    assert codes("餐饮服务许可") == ["SP-JY-001"]
    assert search_items(query="餐饮服务许可").hits[0].entry.name == "餐饮服务许可"


def test_an_unchanged_catalog_reuses_the_index(small, django_assert_max_num_queries):
    search_items(query="食品")
    built = search_index.current_index()
    with django_assert_max_num_queries(2):  # the stamp and the usage of the matches
        search_items(query="食品")
    assert search_index.current_index() is built
    ItemAlias.objects.create(item=small[0].item, text="小饭馆")
    assert search_index.current_index() is not built


def test_filters_keep_their_items_only(small):
    assert set(codes("许可")) == {"SP-JY-001", "WS-GG-003"}
    assert codes("许可", department_code="WJW") == ["WS-GG-003"]
    assert codes("许可", region_code="999999") == []


def test_the_admin_refuses_an_alias_or_synonym_with_nothing_to_match(small, client):
    _food, hygiene = small
    admin = User.objects.create_superuser(username="root", password="Test-pass-123")
    client.force_login(admin)
    response = client.post(
        reverse("admin:search_itemalias_add"),
        {"item": hygiene.item.pk, "text": "？？！", "kind": AliasKind.ALIAS},
    )
    assert response.status_code == 200
    assert "请填写至少包含一个汉字、字母或数字的文字。" in response.content.decode()
    response = client.post(reverse("admin:search_synonym_add"), {"term": "😀", "expansions": "x"})
    assert "请填写至少包含一个汉字、字母或数字的文字。" in response.content.decode()
    assert not ItemAlias.objects.filter(text="？？！").exists()
    assert not Synonym.objects.filter(term="😀").exists()
