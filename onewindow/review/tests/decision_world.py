"""Fixtures for the decision, extension and special-procedure tests.

A published item of department A (lead, 19 working days) with department B as co-department
(15 days) and one day of consolidation: the critical path is 19 + 1 = 20 working days (C3), equal
to the committed and statutory limits, so a case accepted 2025-09-30 is due 2025-11-04 (A2).

Everything goes through the real services: intake (submit, accept — which opens the review),
the tasks app's steps and opinions, its deemed-consent job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.uploads import case_file_add
from onewindow.catalog import deadlines
from onewindow.catalog.models import (
    Item,
    ItemVersion,
    Material,
    ProcessBranch,
    Region,
    RegionLevel,
    VersionStatus,
)
from onewindow.review.models import Opinion, OpinionKind, Task
from onewindow.review.services import (
    review_open,
    task_opinion_give,
    task_step_complete,
    tasks_deem_consent,
)
from onewindow.testing import Personas

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@dataclass
class DecisionWorld:
    p: Personas
    region: Region
    version: ItemVersion
    approver_b: User  # department B's approver: the last step of its branch


def make_item(
    p: Personas,
    *,
    code: str = "REV-D-001",
    joint_handling: bool = False,
    result_type: str = "certificate",
    co_department: bool = True,
) -> ItemVersion:
    item = Item.objects.create(code=code, department=p.dept_a)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name="食品经营许可（并联审批测试）",
        legal_basis="《食品安全法》第三十五条",
        statutory_days=20,
        committed_days=20,
        consolidation_days=1,
        joint_handling=joint_handling,
        result_type=result_type,
        result_name="食品经营许可证",
        delivery_methods=["window"],
    )
    Material.objects.create(version=version, sort=1, name="食品经营许可申请书", is_core=True)
    steps = [dict(s) for s in deadlines.DEFAULT_STEPS]
    ProcessBranch.objects.create(
        version=version, department=p.dept_a, is_lead=True, allotted_days=19, steps=steps, sort=1
    )
    if co_department:
        ProcessBranch.objects.create(
            version=version,
            department=p.dept_b,
            is_lead=False,
            allotted_days=15,
            steps=steps,
            sort=2,
        )
    version.status = VersionStatus.PUBLISHED
    version.save()
    item.published_version = version
    item.save()
    return version


def make_world(personas: Personas) -> DecisionWorld:
    """Each test module wraps this in its own ``dworld`` fixture."""
    region = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    approver_b = User.objects.create_user(
        username="approver_b",
        password=personas.password,
        role=Role.APPROVER,
        full_name="孙丽",
        department=personas.dept_b,
    )
    return DecisionWorld(
        p=personas, region=region, version=make_item(personas), approver_b=approver_b
    )


def case_in_review(w: DecisionWorld, *, accepted: str = "2025-09-30", version=None) -> Case:
    """A case submitted and accepted on ``accepted`` (10:00 Shanghai), its review open."""
    version = version or w.version
    case = case_services.case_create_draft(
        item_version=version, applicant=w.p.applicant, created_by=w.p.applicant, region=w.region
    )
    for line in case.materials.all():
        case_file_add(case_material=line, upload=pdf(), actor=w.p.applicant)
    with time_machine.travel(at(accepted, 9), tick=False):
        case_services.case_submit(case=case, actor=w.p.applicant)
    with time_machine.travel(at(accepted, 10), tick=False):
        case.refresh_from_db()
        case_services.case_accept(case=case, actor=w.p.clerk)
        case.refresh_from_db()
        if case.status == CaseStatus.ACCEPTED:  # acceptance opens the review itself
            review_open(case=case, now=at(accepted, 10))
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    return case


def _staff(w: DecisionWorld, department: Any) -> list[Any]:
    """Who does the handle → review → approve steps in each department."""
    if department == w.p.dept_a:
        return [w.p.handler_a, w.p.reviewer_a, w.p.approver_a]
    return [w.p.reviewer_b, w.p.reviewer_b, w.approver_b]


def give_opinion(
    w: DecisionWorld,
    case: Case,
    department: Any,
    kind: str = OpinionKind.AGREE,
    text: str = "",
    day: str = "2025-10-20",
) -> Opinion:
    """The department's opinion through the tasks services: every step, then the answer."""
    task = Task.objects.get(case=case, department=department)
    staff = _staff(w, department)
    with time_machine.travel(at(day, 9), tick=False):
        for index in range(task.step, len(task.steps) - 1):
            task.refresh_from_db()
            task_step_complete(task=task, actor=staff[index], revision=task.revision)
        task.refresh_from_db()
        return task_opinion_give(
            task=task, actor=staff[-1], kind=kind, text=text, revision=task.revision
        )


def deem_silent(day: str) -> int:
    """The deemed-consent job of the tasks app, run at the start of ``day``."""
    with time_machine.travel(at(day, 1), tick=False):
        return tasks_deem_consent(today=dt.date.fromisoformat(day))


def all_agree(w: DecisionWorld, case: Case) -> None:
    give_opinion(w, case, w.p.dept_a)
    give_opinion(w, case, w.p.dept_b)
