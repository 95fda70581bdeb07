"""Fixtures for the task tests: an item reviewed by three departments at once.

Department A (lead, 5 working days: handle → review → approve), department B (8 days, one review
step by a reviewer) and department C (3 days, one handling step; it has no staff, so it stays
silent), with 2 days of consolidation; committed limit 12, statutory 20 working days.

Accepted on 2025-09-30 (docs/rules/workdays.md §A3: Oct 1–8 holiday, Sat Oct 11 a working day), by
hand: A due 2025-10-14, B due 2025-10-17, C due 2025-10-11; the case is due latest (10-17) + 2 =
2025-10-21 (C3), where the sum of the branches (18 days) would give 2025-11-03 and the
committed limit 2025-10-23.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import time_machine

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.uploads import case_file_add
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
from onewindow.review.models import Task
from onewindow.testing import Personas

SHANGHAI = ZoneInfo("Asia/Shanghai")
THREE_STEPS = [
    {"kind": "handle", "role": "handler"},
    {"kind": "review", "role": "reviewer"},
    {"kind": "approve", "role": "approver"},
]


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@dataclass
class TaskWorld:
    p: Personas
    dept_c: Department
    region: Region
    version: ItemVersion


def make_item(
    p: Personas,
    dept_c: Department,
    *,
    pauses: bool = True,
    committed: int = 12,
    code: str = "REV-T-001",
) -> ItemVersion:
    item = Item.objects.create(code=code, department=p.dept_a)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name="食品生产许可（并联审查测试）",
        legal_basis="《食品安全法》第三十五条",
        statutory_days=20,
        committed_days=committed,
        consolidation_days=2,
        material_request_pauses=pauses,
        result_name="食品生产许可证",
        delivery_methods=["window"],
    )
    Material.objects.create(version=version, sort=1, name="食品生产许可申请书", is_core=True)
    for sort, (department, lead, days, steps) in enumerate(
        (
            (p.dept_a, True, 5, THREE_STEPS),
            (p.dept_b, False, 8, [{"kind": "review", "role": "reviewer"}]),
            (dept_c, False, 3, [{"kind": "handle", "role": "handler"}]),
        ),
        start=1,
    ):
        ProcessBranch.objects.create(
            version=version,
            department=department,
            is_lead=lead,
            allotted_days=days,
            steps=steps,
            sort=sort,
        )
    version.status = VersionStatus.PUBLISHED
    version.save()
    item.published_version = version
    item.save()
    return version


def make_world(personas: Personas) -> TaskWorld:
    """The item and its three departments (each test module wraps this in a ``tworld`` fixture)."""
    region = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    dept_c = Department.objects.create(code="FGW", name="鄂州市发展和改革委员会")
    return TaskWorld(p=personas, dept_c=dept_c, region=region, version=make_item(personas, dept_c))


def accepted_case(w: TaskWorld, *, day: str = "2025-09-30", version=None) -> Case:
    """A case submitted and accepted by the clerk on ``day`` through the real intake services."""
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
    with time_machine.travel(at(day, 10), tick=False):
        case.refresh_from_db()
        case_services.case_accept(case=case, actor=w.p.clerk)
    case.refresh_from_db()
    return case


THREE_DAYS = ("2025-09-22", "2025-09-30", "2025-10-13")
SEEN_AT = at("2025-10-13", 11)  # the three cases' tasks seen: overdue, due soon, not yet urgent


def three_accepted(personas: Personas) -> TaskWorld:
    """``make_world`` with a case accepted on each of ``THREE_DAYS``; look at them at
    ``SEEN_AT``."""
    world = make_world(personas)
    for day in THREE_DAYS:
        accepted_case(world, day=day)
    return world


def task_of(case: Case, department: Department) -> Task:
    return Task.objects.select_related("case", "department").get(case=case, department=department)
