"""The clean-up record's rules and its summary, and the admin (docs/rules/lists.md §Q3, §Q4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.urls import reverse

from onewindow.lists.models import CleanupAction, CleanupRecord
from onewindow.lists.selectors import cleanup_summary

pytestmark = pytest.mark.django_db


def _record(world, action, target=None, code="NEW-001") -> CleanupRecord:
    return CleanupRecord(
        item_code=code,
        item_name="测试事项",
        department=world.market,
        action=action,
        target_item=target,
        decided_on=dt.date(2014, 3, 28),
        legal_basis="示例",
    )


@pytest.mark.parametrize("action", [CleanupAction.MERGED, CleanupAction.RETAINED])
def test_merged_and_retained_need_their_current_item(world, action):
    with pytest.raises(ValidationError) as refused:
        _record(world, action).full_clean()
    assert "target_item" in refused.value.message_dict
    _record(world, action, world.food.item).full_clean()


@pytest.mark.parametrize(
    "action", [CleanupAction.CANCELLED, CleanupAction.DELEGATED, CleanupAction.TO_FILING]
)
def test_the_other_actions_name_no_current_item(world, action):
    with pytest.raises(ValidationError):
        _record(world, action, world.food.item).full_clean()
    _record(world, action).full_clean()


def test_an_original_code_is_recorded_once(world):
    with pytest.raises(ValidationError) as refused:
        _record(world, CleanupAction.CANCELLED, code="OLD-SCJG-001").full_clean()
    assert "item_code" in refused.value.message_dict


def test_the_summary_counts_distinct_current_items(world):
    summary = cleanup_summary()
    assert (summary.before, summary.after) == (9, 3)
    # A second merged part into the same item changes "before", not "after".
    _record(world, CleanupAction.MERGED, world.food.item).save()
    summary = cleanup_summary()
    assert (summary.before, summary.after) == (10, 3)
    assert {a.action: a.count for a in summary}[CleanupAction.MERGED] == 2


def test_the_summary_of_nothing(db):
    summary = cleanup_summary()
    assert (summary.before, summary.after, str(summary.reduction_percent)) == (0, 0, "0.0")
    assert [a.count for a in summary] == [0, 0, 0, 0, 0]


def test_a_department_with_records_is_not_deleted_and_an_item_leaves_its_record(world):
    with pytest.raises(ProtectedError):
        world.health.delete()
    world.hygiene.item.delete()
    record = CleanupRecord.objects.get(item_code="OLD-WJW-001")
    assert record.target_item is None


def test_the_admin_lists_and_edits_every_list(world, admin_client):
    for model in ("departmentresponsibility", "itemaccountability", "supervisionmeasure"):
        assert admin_client.get(reverse(f"admin:lists_{model}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:lists_{model}_add")).status_code == 200
    url = reverse("admin:lists_cleanuprecord_changelist")
    assert admin_client.get(url, {"q": "年度"}).status_code == 200
    record = CleanupRecord.objects.get(item_code="OLD-SCJG-001")
    change = reverse("admin:lists_cleanuprecord_change", args=[record.pk])
    response = admin_client.post(
        change,
        {
            "item_code": "OLD-SCJG-001",
            "item_name": "企业年度检验",
            "department": world.market.pk,
            "action": CleanupAction.RETAINED,
            "target_item": "",
            "decided_on": "2014-09-26",
            "legal_basis": "示例",
            "note": "",
            "sort": 1,
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "合并或保留的事项须指明对应的现行事项。" in response.content.decode()
    record.refresh_from_db()
    assert record.action == CleanupAction.CANCELLED
