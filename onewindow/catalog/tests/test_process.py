"""Process templates (权力运行流程, docs/product.md §C5): each rule refused with a clear message and
nothing saved; publication refused for an invalid template; a new draft copies the template."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from onewindow.catalog import process, services
from onewindow.catalog.models import (
    Department,
    ItemVersion,
    ProcessBranch,
    PublishedVersionError,
    VersionStatus,
)
from onewindow.catalog.process import BranchSpec
from onewindow.catalog.tests import builders as b

pytestmark = pytest.mark.django_db

CHAIN = [
    {"kind": "handle", "role": "handler"},
    {"kind": "review", "role": "reviewer"},
    {"kind": "approve", "role": "approver"},
]


@pytest.fixture
def market() -> Department:
    return b.department()


@pytest.fixture
def fire() -> Department:
    return b.department("XFZD", "鄂州市消防救援支队")


@pytest.fixture
def health() -> Department:
    return b.department("WJW", "鄂州市卫生健康委员会")


@pytest.fixture
def draft(market) -> ItemVersion:
    """Committed 5 of a statutory 20 working days, consolidation 1 (the default)."""
    return b.checklist(b.draft(market))


def add(version: ItemVersion, department: Department, days: int, **extra: Any) -> ProcessBranch:
    return process.process_branch_add(
        version=version, department=department, allotted_days=days, **extra
    )


def refused(call: Any, *texts: str) -> str:
    """Run ``call``; it must raise a ValidationError whose messages contain every text."""
    with pytest.raises(ValidationError) as caught:
        call()
    message = ";".join(caught.value.messages)
    for text in texts:
        assert text in message, message
    return message


def publish(version: ItemVersion) -> ItemVersion:
    return services.item_version_publish(version=version, now=b.NOW)


# --- a valid template ---------------------------------------------------------------------------
def test_a_version_without_branches_is_valid_and_publishes(draft):
    assert process.process_template_errors(draft) == {}
    assert publish(draft).status == VersionStatus.PUBLISHED


def test_three_departments_fit_five_days_because_the_path_is_the_latest_branch_not_the_sum(
    draft, market, fire, health
):
    add(draft, market, 4, is_lead=True)
    add(draft, fire, 4, steps=[{"kind": "handle", "role": "handler"}, CHAIN[2]])
    add(draft, health, 3)
    # C3: 4 + 1 = 5 ≤ committed 5 (the sum, 4 + 4 + 3 + 1 = 12, is never the limit).
    assert process.process_template_errors(draft) == {}
    assert publish(draft).status == VersionStatus.PUBLISHED
    view = process.process_view(draft)
    assert view.critical_path_days == 5
    assert [b.department.code for b in view.branches] == ["SCJG", "XFZD", "WJW"]
    assert not view.is_default


def test_the_default_steps_are_handle_review_approve(draft, market):
    branch = add(draft, market, 4, is_lead=True)
    assert branch.steps == CHAIN
    assert branch.sort == 0


# --- each rule ----------------------------------------------------------------------------------
def test_a_branch_longer_than_the_committed_limit_is_refused_and_not_saved(draft, market):
    refused(
        lambda: add(draft, market, 5, is_lead=True),
        "关键路径为6个工作日",
        "最长的部门审查5个工作日 + 牵头部门汇总1个工作日",
        "超过承诺时限5个工作日",
    )
    assert not ProcessBranch.objects.exists()


def test_an_inactive_department_is_refused(draft, fire):
    Department.objects.filter(pk=fire.pk).update(is_active=False)
    fire.refresh_from_db()
    refused(lambda: add(draft, fire, 3), "部门“鄂州市消防救援支队”已停用，不能承担审查。")
    assert not ProcessBranch.objects.exists()


def test_an_empty_chain_of_steps_is_refused(draft, market):
    refused(
        lambda: add(draft, market, 3, steps=[]), "部门“鄂州市市场监督管理局”的办理环节不能为空。"
    )
    assert not ProcessBranch.objects.exists()


def test_an_unknown_step_kind_is_refused(draft, market):
    steps = [{"kind": "sign", "role": "handler"}, CHAIN[2]]
    refused(lambda: add(draft, market, 3, steps=steps), "第1个环节的类型“sign”无效")
    assert not ProcessBranch.objects.exists()


@pytest.mark.parametrize("role", ["clerk", "supervisor", "applicant", "nobody"])
def test_a_step_done_by_a_role_that_is_not_a_department_reviewer_is_refused(draft, market, role):
    steps = [{"kind": "handle", "role": role}, CHAIN[2]]
    refused(
        lambda: add(draft, market, 3, steps=steps),
        f"第1个环节的角色“{role}”不是部门审查角色（承办人、审核人、批准人、首席代表）",
    )
    assert not ProcessBranch.objects.exists()


def test_a_chain_must_end_with_an_approval(draft, market):
    refused(lambda: add(draft, market, 3, steps=CHAIN[:2]), "的办理环节须以“批准”环节结束。")
    assert not ProcessBranch.objects.exists()


@pytest.mark.parametrize("days", [0, -1])
def test_a_branch_needs_at_least_one_working_day(draft, market, days):
    refused(lambda: add(draft, market, days), "审查时限至少为1个工作日")
    assert not ProcessBranch.objects.exists()


def test_a_second_lead_is_refused(draft, market, fire):
    add(draft, market, 4, is_lead=True)
    refused(
        lambda: add(draft, fire, 3, is_lead=True),
        "只能有一个牵头部门：“鄂州市市场监督管理局”已是牵头部门。",
    )
    assert ProcessBranch.objects.count() == 1


def test_a_department_appears_once(draft, market):
    add(draft, market, 4, is_lead=True)
    refused(lambda: add(draft, market, 3), "部门“鄂州市市场监督管理局”在流程中重复出现。")
    assert ProcessBranch.objects.count() == 1


def test_publication_is_refused_without_a_lead_and_the_draft_stays_a_draft(draft, market, fire):
    add(draft, market, 4)
    add(draft, fire, 3)
    refused(lambda: publish(draft), "请指定一个牵头部门")
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert draft.item.published_version_id is None


def test_publication_is_refused_when_the_committed_limit_was_shortened_below_the_path(
    draft, market, fire
):
    add(draft, market, 4, is_lead=True)
    add(draft, fire, 3)
    services.item_version_update(version=draft, committed_days=3)
    message = refused(lambda: publish(draft), "关键路径为5个工作日", "超过承诺时限3个工作日")
    assert message.count("关键路径") == 1  # the whole template's path, once
    assert ItemVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT


def test_more_consolidation_time_can_break_the_path(draft, market):
    add(draft, market, 4, is_lead=True)
    services.item_version_update(version=draft, consolidation_days=2)
    refused(lambda: publish(draft), "牵头部门汇总2个工作日", "超过承诺时限5个工作日")


def test_joint_handling_is_capped_at_45_working_days(market):
    version = b.checklist(
        b.draft(market, code="JH-1", statutory_days=60, committed_days=60, joint_handling=True)
    )
    services.item_version_update(version=version, consolidation_days=2)
    refused(
        lambda: add(version, market, 44, is_lead=True),
        "联合办理的审批流程关键路径为46个工作日",
        "第四十二条规定的45个工作日",
    )
    add(version, market, 43, is_lead=True)
    assert process.process_template_errors(version) == {}


def test_without_joint_handling_a_long_path_within_the_committed_limit_is_fine(market):
    version = b.draft(market, code="JH-2", statutory_days=60, committed_days=60)
    add(version, market, 55, is_lead=True)
    assert process.process_template_errors(version) == {}


def test_committed_above_statutory_is_reported_with_the_template(draft, market):
    draft.committed_days = 25  # unsaved: the admin checks the edited values before saving
    errors = process.template_errors(draft, [BranchSpec(market, True, 4, CHAIN)])
    assert errors["committed_days"] == [
        "承诺时限不得超过法定时限：承诺25个工作日，法定20个工作日。"
    ]


def test_every_problem_of_a_template_is_listed_at_once(draft, market, fire):
    branches = [
        BranchSpec(market, True, 9, []),
        BranchSpec(fire, True, 0, CHAIN[:1]),
        BranchSpec(fire, False, 2, CHAIN),
    ]
    messages = process.template_errors(draft, branches)["process_branches"]
    assert messages == [
        "部门“鄂州市市场监督管理局”的办理环节不能为空。",
        "部门“鄂州市消防救援支队”的审查时限至少为1个工作日。",
        "部门“鄂州市消防救援支队”的办理环节须以“批准”环节结束。",
        "部门“鄂州市消防救援支队”在流程中重复出现。",
        "只能有一个牵头部门，现为：鄂州市市场监督管理局、鄂州市消防救援支队。",
        "审批流程的关键路径为10个工作日（最长的部门审查9个工作日 + 牵头部门汇总1个工作日），"
        "超过承诺时限5个工作日。",
    ]


def test_an_on_the_spot_item_is_decided_within_one_day(market):
    version = b.draft(market, code="JB-1", statutory_days=0, committed_days=0, on_the_spot=True)
    services.item_version_update(version=version, consolidation_days=0)
    steps = [{"kind": "handle", "role": "handler"}, {"kind": "approve", "role": "chief"}]
    refused(lambda: add(version, market, 2, is_lead=True, steps=steps), "即办件须当场办结")
    add(version, market, 1, is_lead=True, steps=steps)
    assert process.process_template_errors(version) == {}


# --- update, remove, replace --------------------------------------------------------------------
def test_an_update_that_breaks_a_rule_changes_nothing(draft, market):
    branch = add(draft, market, 4, is_lead=True)
    refused(lambda: process.process_branch_update(branch=branch, allotted_days=7), "关键路径")
    refused(lambda: process.process_branch_update(branch=branch, steps=CHAIN[:1]), "批准")
    branch.refresh_from_db()
    assert (branch.allotted_days, branch.steps) == (4, CHAIN)


def test_an_update_keeps_its_own_department_and_lead(draft, market):
    branch = add(draft, market, 4, is_lead=True)
    updated = process.process_branch_update(branch=branch, allotted_days=3, is_lead=True)
    assert updated.allotted_days == 3
    with pytest.raises(TypeError):
        process.process_branch_update(branch=branch, version=draft)


def test_the_lead_moves_in_one_replace(draft, market, fire):
    add(draft, market, 4, is_lead=True)
    add(draft, fire, 3)
    rows = process.process_template_replace(
        version=draft,
        branches=[BranchSpec(market, False, 4, CHAIN), BranchSpec(fire, True, 3, CHAIN)],
    )
    assert [(r.department.code, r.is_lead) for r in rows] == [("SCJG", False), ("XFZD", True)]
    stored = draft.process_branches.order_by("sort")
    assert [(r.department_id, r.is_lead) for r in stored] == [(market.pk, False), (fire.pk, True)]


def test_an_invalid_replace_keeps_the_old_template(draft, market, fire):
    add(draft, market, 4, is_lead=True)
    refused(
        lambda: process.process_template_replace(
            version=draft, branches=[BranchSpec(fire, False, 3, CHAIN)]
        ),
        "请指定一个牵头部门",
    )
    assert list(draft.process_branches.values_list("department_id", flat=True)) == [market.pk]


def test_removing_every_branch_falls_back_to_the_items_department(draft, market, fire):
    branch = add(draft, fire, 4, is_lead=True)
    process.process_branch_remove(branch=branch)
    view = process.process_view(draft)
    assert view.is_default
    assert [(b.department, b.is_lead, b.allotted_days) for b in view.branches] == [
        (market, True, 4)
    ]
    assert view.critical_path_days == 5


# --- versions -----------------------------------------------------------------------------------
def test_a_new_draft_copies_the_template_and_the_published_one_stays_frozen(draft, market, fire):
    add(draft, market, 4, is_lead=True, steps=[CHAIN[0], {"kind": "approve", "role": "chief"}])
    add(draft, fire, 3)
    services.item_version_update(version=draft, consolidation_days=1)
    published = publish(draft)
    new = services.item_version_create_draft(item=published.item)

    def template(version: ItemVersion) -> list[tuple[Any, ...]]:
        rows = version.process_branches.order_by("sort")
        return [(r.department_id, r.is_lead, r.allotted_days, r.steps, r.sort) for r in rows]

    assert template(new) == template(published)
    assert new.consolidation_days == published.consolidation_days
    assert set(new.process_branches.values_list("pk", flat=True)).isdisjoint(
        published.process_branches.values_list("pk", flat=True)
    )
    with pytest.raises(PublishedVersionError):
        add(published, fire, 2)
    with pytest.raises(PublishedVersionError):
        process.process_branch_remove(branch=published.process_branches.get(department=fire))
    with pytest.raises(PublishedVersionError):
        process.process_template_replace(version=published, branches=[])
    process.process_branch_update(branch=new.process_branches.get(department=fire), allotted_days=2)
    assert published.process_branches.get(department=fire).allotted_days == 3


# --- steps as text ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        # Typed with a Chinese input method (full-width marks) or without one (ASCII marks).
        "承办：承办人 → 审核：审核人 → 批准：批准人",
        "承办:承办人 → 审核:审核人 → 批准:批准人",
        "承办 → 审核 → 批准",
        "handle:handler -> review:reviewer -> approve:approver",
        "承办：承办人，审核：审核人，批准：批准人",
        "承办:承办人,审核:审核人,批准:批准人",
        "承办 ： 承办人；审核:审核人;批准：批准人",
    ],
)
def test_steps_can_be_typed_as_one_line(text):
    assert process.steps_parse(text) == CHAIN


def test_steps_print_with_their_chinese_names():
    steps = [CHAIN[0], {"kind": "approve", "role": "chief"}]
    assert process.steps_format(steps) == "承办：承办人 → 批准：首席代表"
    assert process.steps_parse(process.steps_format(steps)) == steps


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("签收 → 批准", "第1个环节“签收”无法识别：环节须为承办、审核或批准。"),
        ("承办：窗口受理人员 → 批准", "第1个环节“承办：窗口受理人员”的角色无法识别"),
        ("承办:窗口受理人员 → 批准", "第1个环节“承办:窗口受理人员”的角色无法识别"),
    ],
)
def test_unreadable_steps_are_refused_with_the_part_named(text, message):
    with pytest.raises(ValidationError) as caught:
        process.steps_parse(text)
    assert message in caught.value.messages[0]
