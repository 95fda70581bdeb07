"""The process template in the ItemVersion admin: edited as rows with steps typed as one line,
the whole template checked before anything is saved, the flowchart shown read-only."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.catalog import process, services
from onewindow.catalog.models import Department, ItemVersion, ProcessBranch
from onewindow.catalog.tests import builders as b
from onewindow.catalog.tests.test_admin import change_url, version_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def market() -> Department:
    return b.department()


@pytest.fixture
def fire() -> Department:
    return b.department("XFZD", "鄂州市消防救援支队")


@pytest.fixture
def draft(market) -> ItemVersion:
    return b.checklist(b.draft(market))


def with_branches(
    version: ItemVersion, rows: list[dict[str, Any]], **overrides: Any
) -> dict[str, Any]:
    """The change form with the process rows replaced by ``rows`` (new rows, or existing ones
    when a row carries an ``id``)."""
    data = version_post(version, **overrides)
    data = {k: v for k, v in data.items() if not k.startswith("process_branches-")}
    initial = sum(1 for r in rows if "id" in r)
    data |= {
        "process_branches-TOTAL_FORMS": len(rows),
        "process_branches-INITIAL_FORMS": initial,
        "process_branches-MIN_NUM_FORMS": 0,
        "process_branches-MAX_NUM_FORMS": 1000,
    }
    for n, row in enumerate(rows):
        values = {"sort": n, "version": version.pk, **row}
        if values.pop("is_lead", False):
            values["is_lead"] = "on"
        data |= {f"process_branches-{n}-{k}": v for k, v in values.items()}
    return data


def stored(version: ItemVersion) -> list[tuple[str, bool, int, str]]:
    rows = version.process_branches.select_related("department").order_by("sort")
    return [
        (r.department.code, r.is_lead, r.allotted_days, process.steps_format(r.steps)) for r in rows
    ]


def test_an_administrator_sets_up_a_parallel_template(admin_client, draft, market, fire):
    data = with_branches(
        draft,
        [
            {
                "department": market.pk,
                "is_lead": True,
                "allotted_days": 4,
                "steps": "承办 → 审核 → 批准",
            },
            {"department": fire.pk, "allotted_days": 3, "steps": "承办：承办人 → 批准：首席代表"},
        ],
    )
    response = admin_client.post(change_url(draft), data)
    assert response.status_code == 302, response.content.decode()
    assert stored(draft) == [
        ("SCJG", True, 4, "承办：承办人 → 审核：审核人 → 批准：批准人"),
        ("XFZD", False, 3, "承办：承办人 → 批准：首席代表"),
    ]


def test_a_template_longer_than_the_committed_limit_is_refused_and_nothing_is_saved(
    admin_client, draft, market, fire
):
    data = with_branches(
        draft,
        [
            {"department": market.pk, "is_lead": True, "allotted_days": 4, "steps": "承办 → 批准"},
            {"department": fire.pk, "allotted_days": 6, "steps": "承办 → 批准"},
        ],
        name="改过的名称",
    )
    response = admin_client.post(change_url(draft), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "审批流程的关键路径为7个工作日" in html
    assert "超过承诺时限5个工作日" in html
    assert not ProcessBranch.objects.exists()
    assert ItemVersion.objects.get(pk=draft.pk).name == "食品经营许可"


def test_the_template_is_checked_against_the_limits_posted_with_it(admin_client, draft, market):
    rows = [{"department": market.pk, "is_lead": True, "allotted_days": 4, "steps": "承办 → 批准"}]
    response = admin_client.post(change_url(draft), with_branches(draft, rows, committed_days=4))
    assert response.status_code == 200
    assert "超过承诺时限4个工作日" in response.content.decode()
    response = admin_client.post(
        change_url(draft), with_branches(draft, rows, committed_days=4, consolidation_days=0)
    )
    assert response.status_code == 302
    assert stored(draft) == [("SCJG", True, 4, "承办：承办人 → 批准：批准人")]


def test_a_template_without_a_lead_is_refused(admin_client, draft, market, fire):
    rows = [
        {"department": market.pk, "allotted_days": 4, "steps": "承办 → 批准"},
        {"department": fire.pk, "allotted_days": 3, "steps": "承办 → 批准"},
    ]
    response = admin_client.post(change_url(draft), with_branches(draft, rows))
    assert response.status_code == 200
    assert "请指定一个牵头部门" in response.content.decode()
    assert not ProcessBranch.objects.exists()


def test_unreadable_steps_are_shown_on_their_row(admin_client, draft, market):
    rows = [{"department": market.pk, "is_lead": True, "allotted_days": 4, "steps": "签收 → 批准"}]
    response = admin_client.post(change_url(draft), with_branches(draft, rows))
    assert response.status_code == 200
    assert "第1个环节“签收”无法识别" in response.content.decode()
    assert not ProcessBranch.objects.exists()


def test_the_lead_moves_to_another_department_in_one_save(admin_client, draft, market, fire):
    first = process.process_branch_add(
        version=draft, department=market, allotted_days=4, is_lead=True
    )
    second = process.process_branch_add(version=draft, department=fire, allotted_days=3)
    rows = [
        {"id": first.pk, "department": market.pk, "allotted_days": 4, "steps": "承办 → 批准"},
        {
            "id": second.pk,
            "department": fire.pk,
            "is_lead": True,
            "allotted_days": 3,
            "steps": "承办 → 批准",
        },
    ]
    response = admin_client.post(change_url(draft), with_branches(draft, rows))
    assert response.status_code == 302, response.content.decode()
    assert [(code, lead) for code, lead, _d, _s in stored(draft)] == [
        ("SCJG", False),
        ("XFZD", True),
    ]


def test_deleting_every_row_falls_back_to_the_items_department(admin_client, draft, market):
    branch = process.process_branch_add(
        version=draft, department=market, allotted_days=4, is_lead=True
    )
    rows = [
        {
            "id": branch.pk,
            "department": market.pk,
            "is_lead": True,
            "allotted_days": 4,
            "steps": "承办 → 批准",
            "DELETE": "on",
        }
    ]
    response = admin_client.post(change_url(draft), with_branches(draft, rows))
    assert response.status_code == 302
    assert not ProcessBranch.objects.exists()


def test_the_draft_page_shows_the_flowchart_and_the_steps_as_text(admin_client, draft, market):
    process.process_branch_add(version=draft, department=market, allotted_days=4, is_lead=True)
    html = admin_client.get(change_url(draft)).content.decode()
    assert "审批流程（权力运行流程）" in html
    assert 'role="img"' in html and "食品经营许可 审批流程图" in html
    assert 'value="承办：承办人 → 审核：审核人 → 批准：批准人"' in html


def test_a_published_version_shows_its_template_read_only(admin_client, draft, market, fire):
    process.process_branch_add(version=draft, department=market, allotted_days=4, is_lead=True)
    process.process_branch_add(version=draft, department=fire, allotted_days=3)
    published = services.item_version_publish(version=draft, now=b.NOW)
    html = admin_client.get(change_url(published)).content.decode()
    assert "鄂州市消防救援支队" in html
    assert "承办：承办人 → 审核：审核人 → 批准：批准人" in html
    assert 'name="process_branches-0-steps"' not in html
    assert "<svg" in html and "牵头" in html
