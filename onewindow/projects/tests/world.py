"""A small construction chain for the key-project tests, built with the real services.

Departments: A (市场监管局, the personas' own), B (住建局, the personas' ``reviewer_b`` plus an
approver and a clerk made here) and C (消防, a reviewer only: a department with no case in the
project). Items, each with one core material and a certificate result:

- ``GC-1A`` (stage 1, department A alone), ``GC-1B`` (stage 1, department B alone);
- ``GC-2`` (stage 2, department B leads, department A reviews in parallel).

The enterprise persona mandates the agent persona for every item; ``run`` takes one case from
its filing to any point of its life at the dates given (Shanghai, 10:00).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import time_machine

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.uploads import case_file_add
from onewindow.catalog import deadlines
from onewindow.catalog.models import (
    Department,
    Item,
    ItemVersion,
    Material,
    ProcessBranch,
    Region,
    RegionLevel,
    VersionStatus,
)
from onewindow.certificates import services as certificate_services
from onewindow.lib.idnumbers import make_citizen_id
from onewindow.projects import services
from onewindow.projects.models import Project, Stage
from onewindow.review import services as review_services
from onewindow.review.models import Task
from onewindow.review.services import decisions as decision_services
from onewindow.testing import Personas

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date.fromisoformat
AGENT_ID = make_citizen_id("420700", dt.date(1988, 4, 2), 31)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@dataclass
class World:
    p: Personas
    region: Region
    dept_c: Department
    approver_b: User
    clerk_b: User
    reviewer_c: User
    items: dict[str, Item]


def _item(code: str, name: str, branches: list[tuple[Department, int]]) -> Item:
    item = Item.objects.create(code=code, department=branches[0][0])
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name=name,
        legal_basis="《中华人民共和国城乡规划法》",
        statutory_days=20,
        committed_days=15,
        consolidation_days=1,
        result_type="certificate",
        result_name=name + "证",
        delivery_methods=["window"],
    )
    Material.objects.create(version=version, sort=1, name="申请表", is_core=True)
    steps = [dict(s) for s in deadlines.DEFAULT_STEPS]
    for sort, (department, days) in enumerate(branches, start=1):
        ProcessBranch.objects.create(
            version=version,
            department=department,
            is_lead=sort == 1,
            allotted_days=days,
            steps=steps,
            sort=sort,
        )
    version.status = VersionStatus.PUBLISHED
    version.save()
    item.published_version = version
    item.save()
    return item


def make_world(p: Personas) -> World:
    region = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    dept_c = Department.objects.create(code="XFJ", name="鄂州市消防救援支队", short_name="消防")

    def staff(username: str, role: str, department: Department) -> User:
        return User.objects.create_user(
            username=username,
            password=p.password,
            role=role,
            full_name=username,
            department=department,
        )

    world = World(
        p=p,
        region=region,
        dept_c=dept_c,
        approver_b=staff("approver_b", Role.APPROVER, p.dept_b),
        clerk_b=staff("clerk_b", Role.CLERK, p.dept_b),
        reviewer_c=staff("reviewer_c", Role.REVIEWER, dept_c),
        items={
            "1A": _item("GC-1A", "企业投资项目备案（测试）", [(p.dept_a, 10)]),
            "1B": _item("GC-1B", "建设用地规划许可（测试）", [(p.dept_b, 10)]),
            "2": _item("GC-2", "建设工程规划许可（测试）", [(p.dept_b, 10), (p.dept_a, 8)]),
        },
    )
    case_services.mandate_record(
        agent=p.agent,
        applicant=p.enterprise,
        valid_until=D("2026-06-30"),
        recorded_by=p.enterprise,
        today=D("2025-09-01"),
    )
    return world


def make_project(w: World) -> Project:
    with time_machine.travel(at("2025-09-01"), tick=False):
        return services.project_create(
            actor=w.p.admin,
            name="鄂州临空经济区智能制造产业园一期厂房",
            enterprise=w.p.enterprise,
            agent=w.p.agent,
            target_days=62,
            stages=[
                services.StageSpec("立项用地规划许可", [w.items["1A"].pk, w.items["1B"].pk]),
                services.StageSpec("工程建设许可", [w.items["2"].pk]),
            ],
        )


def stage(project: Project, sort: int) -> Stage:
    return project.stages.get(sort=sort)


def clerk_of(w: World, case: Case) -> User:
    return w.p.clerk if case.department_id == w.p.dept_a.pk else w.clerk_b


def file_and_submit(w: World, project: Project, sort: int, key: str, day: str) -> Case:
    """The agent files the stage item and submits it on ``day`` (materials uploaded)."""
    with time_machine.travel(at(day, 9), tick=False):
        case = services.stage_case_file(
            stage=stage(project, sort), item=w.items[key], actor=w.p.agent
        )
    return submit(w, case, day)


def submit(w: World, case: Case, day: str) -> Case:
    """The agent uploads the materials of a filed draft and submits it on ``day``."""
    with time_machine.travel(at(day, 9), tick=False):
        for line in case.materials.all():
            case_file_add(case_material=line, upload=pdf(), actor=w.p.agent)
        case_services.case_submit(case=case, actor=w.p.agent)
    case.refresh_from_db()
    return case


def accept(w: World, case: Case, day: str) -> Case:
    with time_machine.travel(at(day, 10), tick=False):
        case_services.case_accept(case=case, actor=clerk_of(w, case))
    case.refresh_from_db()
    return case


def _staff(w: World, department_id: int) -> list[User]:
    if department_id == w.p.dept_a.pk:
        return [w.p.handler_a, w.p.reviewer_a, w.p.approver_a]
    return [w.p.reviewer_b, w.p.reviewer_b, w.approver_b]


def agree(w: World, case: Case, day: str) -> None:
    """Every department's chain and opinion on ``day``."""
    for task in Task.objects.filter(case=case).order_by("pk"):
        staff = _staff(w, task.department_id)
        with time_machine.travel(at(day, 11), tick=False):
            for index in range(task.step, len(task.steps) - 1):
                task.refresh_from_db()
                review_services.task_step_complete(
                    task=task, actor=staff[index], revision=task.revision
                )
            task.refresh_from_db()
            review_services.task_opinion_give(
                task=task, actor=staff[-1], kind="agree", text="", revision=task.revision
            )


def grant_and_deliver(w: World, case: Case, decide: str, deliver: str) -> Case:
    lead = _staff(w, case.department_id)[-1]
    with time_machine.travel(at(decide, 14), tick=False):
        decision_services.decision_make(case=Case.objects.get(pk=case.pk), actor=lead, kind="grant")
    with time_machine.travel(at(deliver, 10), tick=False):
        fresh = Case.objects.get(pk=case.pk)
        certificate_services.delivery_choose(case=fresh, actor=w.p.agent, method="window")
        certificate_services.delivery_handover(
            case=Case.objects.get(pk=case.pk),
            actor=clerk_of(w, case),
            receiver_name="李娜",
            receiver_id_number=AGENT_ID,
        )
    case.refresh_from_db()
    return case


def suspend(w: World, case: Case, start: str, end: str) -> None:
    lead = _staff(w, case.department_id)[-1]
    with time_machine.travel(at(start, 15), tick=False):
        suspension = decision_services.suspension_start(
            case=Case.objects.get(pk=case.pk),
            actor=lead,
            kind="inspection",
            reason="现场核查用地红线",
            expected_days=3,
        )
    with time_machine.travel(at(end, 16), tick=False):
        decision_services.suspension_end(suspension=suspension, actor=lead, result="核查无误")
