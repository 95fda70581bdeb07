"""A city with one district (鄂城区) that implements a market-regulation item through its own
bureau, a community point under it, a second district, and the staff of each level."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.tests.test_intake_rules import at
from onewindow.cases.uploads import case_file_add
from onewindow.catalog.models import (
    Department,
    Fee,
    ImplementationMode,
    Item,
    ItemImplementation,
    ItemVersion,
    Material,
    Region,
    RegionLevel,
    ToleranceSetting,
    VersionStatus,
)

PASSWORD = "Test-pass-123"


@dataclass
class City:
    city: Region
    district: Region
    street: Region
    point: Region
    other_district: Region
    department: Department  # the city bureau
    district_department: Department  # its counterpart in 鄂城区
    version: ItemVersion  # delegated to 鄂城区, on the point's list
    other_version: ItemVersion  # implemented by the city only, not on the point's list
    applicant: User
    city_clerk: User
    city_reviewer: User
    district_clerk: User
    district_reviewer: User
    point_clerk: User
    region_admin: User
    other_region_admin: User
    supervisor: User
    admin: User


def user(username: str, role: str, **extra: Any) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, full_name=username, **extra
    )


def make_item(department: Department, code: str, name: str) -> ItemVersion:
    """A published item: committed 15 / statutory 20 working days, a core and a non-core material
    and a 10.00 元 fee (the worked example of docs/rules/delegation.md §V5)."""
    item = Item.objects.create(code=code, department=department)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name=name,
        legal_basis="《食品安全法》第三十五条",
        statutory_days=20,
        committed_days=15,
        result_name="许可证",
        delivery_methods=["window"],
    )
    Material.objects.create(version=version, sort=1, name="申请书", is_core=True)
    Material.objects.create(version=version, sort=2, name="场所平面图", is_core=False)
    Fee.objects.create(
        version=version,
        sort=1,
        name="证书工本费",
        amount=Decimal("10.00"),
        legal_basis="《行政事业性收费标准》",
    )
    version.status = VersionStatus.PUBLISHED
    version.save()
    item.published_version = version
    item.save()
    return version


@pytest.fixture
def town(db: Any) -> City:
    for category, limit in (("encouraged", 2), ("cautious", 1), ("restricted", 0)):
        ToleranceSetting.objects.update_or_create(
            category=category, defaults={"max_missing": limit}
        )
    city = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    district = Region.objects.create(
        code="420704", name="鄂城区", level=RegionLevel.DISTRICT, parent=city
    )
    street = Region.objects.create(
        code="420704001", name="凤凰街道", level=RegionLevel.STREET, parent=district
    )
    point = Region.objects.create(
        code="420704001001",
        name="滨湖社区",
        level=RegionLevel.COMMUNITY,
        parent=street,
        has_service_point=True,
    )
    other = Region.objects.create(
        code="420703", name="华容区", level=RegionLevel.DISTRICT, parent=city
    )
    department = Department.objects.create(code="T-SCJG", name="鄂州市市场监督管理局")
    local = Department.objects.create(
        code="T-SCJG-420704",
        name="鄂城区市场监督管理局",
        region=district,
        counterpart=department,
    )
    version = make_item(department, "T-SP-001", "食品经营许可")
    other_version = make_item(department, "T-SP-002", "特种设备使用登记")
    for v in (version, other_version):
        ItemImplementation.objects.create(item=v.item, region=city)
    ItemImplementation.objects.create(item=version.item, region=district, delegated=True)
    ItemImplementation.objects.create(
        item=version.item, region=point, mode=ImplementationMode.ACCEPTS, delegated=True
    )
    return City(
        city=city,
        district=district,
        street=street,
        point=point,
        other_district=other,
        department=department,
        district_department=local,
        version=version,
        other_version=other_version,
        applicant=user("zhangsan", Role.APPLICANT),
        city_clerk=user("city_clerk", Role.CLERK, department=department),
        city_reviewer=user("city_reviewer", Role.REVIEWER, department=department),
        district_clerk=user("ec_clerk", Role.CLERK, department=local),
        district_reviewer=user("ec_reviewer", Role.REVIEWER, department=local),
        point_clerk=user("binhu_point", Role.POINT_CLERK, region=point),
        region_admin=user("ec_admin", Role.REGION_ADMIN, region=district),
        other_region_admin=user("hr_admin", Role.REGION_ADMIN, region=other),
        supervisor=user("supervisor", Role.SUPERVISOR),
        admin=user("admin", Role.ADMIN),
    )


def filed(town: City, region: Region, *, version: ItemVersion | None = None) -> Case:
    """An application filed online for ``region`` and submitted on 2026-03-02."""
    case = services.case_create_draft(
        item_version=version or town.version,
        applicant=town.applicant,
        created_by=town.applicant,
        region=region,
    )
    for line in case.materials.select_related("material"):
        case_file_add(case_material=line, upload=pdf(), actor=town.applicant)
    with time_machine.travel(at("2026-03-02"), tick=False):
        services.case_submit(case=case, actor=town.applicant)
    case.refresh_from_db()
    return case
