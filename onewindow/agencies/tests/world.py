"""The agencies' test world: an item of department A requiring a survey (测绘) by an agency with
a 测绘资质, a draft case of the persona applicant with the report's checklist line, and agencies
with their accounts.

Dates: 2025-11-03 is a Monday; November 2025 has no holiday.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from onewindow.accounts import services as account_services
from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.agencies.models import (
    Agency,
    AgencyAccount,
    AgencyStatus,
    FeeStandard,
    Qualification,
    ServiceRequirement,
    ServiceType,
)
from onewindow.cases.models import Case, CaseMaterial, CaseStatus
from onewindow.catalog.models import Item, ItemVersion, Material, Region, RegionLevel, VersionStatus
from onewindow.lib.idnumbers import make_credit_code
from onewindow.testing import Personas

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date.fromisoformat
TODAY = "2025-11-03"
REPORT = "不动产测绘成果报告"
QUALIFICATION = "测绘资质"
_numbers = itertools.count(1)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def credit(n: int) -> str:
    return make_credit_code(f"91420700MA4K{n:05d}")


@dataclass
class World:
    p: Personas
    survey: ServiceType
    requirement: ServiceRequirement
    version: ItemVersion
    region: Region
    agencies: list[Agency] = field(default_factory=list)

    def agency(
        self,
        name: str,
        *,
        status: str = AgencyStatus.ACTIVE,
        valid_to: str = "2027-12-31",
        qualification: str = QUALIFICATION,
        offers: bool = True,
        promised_days: int = 5,
    ) -> Agency:
        agency = Agency.objects.create(
            name=name,
            credit_code=credit(next(_numbers)),
            status=status,
            promised_days=promised_days,
        )
        if offers:
            agency.service_types.add(self.survey)
        Qualification.objects.create(
            agency=agency,
            name=qualification,
            level="乙级",
            certificate_number=f"乙测资字{agency.pk:08d}",
            valid_from=D("2020-01-01"),
            valid_to=D(valid_to),
        )
        FeeStandard.objects.create(
            agency=agency,
            service_type=self.survey,
            amount_min=1000,
            amount_max=3000,
            unit="宗",
        )
        self.agencies.append(agency)
        return agency

    def account(self, agency: Agency, username: str | None = None) -> User:
        user = account_services.user_create(
            username=username or f"agency{agency.pk}",
            password=Personas.password,
            role=Role.AGENCY,
            full_name=f"{agency.name}经办人",
        )
        AgencyAccount.objects.create(user=user, agency=agency)
        return user

    def case(self, applicant: User | None = None, status: str = CaseStatus.DRAFT) -> Case:
        applicant = applicant or self.p.applicant
        case = Case.objects.create(
            number=f"AG-2025-{next(_numbers):05d}",
            query_code="123456",
            item_version=self.version,
            department=self.p.dept_a,
            region=self.region,
            applicant=applicant,
            created_by=applicant,
            status=status,
        )
        for material in self.version.materials.all():
            CaseMaterial.objects.create(case=case, material=material)
        return case


def make_world(p: Personas) -> World:
    region = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    item = Item.objects.create(code="AG-T-001", department=p.dept_a)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name="建设工程规划核实（测试）",
        legal_basis="《城乡规划法》第四十五条",
        statutory_days=20,
        committed_days=10,
        result_name="规划核实合格证",
        delivery_methods=["window"],
    )
    Material.objects.create(version=version, sort=1, name="规划核实申请表")
    Material.objects.create(version=version, sort=2, name=REPORT)
    version.status = VersionStatus.PUBLISHED
    version.save()
    item.published_version = version
    item.save()
    survey = ServiceType.objects.create(code="survey", name="测绘")
    requirement = ServiceRequirement.objects.create(
        item=item,
        service_type=survey,
        qualification_name=QUALIFICATION,
        material_name=REPORT,
        legal_basis="《测绘法》第二十七条",
    )
    return World(p, survey, requirement, version, region)
