"""The catalog admin: localized lists, drafts edited through the services, published versions
read-only, and the "创建新草稿版本" / "发布" actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from onewindow.catalog.models import (
    Condition,
    Item,
    ItemVersion,
    Material,
    ProcessBranch,
    Region,
    RegionLevel,
    RiskPoint,
    ToleranceSetting,
    VersionStatus,
)
from onewindow.catalog.process import steps_format
from onewindow.catalog.tests import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def dept():
    return b.department()


def change_url(version: ItemVersion) -> str:
    return reverse("admin:catalog_itemversion_change", args=[version.pk])


def version_post(version: ItemVersion, **overrides: Any) -> dict[str, Any]:
    """The change form of a draft as the browser would post it, with no checklist changes."""
    data: dict[str, Any] = {
        "name": version.name,
        "legal_basis": version.legal_basis,
        "service_object": version.service_object,
        "result_type": version.result_type,
        "result_name": version.result_name,
        "statutory_days": version.statutory_days,
        "committed_days": version.committed_days,
        "tolerance_category": version.tolerance_category,
        "delivery_methods": version.delivery_methods,
        "handling_place": version.handling_place,
        "handling_hours": version.handling_hours,
        "contact_phone": version.contact_phone,
        "supervision_phone": version.supervision_phone,
        "process_summary": version.process_summary,
        "consolidation_days": version.consolidation_days,
        **({"material_request_pauses": "on"} if version.material_request_pauses else {}),
    }
    for prefix, rows in (
        ("conditions", version.conditions.all()),
        ("materials", version.materials.all()),
        ("fees", version.fees.all()),
        ("process_branches", version.process_branches.all()),
        ("risk_points", version.risk_points.all()),
    ):
        data |= {
            f"{prefix}-TOTAL_FORMS": len(rows),
            f"{prefix}-INITIAL_FORMS": len(rows),
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
        for n, row in enumerate(rows):
            data |= {f"{prefix}-{n}-id": row.pk, f"{prefix}-{n}-version": version.pk}
            data |= {f"{prefix}-{n}-{k}": v for k, v in _row_fields(row).items()}
    data.update(overrides)
    return data


def _row_fields(row: Any) -> dict[str, Any]:
    if isinstance(row, RiskPoint):
        fields = ("sort", "department_id", "step_kind", "level", "risk", "measure")
        return {f.removesuffix("_id"): getattr(row, f) for f in fields}
    if isinstance(row, Condition):
        return {"sort": row.sort, "text": row.text}
    if isinstance(row, ProcessBranch):
        values = {
            "sort": row.sort,
            "department": row.department_id,
            "allotted_days": row.allotted_days,
            "steps": steps_format(row.steps),
        }
        return values | ({"is_lead": "on"} if row.is_lead else {})
    if isinstance(row, Material):
        values = {
            "sort": row.sort,
            "name": row.name,
            "original_or_copy": row.original_or_copy,
            "copies": row.copies,
            "source": row.source,
            "note": row.note,
        }
        return values | {k: "on" for k in ("required", "is_core") if getattr(row, k)}
    return {
        "sort": row.sort,
        "name": row.name,
        "amount": row.amount,
        "unit": row.unit,
        "legal_basis": row.legal_basis,
    }


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    "model", ["department", "region", "window", "tolerancesetting", "item", "itemversion"]
)
def test_every_catalog_list_opens_in_chinese(admin_client, dept, model):
    b.published(dept)
    response = admin_client.get(reverse(f"admin:catalog_{model}_changelist"))
    assert response.status_code == 200
    assert "一窗通办 管理后台" in response.text


def test_tolerance_defaults_come_with_the_migrations():
    values = dict(ToleranceSetting.objects.values_list("category", "max_missing"))
    assert values == {"encouraged": 2, "cautious": 1, "restricted": 0}


def test_the_region_list_is_indented_by_level(admin_client):
    city = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY, sort=1)
    Region.objects.create(
        code="420700X05", name="红莲湖新区", level=RegionLevel.DISTRICT, parent=city, sort=2
    )
    response = admin_client.get(reverse("admin:catalog_region_changelist"))
    assert '<span class="region-name region-depth-1">└ 红莲湖新区</span>' in response.text
    assert '<span class="region-name region-depth-0">鄂州市</span>' in response.text


def test_adding_an_item_creates_its_first_draft(admin_client, dept):
    response = admin_client.post(
        reverse("admin:catalog_item_add"),
        {
            "code": "SP-100",
            "department": dept.pk,
            "item_type": "licensing",
            "sort": 0,
            "name": "食品生产许可",
            "legal_basis": "《中华人民共和国食品安全法》第三十五条",
            "statutory_days": 20,
            "committed_days": 10,
            "result_name": "食品生产许可证",
            "delivery_methods": ["window"],
        },
    )
    assert response.status_code == 302
    item = Item.objects.get(code="SP-100")
    assert list(item.versions.values_list("number", "status", "name")) == [
        (1, "draft", "食品生产许可")
    ]


def test_adding_an_item_with_committed_longer_than_statutory_is_refused(admin_client, dept):
    response = admin_client.post(
        reverse("admin:catalog_item_add"),
        {
            "code": "SP-100",
            "department": dept.pk,
            "item_type": "licensing",
            "sort": 0,
            "name": "食品生产许可",
            "legal_basis": "x",
            "statutory_days": 20,
            "committed_days": 30,
            "result_name": "食品生产许可证",
            "delivery_methods": ["window"],
        },
    )
    assert response.status_code == 200
    assert "承诺时限不得超过法定时限" in response.text
    assert not Item.objects.exists()


def test_a_draft_is_edited_through_the_admin(admin_client, dept):
    draft = b.checklist(b.draft(dept))
    data = version_post(draft, name="食品经营许可（新办）")
    data |= {
        "conditions-TOTAL_FORMS": 3,
        "conditions-2-text": "有固定经营场所",
        "conditions-2-sort": 5,
    }
    response = admin_client.post(change_url(draft), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    draft.refresh_from_db()
    assert draft.name == "食品经营许可（新办）"
    assert draft.conditions.count() == 3
    assert draft.search_text.startswith("食品经营许可（新办）")


def test_the_admin_form_refuses_committed_longer_than_statutory(admin_client, dept):
    draft = b.checklist(b.draft(dept))
    response = admin_client.post(change_url(draft), version_post(draft, committed_days=25))
    assert response.status_code == 200
    assert "承诺时限不得超过法定时限" in response.text
    assert ItemVersion.objects.get(pk=draft.pk).committed_days == 5


def test_the_admin_refuses_an_exe_uploaded_as_a_pdf_form(admin_client, dept):
    draft = b.checklist(b.draft(dept))
    data = version_post(draft)
    data |= {
        "materials-TOTAL_FORMS": 3,
        "materials-2-name": "补充申请表",
        "materials-2-sort": 9,
        "materials-2-original_or_copy": "original",
        "materials-2-copies": 1,
        "materials-2-required": "on",
        "materials-2-is_core": "on",
        "materials-2-form_template": b.upload("补充申请表.pdf", b.EXE),
    }
    response = admin_client.post(change_url(draft), data)
    assert response.status_code == 200
    assert "不是PDF文件" in response.text
    assert draft.materials.count() == 2


def test_a_published_version_is_read_only_in_the_admin(admin_client, dept):
    version = b.published(dept)
    response = admin_client.get(change_url(version))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert 'name="name"' not in response.text
    assert 'name="conditions-0-text"' not in response.text
    assert 'name="materials-0-form_template"' not in response.text
    assert "具有与经营的食品品种、数量相适应的场所" in response.text  # shown, not editable
    assert "窗口领取、快递送达" in response.text  # delivery methods by name, not as JSON
    assert "创建新草稿版本" in response.text


def test_posting_to_a_published_version_is_forbidden(admin_client, dept):
    version = b.published(dept)
    response = admin_client.post(change_url(version), version_post(version, name="改名"))
    assert response.status_code == 403
    assert ItemVersion.objects.get(pk=version.pk).name == "食品经营许可"


def test_a_published_version_cannot_be_deleted_in_the_admin(admin_client, dept):
    version = b.published(dept)
    url = reverse("admin:catalog_itemversion_delete", args=[version.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert ItemVersion.objects.filter(pk=version.pk).exists()


def test_the_publish_action_publishes_drafts_and_reports_in_chinese(admin_client, dept):
    current = b.published(dept)
    draft = b.checklist(b.draft(dept, "SP-002", "食品小经营许可"))
    response = admin_client.post(
        reverse("admin:catalog_itemversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "已发布SP-002 食品小经营许可 第1版。" in texts(response)
    assert ItemVersion.objects.get(pk=draft.pk).status == VersionStatus.PUBLISHED
    assert ItemVersion.objects.get(pk=current.pk).status == VersionStatus.PUBLISHED


def test_the_publish_action_explains_why_a_draft_cannot_be_published(admin_client, dept):
    draft = b.draft(dept)  # no materials
    response = admin_client.post(
        reverse("admin:catalog_itemversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert texts(response) == ["SP-001 食品经营许可 第1版未发布：至少需要一项申请材料才能发布。"]
    assert ItemVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT


def test_the_new_draft_action_copies_the_version_once(admin_client, dept):
    version = b.published(dept)
    url = reverse("admin:catalog_itemversion_changelist")
    action = {"action": "create_draft", "_selected_action": [version.pk]}
    response = admin_client.post(url, action, follow=True)
    assert texts(response) == ["已为事项“SP-001”创建第2版草稿。"]
    response = admin_client.post(url, action, follow=True)
    assert "已有草稿版本（第2版）" in texts(response)[0]
    assert version.item.versions.count() == 2


def test_the_item_list_offers_the_new_draft_action(admin_client, dept):
    version = b.published(dept)
    response = admin_client.post(
        reverse("admin:catalog_item_changelist"),
        {"action": "create_draft", "_selected_action": [version.item.pk]},
        follow=True,
    )
    assert texts(response) == ["已为事项“SP-001”创建第2版草稿。"]


def test_the_buttons_on_a_version_page_publish_and_start_a_draft(admin_client, dept):
    version = b.published(dept)
    response = admin_client.post(
        reverse("admin:catalog_itemversion_new_draft", args=[version.pk]), follow=True
    )
    draft = version.item.versions.get(status=VersionStatus.DRAFT)
    assert response.redirect_chain[-1][0] == change_url(draft)
    assert "发布" in response.text
    response = admin_client.post(
        reverse("admin:catalog_itemversion_publish", args=[draft.pk]), follow=True
    )
    assert "已发布SP-001 食品经营许可 第2版。" in texts(response)
    assert ItemVersion.objects.get(pk=version.pk).status == VersionStatus.SUPERSEDED


def test_the_buttons_answer_only_to_post(admin_client, dept):
    version = b.published(dept)
    url = reverse("admin:catalog_itemversion_new_draft", args=[version.pk])
    assert admin_client.get(url).status_code == 405
    assert version.item.versions.count() == 1


def test_implementations_are_edited_inline_on_the_item(admin_client, dept):
    version = b.published(dept)
    city = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    item = version.item
    response = admin_client.post(
        reverse("admin:catalog_item_change", args=[item.pk]),
        {
            "department": dept.pk,
            "item_type": "licensing",
            "sort": 3,
            "versions-TOTAL_FORMS": 1,
            "versions-INITIAL_FORMS": 1,
            "versions-MIN_NUM_FORMS": 0,
            "versions-MAX_NUM_FORMS": 1000,
            "versions-0-id": version.pk,
            "versions-0-item": item.pk,
            "implementations-TOTAL_FORMS": 1,
            "implementations-INITIAL_FORMS": 0,
            "implementations-MIN_NUM_FORMS": 0,
            "implementations-MAX_NUM_FORMS": 1000,
            "implementations-0-region": city.pk,
            "implementations-0-mode": "handles",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    item.refresh_from_db()
    assert item.sort == 3
    assert list(item.implementations.values_list("region__code", "mode")) == [("420700", "handles")]


def test_an_item_with_a_published_guide_cannot_be_deleted(admin_client, dept):
    version = b.published(dept)
    url = reverse("admin:catalog_item_delete", args=[version.item.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Item.objects.filter(pk=version.item.pk).exists()
