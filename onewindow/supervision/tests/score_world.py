"""Arrangement for the performance-score tests (绩效考核).

Department A's only item is 56 → 5 working days (the compression example of
docs/rules/supervision.md §D4, 91.07 %), reviewed by department A alone (5 days, handle → review →
approve). Cases go through the real intake, review and decision services (``world`` helpers). Dates
by hand from the 2025 arrangement (docs/rules/workdays.md §A3: Oct 1–8 holiday, Sat Oct 11 a working
day): accepted 2025-09-30 → decision due 2025-10-14; submitted 2025-10-09 → intake due 2025-10-15.

Cards are arranged as rows (the sweep that issues them is tested in test_sweep / test_timing);
cancelling goes through the card lifecycle services.
"""

from __future__ import annotations

import time_machine

from onewindow.api.tests.data import publish
from onewindow.cases.models import Case
from onewindow.catalog.models import (
    Item,
    ItemVersion,
    Material,
    ProcessBranch,
    Region,
    RegionLevel,
)
from onewindow.review.models import Task
from onewindow.review.tests.task_world import THREE_STEPS, TaskWorld, at
from onewindow.supervision.models import Card, CardLevel, ObjectKind, Rule
from onewindow.supervision.services import card_cancel, card_explain
from onewindow.supervision.tests.world import accept, finish_task_a, grant, submitted_case
from onewindow.testing import Personas


def item_version(
    p: Personas, *, code: str = "SCORE-T-001", statutory: int = 56, committed: int = 5
) -> ItemVersion:
    item = Item.objects.create(code=code, department=p.dept_a)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name=f"绩效考核测试事项 {code}",
        legal_basis="《行政许可法》第四十二条",
        statutory_days=statutory,
        committed_days=committed,
        consolidation_days=0,
        result_name="许可证",
        delivery_methods=["window"],
    )
    Material.objects.create(version=version, sort=1, name="申请书", is_core=True)
    ProcessBranch.objects.create(
        version=version,
        department=p.dept_a,
        is_lead=True,
        allotted_days=min(5, committed) or 1,
        steps=THREE_STEPS,
        sort=1,
    )
    return publish(version)


def make_score_world(p: Personas) -> TaskWorld:
    region = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    return TaskWorld(p=p, dept_c=p.dept_b, region=region, version=item_version(p))


def decided_case(w: TaskWorld, decided_on: str) -> Case:
    """Accepted 2025-09-30 (due 2025-10-14), reviewed and granted on ``decided_on``."""
    case = accept(w, submitted_case(w), "2025-09-30")
    finish_task_a(w, Task.objects.get(case=case), decided_on)
    grant(w, case, decided_on)
    case.refresh_from_db()
    return case


def card(case: Case, rule: str, level: str = CardLevel.YELLOW, *, day: str = "2025-10-15") -> Card:
    return Card.objects.create(
        rule=Rule.objects.get(code=rule),
        level=level,
        object_kind=ObjectKind.CASE,
        object_id=case.pk,
        case=case,
        department_id=case.department_id,
        issued_at=at(day, 7),
    )


def cancelled_card(w: TaskWorld, case: Case, rule: str, *, day: str = "2025-10-15") -> Card:
    issued = card(case, rule, CardLevel.RED, day=day)
    with time_machine.travel(at(day, 12), tick=False):
        explained = card_explain(card=issued, actor=w.p.handler_a, text="系统时限配置有误")
        return card_cancel(card=explained, actor=w.p.supervisor, reason="核实后撤销")
