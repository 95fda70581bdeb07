"""A published version never changes (docs/product.md §C1: a case keeps the version it was filed
under), and committed ≤ statutory holds in the database itself (docs/rules/licensing.md §B2)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

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
from onewindow.catalog.tests import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def version():
    return b.published(b.department())


def test_saving_a_changed_published_version_is_refused(version):
    version.name = "偷偷改名"
    with pytest.raises(PublishedVersionError, match="已发布的版本不可修改"):
        version.save()
    assert ItemVersion.objects.get(pk=version.pk).name == "食品经营许可"


def test_a_published_version_cannot_go_back_to_draft(version):
    version.status = VersionStatus.DRAFT
    with pytest.raises(PublishedVersionError):
        version.save(update_fields=["status"])
    assert ItemVersion.objects.get(pk=version.pk).status == VersionStatus.PUBLISHED


def test_superseding_may_change_the_status_and_nothing_else(version):
    version.status = VersionStatus.SUPERSEDED
    version.name = "顺便改名"
    with pytest.raises(PublishedVersionError):
        version.save(update_fields=["status", "name"])
    version.save(update_fields=["status"])
    stored = ItemVersion.objects.get(pk=version.pk)
    assert (stored.status, stored.name) == (VersionStatus.SUPERSEDED, "食品经营许可")


def test_a_superseded_version_is_frozen_for_good(version):
    version.status = VersionStatus.SUPERSEDED
    version.save(update_fields=["status"])
    version.status = VersionStatus.PUBLISHED
    with pytest.raises(PublishedVersionError):
        version.save(update_fields=["status"])


def test_a_published_version_cannot_be_deleted(version):
    with pytest.raises(PublishedVersionError, match="已发布的版本不可删除"):
        version.delete()
    assert ItemVersion.objects.filter(pk=version.pk).exists()


@pytest.mark.parametrize("model", [Condition, Material, Fee])
def test_checklist_rows_of_a_published_version_cannot_be_changed_or_deleted(version, model):
    row = model.objects.filter(version=version).first()
    field = {Condition: "text", Material: "name", Fee: "name"}[model]
    original = getattr(row, field)
    setattr(row, field, "改过的内容")
    with pytest.raises(PublishedVersionError):
        row.save()
    with pytest.raises(PublishedVersionError):
        row.delete()
    assert getattr(model.objects.get(pk=row.pk), field) == original


def test_no_row_can_be_added_to_a_published_version(version):
    with pytest.raises(PublishedVersionError):
        Condition.objects.create(version=version, text="新增条件")
    with pytest.raises(PublishedVersionError):
        Material.objects.create(version=version, name="新增材料")
    with pytest.raises(PublishedVersionError):
        Fee.objects.create(version=version, name="新增收费", amount=Decimal(1), legal_basis="x")
    assert version.conditions.count() == 2


def test_full_clean_explains_committed_longer_than_statutory():
    draft = ItemVersion(
        name="x", legal_basis="x", statutory_days=20, committed_days=21, result_name="x"
    )
    with pytest.raises(ValidationError) as caught:
        draft.full_clean(exclude=["item", "number"])
    assert caught.value.message_dict["committed_days"] == [
        "承诺时限不得超过法定时限：承诺21个工作日，法定20个工作日。"
    ]


def test_the_database_refuses_committed_longer_than_statutory_even_without_clean():
    item = Item.objects.create(code="SP-009", department=b.department())
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.create(
            item=item,
            number=1,
            name="绕过校验",
            legal_basis="x",
            statutory_days=10,
            committed_days=11,
            result_name="x",
        )
    assert not ItemVersion.objects.exists()


def test_the_database_refuses_an_update_that_breaks_the_limits():
    draft = b.draft(b.department(), statutory_days=20, committed_days=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.filter(pk=draft.pk).update(committed_days=40)
    assert ItemVersion.objects.get(pk=draft.pk).committed_days == 5


def test_an_item_has_at_most_one_published_version_in_the_database(version):
    second = services.item_version_create_draft(item=version.item)
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.filter(pk=second.pk).update(status=VersionStatus.PUBLISHED)
