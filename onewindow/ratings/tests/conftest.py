"""Rating fixtures: a published item of department A, and cases finished through ``transition``
(the completion hand-off of ratings runs exactly as in production: a service row and the
one-time link queued to the applicant).

Dates: November 2025 has no holiday; 2025-11-03 is a Monday. 15 working days after it is
2025-11-24 (Mon); the working day before, 2025-11-21 (Fri), the one after, 2025-11-25 (Tue).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.transitions import transition
from onewindow.catalog.models import Item, ItemVersion, Region, RegionLevel, VersionStatus
from onewindow.testing import Personas

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date.fromisoformat
_numbers = itertools.count(1)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@dataclass
class World:
    p: Personas
    region: Region
    version: ItemVersion

    def case(
        self,
        *,
        applicant: User | None = None,
        status: str = CaseStatus.GRANTED,
        finish: str | None = "2025-11-03",
    ) -> Case:
        """A case of department A taken in at the persona window; finished on ``finish``
        (GRANTED → COMPLETED through ``transition``) unless ``finish`` is None."""
        applicant = applicant or self.p.applicant
        case = Case.objects.create(
            number=f"RT-2025-{next(_numbers):05d}",
            query_code="123456",
            item_version=self.version,
            department=self.p.dept_a,
            region=self.region,
            applicant=applicant,
            created_by=applicant,
            status=status,
            intake_window=self.p.window,
        )
        if finish is not None:
            with time_machine.travel(at(finish), tick=False):
                transition(
                    case,
                    allowed_from=[CaseStatus.GRANTED],
                    to=CaseStatus.COMPLETED,
                    actor=self.p.clerk,
                    action="delivered",
                    reason="窗口领取",
                    data={"method": "window"},
                    closed_at=at(finish),
                )
        return case


def published_version(personas: Personas) -> ItemVersion:
    item = Item.objects.create(code="RATE-T-001", department=personas.dept_a)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name="食品经营许可（评价测试）",
        legal_basis="《食品安全法》第三十五条",
        statutory_days=20,
        committed_days=10,
        result_name="许可证",
        delivery_methods=["window"],
        status=VersionStatus.PUBLISHED,
    )
    item.published_version = version
    item.save()
    return version


@pytest.fixture
def world(personas: Personas) -> World:
    region = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    return World(personas, region, published_version(personas))


@pytest.fixture
def frozen() -> Any:
    """Travel helper: ``with frozen("2025-11-04"): ...``."""

    def travel(day: str, hour: int = 10) -> Any:
        return time_machine.travel(at(day, hour), tick=False)

    return travel
