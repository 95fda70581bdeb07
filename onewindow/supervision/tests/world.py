"""Shared arrangement for the supervision tests.

Builds on the review tests' task world (onewindow/review/tests/task_world.py): an item reviewed
by department A (lead, 5 working days, handle → review → approve), B (8 days) and C (3 days, no
staff), accepted 2025-09-30 through the real intake services: A due 2025-10-14 (the D2 example
date), B 2025-10-17, C 2025-10-11 (a working Saturday), the case 2025-10-21.
``single_branch_version`` has only department A's 5 days and no consolidation, so its case is
due 2025-10-14 as well. Dates by hand from the 2025 arrangement (docs/rules/workdays.md §A3: Oct 1–8
holiday, Sat Oct 11 a working day).
"""

from __future__ import annotations

import datetime as dt

import time_machine

from onewindow.api.tests.data import publish
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.uploads import case_file_add
from onewindow.catalog.models import Item, ItemVersion, Material, ProcessBranch
from onewindow.review.models import Decision, Task
from onewindow.review.services import task_opinion_give, task_step_complete
from onewindow.review.services.decisions import decision_make
from onewindow.review.tests.task_world import THREE_STEPS, TaskWorld, at
from onewindow.supervision.models import Card, Rule
from onewindow.supervision.services.sweep import SweepResult, supervision_sweep

D = dt.date.fromisoformat


def single_branch_version(w: TaskWorld) -> ItemVersion:
    """Department A alone, 5 days, no consolidation; 鼓励类 (one non-core material may be 容缺)."""
    item = Item.objects.create(code="SUP-T-001", department=w.p.dept_a)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name="食品小作坊登记（电子监察测试）",
        legal_basis="《食品安全法》第三十六条",
        statutory_days=20,
        committed_days=12,
        consolidation_days=0,
        tolerance_category="encouraged",
        result_name="登记证",
        delivery_methods=["window"],
    )
    Material.objects.create(version=version, sort=1, name="登记申请书", is_core=True)
    Material.objects.create(version=version, sort=2, name="场所平面图", is_core=False)
    ProcessBranch.objects.create(
        version=version,
        department=w.p.dept_a,
        is_lead=True,
        allotted_days=5,
        steps=THREE_STEPS,
        sort=1,
    )
    return publish(version)


def submitted_case(w: TaskWorld, *, day: str = "2025-09-30", version=None) -> Case:
    """A case submitted on ``day`` and not yet decided at intake."""
    case = case_services.case_create_draft(
        item_version=version or w.version,
        applicant=w.p.applicant,
        created_by=w.p.applicant,
        region=w.region,
    )
    for line in case.materials.all():
        case_file_add(case_material=line, upload=pdf(), actor=w.p.applicant)
    with time_machine.travel(at(day, 9), tick=False):
        case_services.case_submit(case=case, actor=w.p.applicant)
    case.refresh_from_db()
    return case


def accept(w: TaskWorld, case: Case, day: str) -> Case:
    with time_machine.travel(at(day, 10), tick=False):
        case_services.case_accept(case=case, actor=w.p.clerk)
    case.refresh_from_db()
    return case


def finish_task_a(w: TaskWorld, task: Task, day: str) -> None:
    """Department A's three steps and its opinion, through the review services."""
    staff = [w.p.handler_a, w.p.reviewer_a, w.p.approver_a]
    with time_machine.travel(at(day, 11), tick=False):
        for index in range(len(task.steps) - 1):
            task.refresh_from_db()
            task_step_complete(task=task, actor=staff[index], revision=task.revision)
        task.refresh_from_db()
        task_opinion_give(task=task, actor=staff[-1], kind="agree", revision=task.revision)


def grant(w: TaskWorld, case: Case, day: str) -> Decision:
    """The lead department's approver grants the licence on ``day`` (review.decisions)."""
    case.refresh_from_db()
    with time_machine.travel(at(day, 15), tick=False):
        return decision_make(case=case, actor=w.p.approver_a, kind="grant")


def sweep_on(day: str, *, batch: int = 500) -> SweepResult:
    """The sweep as the background loop runs it early on ``day`` (clock frozen)."""
    with time_machine.travel(at(day, 7), tick=False):
        return supervision_sweep(batch=batch)


def levels(rule: str, kind: str, object_id: int) -> list[str]:
    return sorted(
        Card.objects.filter(rule__code=rule, object_kind=kind, object_id=object_id).values_list(
            "level", flat=True
        ),
        key=["yellow", "red"].index,
    )


def rule(code: str) -> Rule:
    return Rule.objects.get(code=code)
