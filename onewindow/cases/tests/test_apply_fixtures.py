"""Fixtures and helpers shared by the online-application tests (no tests of its own).

Builds on the ``world`` fixture of conftest: the item is implemented in the city region, an
agent and a second applicant exist, and a second item allows 告知承诺制.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases import services
from onewindow.cases.models import Case, CaseFile, StoredFile
from onewindow.cases.tests.conftest import PDF_BYTES, World
from onewindow.catalog.models import (
    Condition,
    Item,
    ItemImplementation,
    ItemVersion,
    Material,
    VersionStatus,
)

# A 1×1 grey PNG Pillow opens: uploads are parsed.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU"
    b"\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82"
)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64

VALID_FORM = {
    "project_name": "鄂州示范超市",
    "premises_address": {
        "province": "湖北省",
        "city": "鄂州市",
        "district": "鄂城区",
        "detail": "滨湖北路1号",
    },
    "contact_name": "张三",
    "contact_phone": "13907110001",
    "application_date": "2025-04-30",
    "application_type": "新办",
}


@dataclass
class ApplyWorld:
    world: World
    agent: User
    other_applicant: User
    commitment_version: ItemVersion

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


def _user(username: str, role: str, full_name: str) -> User:
    return User.objects.create_user(
        username=username, password="Test-pass-123", role=role, full_name=full_name
    )


def make_commitment_version(world: World) -> ItemVersion:
    """A published item allowing 告知承诺制, with two conditions to commit to."""
    item = Item.objects.create(code="CASE-T-CMT", department=world.department)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name="公共场所卫生许可（测试）",
        legal_basis="《公共场所卫生管理条例》第八条",
        statutory_days=20,
        committed_days=5,
        result_name="公共场所卫生许可证",
        commitment_allowed=True,
        delivery_methods=["window"],
    )
    Condition.objects.create(version=version, sort=1, text="经营场所面积不少于50平方米")
    Condition.objects.create(version=version, sort=2, text="从业人员持有效健康证明")
    Material.objects.create(version=version, sort=1, name="卫生许可申请书", is_core=True)
    version.status = VersionStatus.PUBLISHED
    version.save()
    item.published_version = version
    item.save()
    ItemImplementation.objects.create(item=item, region=world.region)
    return version


@pytest.fixture
def aw(world: World) -> ApplyWorld:
    ItemImplementation.objects.create(item=world.version.item, region=world.region)
    world.applicant.full_name = "张三"
    world.applicant.save()
    return ApplyWorld(
        world=world,
        agent=_user("agent_li", Role.AGENT, "李娜（代办员）"),
        other_applicant=_user("lisi", Role.APPLICANT, "李四"),
        commitment_version=make_commitment_version(world),
    )


def pdf(name: str = "scan.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def files_on_disk() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def draft(
    aw: ApplyWorld, *, actor: User | None = None, version: ItemVersion | None = None, **kw: Any
) -> Case:
    """A draft opened by ``actor`` (the applicant by default) through the service."""
    return services.application_start(
        item_version=version or aw.version,
        actor=actor or aw.applicant,
        region=aw.region,
        **kw,
    )


def complete_draft(aw: ApplyWorld, *, applicant: User | None = None) -> Case:
    """A draft with a valid form and a file on every line, ready to submit."""
    applicant = applicant or aw.applicant
    case = draft(aw, actor=applicant)
    uploads = {
        line.pk: [pdf(f"line{line.pk}.pdf", PDF_BYTES + str(line.pk).encode())]
        for line in case.materials.all()
    }
    changes = services.ApplicationChanges(form_data=dict(VALID_FORM), uploads=uploads)
    services.application_save(case=case, actor=applicant, changes=changes)
    return case


def page_data(form: dict[str, Any] | None = None, /, **extra: Any) -> dict[str, Any]:
    """POST data of the application page for the default schema."""
    form = VALID_FORM if form is None else form
    data: dict[str, Any] = {}
    for name, value in form.items():
        if isinstance(value, dict):
            for part, text in value.items():
                data[f"form-{name}_{part}"] = text
        else:
            data[f"form-{name}"] = value
    return {**data, **extra}


def any_file(case: Case) -> CaseFile:
    """The first file attached to ``case``."""
    return (
        CaseFile.objects.filter(case_material__case=case).select_related("stored").order_by("pk")[0]
    )


def stored_count() -> int:
    return StoredFile.objects.count()


def tomorrow() -> dt.date:
    return dt.date.today() + dt.timedelta(days=1)
