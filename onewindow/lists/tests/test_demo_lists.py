"""The demo's lists (docs/rules/lists.md §Q7): every department and item has rows, and the
clean-up record adds up to the seed's 337 → 92 (docs/rules/lists.md §Q4)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.urls import reverse

from onewindow.catalog.models import Department, Item
from onewindow.demo import catalog as demo
from onewindow.lists.models import (
    CleanupAction,
    CleanupRecord,
    DepartmentResponsibility,
    ItemAccountability,
    SupervisionMeasure,
)
from onewindow.lists.selectors import cleanup_summary


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.test import override_settings

    media = tmp_path_factory.mktemp("demo-files")
    fast_hashing = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast_hashing),
    ):
        demo.load_demo(progress=False, cases=0)
        yield
        demo.demo_reset()


@pytest.fixture
def demo_db(loaded, db):
    return None


def test_the_clean_up_adds_up_to_337_before_and_92_after(demo_db):
    summary = cleanup_summary()
    assert (summary.before, summary.after) == (337, 92)
    assert summary.removed == 245
    assert str(summary.reduction_percent) == "72.7"
    rows = Counter(CleanupRecord.objects.values_list("action", flat=True))
    assert {a.action: a.count for a in summary.by_action} == {
        a: rows[a] for a in CleanupAction.values
    }
    assert sum(a.count for a in summary.by_action) == CleanupRecord.objects.count() == 337
    # Every action is used, and removed = cancelled + merged + delegated + to filing.
    assert all(a.count for a in summary.by_action)
    assert rows[CleanupAction.RETAINED] == 92
    assert sum(n for a, n in rows.items() if a != CleanupAction.RETAINED) == 245


def test_the_retained_92_are_the_current_items_and_merged_ones_point_at_them(demo_db):
    retained = CleanupRecord.objects.filter(action=CleanupAction.RETAINED)
    assert set(retained.values_list("target_item", flat=True)) == set(
        Item.objects.values_list("pk", flat=True)
    )
    merged = CleanupRecord.objects.filter(action=CleanupAction.MERGED)
    assert not merged.filter(target_item__isnull=True).exists()
    others = CleanupRecord.objects.exclude(
        action__in=[CleanupAction.RETAINED, CleanupAction.MERGED]
    )
    assert not others.filter(target_item__isnull=False).exists()
    for record in CleanupRecord.objects.all():
        record.full_clean()  # the admin's rules hold for every demo row
    years = {d.year for d in CleanupRecord.objects.values_list("decided_on", flat=True)}
    assert years == {2014, 2015}
    # Municipal document numbers are made up and say so (docs/rules/lists.md §Q7).
    for basis in CleanupRecord.objects.values_list("legal_basis", flat=True):
        assert "鄂州" not in basis or "（示例）" in basis


def test_every_department_and_item_has_its_rows(demo_db):
    # The city's 29 bureaus; the district bureaus (docs/rules/delegation.md §V1) publish no
    # lists of their own in the demo.
    departments = Department.objects.filter(region__isnull=True).count()
    assert departments == 29
    assert DepartmentResponsibility.objects.values("department").distinct().count() == departments
    assert CleanupRecord.objects.values("department").distinct().count() == departments
    items = Item.objects.count()
    assert ItemAccountability.objects.values("item").distinct().count() == items == 92
    assert SupervisionMeasure.objects.values("item").distinct().count() == items
    # The items built on the real guides have hand-written measures.
    hygiene = SupervisionMeasure.objects.filter(item__code="420700-WJW-001")
    assert any("游泳" in m.frequency for m in hygiene)


def test_the_demo_pages_show_the_lists(demo_db, client):
    html = client.get(reverse("lists:cleanup")).content.decode()
    assert "337 项 → 92 项" in html
    assert "审减率 72.7%" in html
    html = client.get(reverse("lists:cleanup"), {"q": "企业年度检验"}).content.decode()
    assert "企业年度检验" in html and "共 1 条" in html
    response = client.get(reverse("lists:supervision"), {"q": "公共场所", "method": "credit"})
    assert "卫生信誉度" in response.content.decode()
