"""Certificate fixtures: items whose result is a certificate, granted cases, issued certificates.

Cases are built through the real services (draft → submit → accept). The grant itself belongs
to the review app's decision service, which is being written in parallel: ``grant_for_test``
below stands in for it (a Decision row plus the GRANTED transition) and is marked as such.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.transitions import transition
from onewindow.cases.uploads import case_file_add
from onewindow.catalog.deadlines import certificate_due
from onewindow.catalog.models import (
    Department,
    Item,
    ItemVersion,
    Material,
    Region,
    RegionLevel,
    VersionStatus,
)
from onewindow.certificates import services
from onewindow.certificates.models import Certificate
from onewindow.review.models import Decision, DecisionKind
from onewindow.testing import Personas

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALL_METHODS = ["window", "post", "electronic"]


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def certificate_version(
    department: Department,
    *,
    code: str = "CERT-T-001",
    methods: list[str] | None = None,
    result_type: str = "certificate",
    result_name: str = "食品经营许可证",
) -> ItemVersion:
    """A published item version with one material and the given delivery methods."""
    item = Item.objects.create(code=code, department=department)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name="食品经营许可（测试）",
        legal_basis="《食品安全法》第三十五条",
        statutory_days=20,
        committed_days=10,
        result_type=result_type,
        result_name=result_name,
        delivery_methods=ALL_METHODS if methods is None else methods,
    )
    Material.objects.create(version=version, sort=1, name="食品经营许可申请书", is_core=True)
    version.status = VersionStatus.PUBLISHED
    version.save()
    item.published_version = version
    item.save()
    return version


def accepted_case(
    version: ItemVersion,
    *,
    applicant: User,
    clerk: User,
    region: Region,
    submitted: str = "2025-09-26",
    accepted: str = "2025-09-29",
) -> Case:
    """A case submitted and accepted through the cases services."""
    case = case_services.case_create_draft(
        item_version=version, applicant=applicant, created_by=applicant, region=region
    )
    for line in case.materials.all():
        case_file_add(case_material=line, upload=pdf(), actor=applicant)
    case_services.case_submit(case=case, actor=applicant, now=at(submitted))
    case_services.case_accept(case=case, actor=clerk, now=at(accepted))
    return case


def grant_for_test(
    case: Case, *, approver: User, day: str = "2025-09-30", conditions: str = ""
) -> Decision:
    """TEST HELPER standing in for the review app's decision service: a grant Decision row with
    its Art. 44 certificate due date, and the case moved to GRANTED through ``transition``."""
    decided_on = dt.date.fromisoformat(day)
    decision = Decision.objects.create(
        case=case,
        kind=DecisionKind.GRANT,
        conditions=conditions,
        decided_by=approver,
        decided_on=decided_on,
        certificate_due=certificate_due(decided_on).date,
        at=at(day),
    )
    transition(
        case,
        allowed_from=[CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW],
        to=CaseStatus.GRANTED,
        actor=approver,
        action="granted",
        now=at(day),
    )
    return decision


def issue(case: Case, decision: Decision, *, day: str = "2025-09-30") -> Certificate:
    return services.certificate_issue(
        case=case, decision=decision, actor=decision.decided_by, now=at(day, 11)
    )


def staff(username: str, role: str, department: Department) -> User:
    return User.objects.create_user(
        username=username,
        password="Test-pass-123",
        role=role,
        full_name=username,
        department=department,
    )


@pytest.fixture
def region(db: Any) -> Region:
    return Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)


@pytest.fixture
def version(personas: Personas) -> ItemVersion:
    return certificate_version(personas.dept_a)


@pytest.fixture
def granted(personas: Personas, version: ItemVersion, region: Region) -> Case:
    """A case of 张伟 granted on 2025-09-30 by approver_a, certificate not yet issued."""
    case = accepted_case(version, applicant=personas.applicant, clerk=personas.clerk, region=region)
    grant_for_test(case, approver=personas.approver_a, conditions="经营项目：预包装食品销售")
    return case


@pytest.fixture
def certificate(granted: Case) -> Certificate:
    """The certificate of ``granted``, issued on 2025-09-30."""
    return issue(granted, granted.decision)


@pytest.fixture
def clerk_b(personas: Personas) -> User:
    """A window clerk of the other department."""
    return staff("clerk_b", Role.CLERK, personas.dept_b)


@pytest.fixture
def approver_b(personas: Personas) -> User:
    return staff("approver_b", Role.APPROVER, personas.dept_b)
