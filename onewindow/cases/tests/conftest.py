"""Case fixtures: a published item with core and non-core materials, and the people around it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.catalog.models import (
    Department,
    Item,
    ItemVersion,
    Material,
    Region,
    RegionLevel,
    ToleranceCategory,
    ToleranceSetting,
    VersionStatus,
)

# A one-page PDF pypdf opens (its cross-reference table rebuilt): uploads are parsed.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n"
)


@dataclass
class World:
    department: Department
    other_department: Department
    region: Region
    version: ItemVersion
    core: Material
    non_core: list[Material]
    applicant: User
    clerk: User
    other_clerk: User
    supervisor: User


def _user(username: str, role: str, **extra: Any) -> User:
    return User.objects.create_user(
        username=username, password="Test-pass-123", role=role, full_name=username, **extra
    )


def make_version(
    department: Department,
    *,
    code: str = "CASE-T-001",
    committed: int = 10,
    statutory: int = 20,
    category: str = ToleranceCategory.ENCOURAGED,
    non_core: int = 2,
    commitment_allowed: bool = False,
) -> tuple[ItemVersion, Material, list[Material]]:
    item = Item.objects.create(code=code, department=department)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name="食品经营许可（测试）",
        legal_basis="《食品安全法》第三十五条",
        statutory_days=statutory,
        committed_days=committed,
        result_name="食品经营许可证",
        tolerance_category=category,
        commitment_allowed=commitment_allowed,
        delivery_methods=["window"],
    )
    core = Material.objects.create(version=version, sort=1, name="食品经营许可申请书", is_core=True)
    others = [
        Material.objects.create(version=version, sort=2 + i, name=f"次要材料{i + 1}", is_core=False)
        for i in range(non_core)
    ]
    version.status = VersionStatus.PUBLISHED
    version.save()
    item.published_version = version
    item.save()
    return version, core, others


@pytest.fixture
def world(db: Any) -> World:
    for category, limit in (("encouraged", 2), ("cautious", 1), ("restricted", 0)):
        ToleranceSetting.objects.update_or_create(
            category=category, defaults={"max_missing": limit}
        )
    department = Department.objects.create(code="T-SCJGJ", name="测试市场监督管理局")
    other = Department.objects.create(code="T-ZJJ", name="测试住房和城乡建设局")
    region = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    version, core, non_core = make_version(department)
    return World(
        department=department,
        other_department=other,
        region=region,
        version=version,
        core=core,
        non_core=non_core,
        applicant=_user("zhangsan", Role.APPLICANT),
        clerk=_user("clerk", Role.CLERK, department=department),
        other_clerk=_user("clerk_b", Role.CLERK, department=other),
        supervisor=_user("supervisor", Role.SUPERVISOR),
    )


def pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")
