"""docs/rules/agencies.md §I12: the supervision card rule on an agency's expiring qualification."""

from __future__ import annotations

import pytest

from onewindow.agencies.models import AgencyStatus, Qualification
from onewindow.agencies.tests.world import D
from onewindow.supervision.models import Card, CardLevel
from onewindow.supervision.services.sweep import supervision_sweep

pytestmark = pytest.mark.django_db


def cards() -> list[tuple[str, int, int]]:
    return sorted(
        Card.objects.filter(object_kind="qualification").values_list(
            "level", "object_id", "department_id"
        )
    )


def test_expiring_qualification_gets_yellow_then_red_unless_renewed(aworld, frozen):
    agency = aworld.agency("到期测绘公司", valid_to="2025-11-28")
    agency.departments.add(aworld.p.dept_b, aworld.p.dept_a)
    first_department = min(aworld.p.dept_a.pk, aworld.p.dept_b.pk)
    renewed = aworld.agency("已续期测绘公司", valid_to="2025-11-28")
    renewed.departments.add(aworld.p.dept_a)
    Qualification.objects.create(
        agency=renewed,
        name="测绘资质",
        level="乙级",
        certificate_number="续期",
        valid_from=D("2025-11-29"),
        valid_to=D("2030-11-28"),
    )
    suspended = aworld.agency("暂停测绘公司", valid_to="2025-11-28", status=AgencyStatus.SUSPENDED)
    suspended.departments.add(aworld.p.dept_a)
    qualification = agency.qualifications.get()
    with frozen("2025-10-20"):
        supervision_sweep(today=D("2025-10-20"))
    assert cards() == []
    # 20 working days before 2025-11-28 (Fri) is 2025-10-31 (Fri)
    with frozen("2025-10-31"):
        supervision_sweep(today=D("2025-10-31"))
    assert cards() == [(CardLevel.YELLOW, qualification.pk, first_department)]
    with frozen("2025-12-01"):
        supervision_sweep(today=D("2025-12-01"))
        supervision_sweep(today=D("2025-12-01"))
    assert cards() == [
        (CardLevel.RED, qualification.pk, first_department),
        (CardLevel.YELLOW, qualification.pk, first_department),
    ]
