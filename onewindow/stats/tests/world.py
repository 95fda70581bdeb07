"""A small hand-made data set for the statistics tests, written straight into the tables
(the rollups are then made by ``rebuild`` or by ``case_refresh``, as an event would)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from onewindow.cases.models import Case, CaseStatus
from onewindow.catalog.models import Item, ItemVersion, Region, RegionLevel, VersionStatus
from onewindow.review.models import Decision, DecisionKind, Suspension
from onewindow.testing import Personas

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date.fromisoformat


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@dataclass
class World:
    p: Personas
    city: Region
    district: Region
    item: Item  # department A: statutory 56, committed 5 working days
    other_item: Item  # department B
    cases: dict[str, Case]


def make_item(code: str, department: Any, statutory: int, committed: int, name: str) -> Item:
    item = Item.objects.create(code=code, department=department)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name=name,
        legal_basis="《行政许可法》",
        statutory_days=statutory,
        committed_days=committed,
        result_type="certificate",
        result_name="许可证",
        delivery_methods=["window"],
    )
    version.status = VersionStatus.PUBLISHED
    version.save()
    item.published_version = version
    item.save()
    return item


def make_case(
    w: World | None,
    *,
    p: Personas,
    item: Item,
    region: Region,
    received: str,
    accepted: str | None = None,
    due: str | None = None,
    decided: str | None = None,
    suspended_days: int = 0,
    status: str | None = None,
) -> Case:
    version = item.published_version
    assert version is not None
    if status is None:
        status = CaseStatus.GRANTED if decided else CaseStatus.IN_REVIEW
    case = Case.objects.create(
        item_version=version,
        department=item.department,
        region=region,
        applicant=p.applicant,
        created_by=p.applicant,
        status=status,
        received_on=D(received),
        accepted_on=D(accepted) if accepted else None,
        decision_due=D(due) if due else None,
    )
    if suspended_days:
        Suspension.objects.create(
            case=case,
            kind="testing",
            reason="检验",
            expected_days=suspended_days,
            started_on=D(accepted or received),
            ended_on=D(accepted or received),
            days_spent=suspended_days,
            started_by=p.approver_a,
        )
    if decided:
        Decision.objects.create(
            case=case,
            kind=DecisionKind.GRANT,
            decided_by=p.approver_a,
            decided_on=D(decided),
            at=at(decided),
        )
    return case


def make_world(p: Personas) -> World:
    """Department A's item cut from 56 to 5 working days, five cases received Friday
    2025-02-28 and accepted Monday 2025-03-03, committed date 2025-03-10 (5 working days):

    | case | decided    | working days                      | on time | early |
    |------|------------|-----------------------------------|---------|-------|
    | a    | 2025-03-05 | 2 (4th, 5th)                      | yes     | yes   |
    | b    | 2025-03-10 | 5 (4th–7th, 10th)                 | yes     | no    |
    | c    | 2025-03-12 | 7 (… 11th, 12th)                  | no      | no    |
    | d    | 2025-03-14 | 9 − 5 days of special procedure = 4; its due date moved to 03-17 | yes | yes |
    | e    | —          | still in review                   |         |       |

    plus one case of department B's item (statutory 20, committed 10), received in March in the
    district, decided in April."""
    city = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    district = Region.objects.create(
        code="420702", name="梁子湖区", level=RegionLevel.DISTRICT, parent=city
    )
    item = make_item("STAT-A-1", p.dept_a, 56, 5, "建设工程规划许可（压缩）")
    other = make_item("STAT-B-1", p.dept_b, 20, 10, "施工许可")
    w = World(p, city, district, item, other, {})
    common: dict[str, Any] = {"p": p, "item": item, "region": city, "received": "2025-02-28"}
    common_acc: dict[str, Any] = {**common, "accepted": "2025-03-03", "due": "2025-03-10"}
    w.cases["a"] = make_case(w, **common_acc, decided="2025-03-05")
    w.cases["b"] = make_case(w, **common_acc, decided="2025-03-10")
    w.cases["c"] = make_case(w, **common_acc, decided="2025-03-12")
    w.cases["d"] = make_case(
        w, **{**common_acc, "due": "2025-03-17"}, decided="2025-03-14", suspended_days=5
    )
    w.cases["e"] = make_case(w, **common_acc)
    w.cases["f"] = make_case(
        w,
        p=p,
        item=other,
        region=district,
        received="2025-03-20",
        accepted="2025-03-21",
        due="2025-04-07",
        decided="2025-04-02",
    )
    return w
