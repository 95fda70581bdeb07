"""Joint handling is capped (ALL Art. 26, 42 para. 2; docs/rules/licensing.md §B2, §C3): decided
within 45 working days, +15 once with the government head's approval — unless a law or regulation
provides otherwise, which the item version must then record (law and article). Publishing a
joint-handling version with a longer limit and no recorded basis is refused with a clear message
(service and admin, the places where publishing happens); nothing changes."""

from __future__ import annotations

import random

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from onewindow.catalog import process, services
from onewindow.catalog.models import ItemVersion, VersionStatus
from onewindow.catalog.tests import builders as b
from onewindow.demo.data import plan

pytestmark = pytest.mark.django_db

CHAIN = [
    {"kind": "handle", "role": "handler"},
    {"kind": "review", "role": "reviewer"},
    {"kind": "approve", "role": "approver"},
]
EIA_LAW = "《中华人民共和国环境影响评价法》"
EIA_ARTICLE = "第二十二条"


@pytest.fixture
def dept():
    return b.department()


def _joint(dept, *, statutory: int, committed: int = 10, **fields) -> ItemVersion:
    version = b.checklist(
        b.draft(
            dept,
            code="SP-J-001",
            name="建设项目环境影响评价文件审批",
            statutory_days=statutory,
            committed_days=committed,
            joint_handling=True,
            consolidation_days=1,
            **fields,
        )
    )
    fire = b.department("XFZD", "鄂州市消防救援支队")
    lead_days = committed - 1
    process.process_branch_add(
        version=version, department=dept, allotted_days=lead_days, steps=CHAIN, is_lead=True
    )
    process.process_branch_add(version=version, department=fire, allotted_days=3, steps=CHAIN)
    return version


def _publish(version: ItemVersion) -> ItemVersion:
    return services.item_version_publish(version=version, now=b.NOW)


def _messages(error: ValidationError) -> str:
    return " ".join(m for ms in error.message_dict.values() for m in ms)


def test_a_joint_item_longer_than_45_days_without_a_basis_is_not_published(dept):
    version = _joint(dept, statutory=60)
    with pytest.raises(ValidationError) as caught:
        _publish(version)
    text = _messages(caught.value)
    assert "联合办理" in text and "60个工作日" in text and "45个工作日" in text
    assert "法律、法规名称及条款" in text
    assert "statutory_days" in caught.value.message_dict
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT and version.item.published_version is None


def test_a_law_without_its_article_is_not_a_basis(dept):
    version = _joint(dept, statutory=60, limit_basis_law=EIA_LAW)
    with pytest.raises(ValidationError, match="条款"):
        _publish(version)
    version = services.item_version_update(version=version, limit_basis_article="见有关规定")
    with pytest.raises(ValidationError, match="第……条"):
        _publish(version)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_a_recorded_statutory_basis_allows_the_longer_limit(dept):
    version = _joint(dept, statutory=60, limit_basis_law=EIA_LAW, limit_basis_article=EIA_ARTICLE)
    published = _publish(version)
    assert published.status == VersionStatus.PUBLISHED
    # A new draft keeps the basis (it is part of the guide).
    draft = services.item_version_create_draft(item=published.item)
    assert (draft.limit_basis_law, draft.limit_basis_article) == (EIA_LAW, EIA_ARTICLE)


@pytest.mark.parametrize("statutory", [20, 45])
def test_a_joint_item_within_45_days_needs_no_basis(dept, statutory):
    assert _publish(_joint(dept, statutory=statutory)).status == VersionStatus.PUBLISHED


def test_an_item_not_handled_jointly_is_not_capped_at_45(dept):
    version = b.checklist(b.draft(dept, statutory_days=60, committed_days=20))
    assert _publish(version).status == VersionStatus.PUBLISHED


def test_a_joint_critical_path_past_45_days_needs_the_basis_too(dept):
    """Committed 50 (statutory 60): lead 49 + 1 day of consolidation = 50 > 45 (C3)."""
    version = _joint(
        dept,
        statutory=60,
        committed=50,
        limit_basis_law=EIA_LAW,
        limit_basis_article=EIA_ARTICLE,
    )
    version = services.item_version_update(
        version=version, limit_basis_law="", limit_basis_article=""
    )
    with pytest.raises(ValidationError) as caught:
        _publish(version)
    assert "关键路径为50个工作日" in _messages(caught.value)
    version = services.item_version_update(
        version=version, limit_basis_law=EIA_LAW, limit_basis_article=EIA_ARTICLE
    )
    assert _publish(version).status == VersionStatus.PUBLISHED


def test_the_admin_publish_action_says_why(admin_client, dept):
    version = _joint(dept, statutory=60)
    response = admin_client.post(
        reverse("admin:catalog_itemversion_changelist"),
        {"action": "publish", "_selected_action": [version.pk]},
        follow=True,
    )
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("SP-J-001 建设项目环境影响评价文件审批 第1版未发布")
    assert "45个工作日" in message and "法律、法规名称及条款" in message
    assert ItemVersion.objects.get(pk=version.pk).status == VersionStatus.DRAFT


def test_the_admin_form_records_the_basis(admin_client, dept):
    version = _joint(dept, statutory=60)
    page = admin_client.get(reverse("admin:catalog_itemversion_change", args=[version.pk]))
    html = page.content.decode()
    assert 'name="limit_basis_law"' in html and 'name="limit_basis_article"' in html


def test_every_demo_joint_item_is_within_45_days_or_records_its_basis():
    """The demo catalog: 建设项目环境影响评价文件审批 keeps its 60 days on the EIA law's own
    article; the other joint items fit the cap."""
    for entry in plan.items(random.Random(2015)):
        version = entry.version
        if not version["joint_handling"] or version["statutory_days"] <= 45:
            continue
        assert version.get("limit_basis_law") and version.get("limit_basis_article"), entry.code


def test_the_public_guide_shows_the_recorded_basis(client, dept):
    version = _publish(
        _joint(dept, statutory=60, limit_basis_law=EIA_LAW, limit_basis_article=EIA_ARTICLE)
    )
    code = version.item.code
    data = client.get(reverse("api:catalog-item-detail", args=[code])).json()
    assert data["limits"]["limit_basis_law"] == EIA_LAW
    assert data["limits"]["limit_basis_article"] == EIA_ARTICLE
    page = client.get(reverse("portal:guide_detail", args=[code])).content.decode()
    assert "时限依据" in page and EIA_LAW + EIA_ARTICLE in page
