"""Catalog services: items, drafts, publication and the checklist rows of drafts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from onewindow.catalog import services
from onewindow.catalog.models import (
    Condition,
    Fee,
    Item,
    ItemVersion,
    Material,
    PublishedVersionError,
    VersionStatus,
)
from onewindow.catalog.selectors import published_guide, published_versions
from onewindow.catalog.tests import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def dept():
    return b.department()


def test_item_create_makes_the_item_and_its_first_draft(dept):
    draft = b.draft(dept, "SP-001", "食品经营许可", on_the_spot=False, handling_hours="工作日")
    assert draft.number == 1
    assert draft.status == VersionStatus.DRAFT
    assert draft.item.code == "SP-001"
    assert draft.item.published_version is None
    assert draft.search_text == "食品经营许可 sp-001 鄂州市市场监督管理局"


def test_item_create_refuses_committed_longer_than_statutory_and_writes_nothing(dept):
    with pytest.raises(ValidationError) as caught:
        b.draft(dept, statutory_days=20, committed_days=25)
    assert "承诺时限不得超过法定时限" in str(caught.value.message_dict["committed_days"])
    assert not Item.objects.exists()
    assert not ItemVersion.objects.exists()


def test_item_create_refuses_a_duplicate_code(dept):
    b.draft(dept, "SP-001")
    with pytest.raises(ValidationError) as caught:
        b.draft(dept, "SP-001", "另一个事项")
    assert "code" in caught.value.message_dict
    assert Item.objects.count() == 1


def test_item_create_refuses_unknown_version_fields(dept):
    with pytest.raises(TypeError):
        b.draft(dept, colour="red")


def test_updating_a_draft_refuses_committed_longer_than_statutory(dept):
    draft = b.draft(dept, statutory_days=20, committed_days=5)
    with pytest.raises(ValidationError) as caught:
        services.item_version_update(version=draft, committed_days=30)
    assert "承诺时限不得超过法定时限" in caught.value.message_dict["committed_days"][0]
    draft.refresh_from_db()
    assert draft.committed_days == 5


def test_updating_a_draft_changes_its_fields(dept):
    draft = b.draft(dept)
    services.item_version_update(version=draft, name="食品经营许可（新办）", committed_days=3)
    draft.refresh_from_db()
    assert (draft.name, draft.committed_days) == ("食品经营许可（新办）", 3)


def test_publishing_makes_the_draft_the_items_guide(dept):
    draft = b.checklist(b.draft(dept))
    assert list(published_versions()) == []
    services.item_version_publish(version=draft, now=b.NOW)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert draft.published_at == b.NOW
    assert draft.item.published_version == draft
    assert published_guide(code="SP-001") == draft


def test_publishing_needs_at_least_one_material(dept):
    draft = b.draft(dept)
    services.condition_add(version=draft, text="有固定经营场所")
    with pytest.raises(ValidationError) as caught:
        services.item_version_publish(version=draft, now=b.NOW)
    assert "至少需要一项申请材料" in str(caught.value)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert draft.item.published_version is None


def test_publishing_needs_a_valid_delivery_method(dept):
    draft = b.checklist(b.draft(dept))
    ItemVersion.objects.filter(pk=draft.pk).update(delivery_methods=["pigeon"])
    with pytest.raises(ValidationError) as caught:
        services.item_version_publish(version=draft, now=b.NOW)
    assert "不支持的送达方式" in str(caught.value)
    ItemVersion.objects.filter(pk=draft.pk).update(delivery_methods=[])
    with pytest.raises(ValidationError) as caught:
        services.item_version_publish(version=draft, now=b.NOW)
    assert "delivery_methods" in caught.value.message_dict
    assert ItemVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT


def test_a_new_draft_copies_the_published_version_with_its_checklist(dept):
    current = b.published(dept)
    draft = services.item_version_create_draft(item=current.item)
    assert draft.number == 2
    assert draft.status == VersionStatus.DRAFT
    assert draft.name == current.name
    assert draft.delivery_methods == current.delivery_methods
    assert [c.text for c in draft.conditions.all()] == [c.text for c in current.conditions.all()]
    copied = list(draft.materials.values_list("name", "is_core", "copies", "form_template"))
    assert copied == list(
        current.materials.values_list("name", "is_core", "copies", "form_template")
    )
    assert list(draft.fees.values_list("name", "amount")) == [("工本费", Decimal("10.00"))]


def test_a_new_draft_copies_the_application_form_fields_of_other_apps(dept):
    from onewindow.cases.models import ApplicationField

    current = b.draft(dept)
    ApplicationField.objects.create(version=current, name="area", label="经营面积", type="number")
    b.checklist(current)
    services.item_version_publish(version=current, now=b.NOW)
    draft = services.item_version_create_draft(item=current.item)
    assert list(draft.application_fields.values_list("name", "label")) == [("area", "经营面积")]


def test_only_one_draft_at_a_time(dept):
    current = b.published(dept)
    services.item_version_create_draft(item=current.item)
    with pytest.raises(ValidationError) as caught:
        services.item_version_create_draft(item=current.item)
    assert "已有草稿版本（第2版）" in str(caught.value)
    assert current.item.versions.count() == 2


def test_editing_the_draft_leaves_the_published_version_alone(dept):
    current = b.published(dept)
    draft = services.item_version_create_draft(item=current.item)
    services.item_version_update(version=draft, name="食品经营许可（2025版）")
    services.condition_remove(condition=draft.conditions.all()[0])
    services.material_update(material=draft.materials.all()[0], copies=3)
    current.refresh_from_db()
    assert current.name == "食品经营许可"
    assert current.conditions.count() == 2
    assert current.materials.all()[0].copies == 1
    assert _public_name("SP-001") == "食品经营许可"


def test_publishing_a_new_draft_supersedes_the_old_version(dept):
    first = b.published(dept)
    second = services.item_version_create_draft(item=first.item)
    services.item_version_update(version=second, name="食品经营许可（2025版）")
    services.item_version_publish(version=second, now=b.NOW)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED
    assert second.status == VersionStatus.PUBLISHED
    assert Item.objects.get(pk=first.item_id).published_version == second
    assert [v.name for v in published_versions()] == ["食品经营许可（2025版）"]
    # The old version keeps its checklist for the cases filed under it.
    assert first.conditions.count() == 2
    assert first.materials.count() == 2


def test_a_draft_is_not_public_until_published(dept):
    current = b.published(dept)
    draft = services.item_version_create_draft(item=current.item)
    services.item_version_update(version=draft, name="新版名称")
    assert [v.pk for v in published_versions()] == [current.pk]
    assert _public_name("SP-001") == "食品经营许可"


def test_publishing_twice_is_refused(dept):
    version = b.published(dept)
    with pytest.raises(PublishedVersionError):
        services.item_version_publish(version=version, now=b.NOW)


@pytest.mark.parametrize(
    "write",
    [
        lambda v: services.item_version_update(version=v, name="改名"),
        lambda v: services.condition_add(version=v, text="新条件"),
        lambda v: services.condition_update(condition=v.conditions.first(), text="改"),
        lambda v: services.condition_remove(condition=v.conditions.first()),
        lambda v: services.material_add(version=v, name="新材料"),
        lambda v: services.material_update(material=v.materials.first(), copies=5),
        lambda v: services.material_remove(material=v.materials.first()),
        lambda v: services.fee_add(version=v, name="新费", amount=Decimal(1), legal_basis="x"),
        lambda v: services.fee_update(fee=v.fees.first(), amount=Decimal(99)),
        lambda v: services.fee_remove(fee=v.fees.first()),
        lambda v: services.item_version_discard(version=v),
    ],
)
def test_no_service_changes_a_published_version(dept, write):
    version = b.published(dept)
    before = _snapshot(version)
    with pytest.raises(PublishedVersionError, match="已发布的版本不可修改"):
        write(version)
    assert _snapshot(version) == before


def test_checklist_rows_are_appended_in_order(dept):
    draft = b.draft(dept)
    for text in ("一", "二", "三"):
        services.condition_add(version=draft, text=text)
    assert list(draft.conditions.values_list("text", "sort")) == [("一", 0), ("二", 1), ("三", 2)]


def test_a_fee_needs_a_legal_basis_and_a_non_negative_amount(dept):
    draft = b.draft(dept)
    with pytest.raises(ValidationError) as caught:
        services.fee_add(version=draft, name="检测费", amount=Decimal("-1"), legal_basis="")
    assert set(caught.value.message_dict) == {"amount", "legal_basis"}
    assert not Fee.objects.exists()


def test_a_bad_form_template_is_refused_and_nothing_is_stored(dept):
    draft = b.draft(dept)
    with pytest.raises(ValidationError) as caught:
        services.material_add(
            version=draft, name="申请书", form_template=b.upload("申请书.pdf", b.EXE)
        )
    assert "不是PDF文件" in str(caught.value)
    assert not Material.objects.exists()


def test_discarding_a_draft_removes_it_with_its_rows(dept):
    current = b.published(dept)
    draft = services.item_version_create_draft(item=current.item)
    services.item_version_discard(version=draft)
    assert list(current.item.versions.all()) == [current]
    assert Condition.objects.count() == 2


def test_implementation_set_creates_then_updates_one_row(dept):
    from onewindow.catalog.models import ImplementationMode, Region, RegionLevel

    item = b.published(dept).item
    city = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    services.item_implementation_set(item=item, region=city)
    row = services.item_implementation_set(
        item=item, region=city, mode=ImplementationMode.ACCEPTS, delegated=True
    )
    assert list(item.implementations.values_list("mode", "delegated")) == [("accepts", True)]
    services.item_implementation_remove(implementation=row)
    assert not item.implementations.exists()


def _public_name(code: str) -> str:
    guide = published_guide(code=code)
    assert guide is not None
    return guide.name


def _snapshot(version: ItemVersion) -> tuple:
    stored = ItemVersion.objects.get(pk=version.pk)
    return (
        stored.status,
        stored.name,
        list(stored.conditions.values_list("text", "sort")),
        list(stored.materials.values_list("name", "copies")),
        list(stored.fees.values_list("name", "amount")),
    )
