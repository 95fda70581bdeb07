"""Demo intermediary agencies (docs/product.md §C14, docs/rules/agencies.md §I1–§I12): twelve
agencies of the kinds a construction project needs (测绘, 资产评估, 环境影响评价, 施工图审查,
安全评价, 地质灾害危险性评估, 水土保持, 节能评估) across the departments they serve, each with
its qualifications, fee standards and staff; one suspended after a recorded violation, one whose
qualification has expired (and one expiring soon, which the supervision sweep cards). The items
that by law need an intermediary service name it with the qualification. The demo agency login
``agency`` works for 鄂州市华测测绘有限公司.

Deterministic: validity dates are counted from ``today``.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.db.models import F

from onewindow.accounts.models import User
from onewindow.agencies.models import (
    Agency,
    AgencyAccount,
    AgencyStaff,
    AgencyStatus,
    Assessment,
    FeeStandard,
    Qualification,
    Selection,
    ServiceRequirement,
    ServiceType,
    Violation,
)
from onewindow.catalog.models import Department, ItemVersion
from onewindow.core import clock
from onewindow.lib.idnumbers import make_credit_code

log = logging.getLogger("onewindow.demo")

DEMO_AGENCY_USER = "agency"

TYPES = (
    ("survey", "测绘", "测绘资质"),
    ("appraisal", "资产评估", "资产评估资格"),
    ("eia", "环境影响评价", "环境影响评价资质"),
    ("drawing", "施工图审查", "施工图审查机构认定"),
    ("safety", "安全评价", "安全评价机构资质"),
    ("geohazard", "地质灾害危险性评估", "地质灾害危险性评估资质"),
    ("soil", "水土保持方案编制", "水土保持方案编制能力评价"),
    ("energy", "节能评估", "节能评估机构备案"),
)
QUALIFICATION = {code: q for code, _n, q in TYPES}

# name, service types, departments, promised working days, fee (min, max, unit), state
AGENCIES: tuple[
    tuple[str, tuple[str, ...], tuple[str, ...], int, tuple[int, int, str], str], ...
] = (
    ("鄂州市华测测绘有限公司", ("survey",), ("ZRZY", "ZJJ"), 7, (1500, 6000, "宗"), ""),
    (
        "湖北鄂东勘测规划设计院有限公司",
        ("survey", "geohazard"),
        ("ZRZY",),
        10,
        (2000, 8000, "宗"),
        "",
    ),
    ("鄂州市信达资产评估事务所", ("appraisal",), ("CZJ", "ZRZY"), 8, (3000, 20000, "项"), ""),
    (
        "湖北众联资产评估有限公司鄂州分公司",
        ("appraisal",),
        ("CZJ",),
        10,
        (5000, 30000, "项"),
        "expiring",
    ),
    ("湖北绿源环境科技有限公司", ("eia",), ("STHJ",), 20, (20000, 80000, "项"), ""),
    (
        "鄂州市环科环境工程咨询有限公司",
        ("eia", "soil"),
        ("STHJ", "SLJ"),
        25,
        (15000, 60000, "项"),
        "expired",
    ),
    ("湖北建科施工图审查有限公司", ("drawing",), ("ZJJ",), 10, (8000, 40000, "项"), ""),
    ("鄂州市正衡建筑设计审查中心", ("drawing",), ("ZJJ", "RFB"), 12, (6000, 35000, "项"), ""),
    ("湖北安泰安全技术评价有限公司", ("safety",), ("YJJ",), 15, (10000, 50000, "项"), ""),
    ("鄂州市安信安全评价咨询有限公司", ("safety",), ("YJJ",), 15, (9000, 45000, "项"), "suspended"),
    ("湖北楚天水保工程咨询有限公司", ("soil",), ("SLJ",), 15, (8000, 30000, "项"), ""),
    ("鄂州市节能技术服务中心", ("energy",), ("FGW", "JXJ"), 10, (5000, 25000, "项"), ""),
)
STAFF = (("张建国", "高级工程师"), ("李晓红", "注册工程师"), ("王志强", "工程师"))

# item name fragment → (service type, the material the report becomes, department selects)
REQUIREMENTS = (
    ("环境影响评价文件审批", "eia", "报告", False, "《环境影响评价法》第十九条"),
    ("建设工程规划", "survey", "测绘", False, "《测绘法》第二十七条"),
    ("施工图", "drawing", "审查", False, "《建设工程质量管理条例》第十一条"),
    ("危险化学品", "safety", "评价", False, "《安全生产法》第三十二条"),
    ("水土保持", "soil", "方案", False, "《水土保持法》第二十五条"),
    ("节能审查", "energy", "节能", False, "《节约能源法》第十五条"),
)


def load(today: dt.date | None = None) -> list[Agency]:
    today = today or clock.today()
    types = {
        code: ServiceType.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name, _q in TYPES
    }
    departments = {d.code: d for d in Department.objects.all()}
    made = []
    for n, (name, codes, depts, days, fee, state) in enumerate(AGENCIES, start=1):
        agency = Agency.objects.create(
            name=name,
            credit_code=make_credit_code(f"91420700MA4D{n:04d}X"),
            promised_days=days,
            address=f"鄂州市鄂城区滨湖北路{100 + n * 7}号",
            contact=STAFF[n % 3][0],
            phone=f"027-6088{n:04d}",
            intro=f"{name}依法取得相应资质，在鄂州市中介服务超市登记，承接{'、'.join(types[c].name for c in codes)}业务。",
        )
        agency.service_types.set([types[c] for c in codes])
        agency.departments.set([departments[d] for d in depts if d in departments])
        for code in codes:
            valid_to = today + dt.timedelta(days=900 + n * 30)
            if state == "expired":
                valid_to = today - dt.timedelta(days=20)
            elif state == "expiring":
                valid_to = today + dt.timedelta(days=21)
            Qualification.objects.create(
                agency=agency,
                name=QUALIFICATION[code],
                level="甲级" if n % 3 == 0 else "乙级",
                certificate_number=f"鄂{code.upper()}字第{4200 + n:05d}号",
                valid_from=valid_to - dt.timedelta(days=5 * 365),
                valid_to=valid_to,
            )
            FeeStandard.objects.create(
                agency=agency,
                service_type=types[code],
                amount_min=Decimal(fee[0]),
                amount_max=Decimal(fee[1]),
                unit=fee[2],
            )
        for staff_name, title in STAFF[: 1 + n % 3]:
            AgencyStaff.objects.create(
                agency=agency,
                name=staff_name,
                title=title,
                certificate=f"执业证{n:03d}-{title[:2]}",
            )
        if state == "suspended":
            admin = User.objects.filter(role="admin").order_by("pk").first()
            if admin is not None:
                Violation.objects.create(
                    agency=agency,
                    occurred_on=today - dt.timedelta(days=10),
                    description="出具的安全评价报告与现场情况严重不符，经核查属实。",
                    suspended=True,
                    recorded_by=admin,
                    recorded_at=clock.now() - dt.timedelta(days=9),
                )
            agency.status = AgencyStatus.SUSPENDED
            agency.status_reason = "出具失实评价报告，暂停服务六个月。"
            agency.save(update_fields=["status", "status_reason"])
        made.append(agency)
    _requirements(types)
    user = User.objects.filter(username=DEMO_AGENCY_USER).first()
    if user is not None:
        AgencyAccount.objects.get_or_create(user=user, defaults={"agency": made[0]})
    return made


def _requirements(types: dict[str, ServiceType]) -> None:
    for fragment, code, material_word, dept_selects, basis in REQUIREMENTS:
        versions = ItemVersion.objects.filter(
            item__published_version=F("pk"), name__contains=fragment
        ).order_by("pk")[:3]
        for version in versions:
            materials = list(version.materials.values_list("name", flat=True))
            material = next((m for m in materials if material_word in m), "")
            ServiceRequirement.objects.get_or_create(
                item_id=version.item_id,
                service_type=types[code],
                defaults={
                    "qualification_name": QUALIFICATION[code],
                    "material_name": material,
                    "legal_basis": basis,
                    "department_selects": dept_selects,
                },
            )


def reset() -> None:
    """Delete the demo's selections, requirements and agencies (qualifications, fees, staff,
    accounts, ratings, assessments and violations go with them)."""
    Selection.objects.all().delete()
    ServiceRequirement.objects.all().delete()
    Assessment.objects.all().delete()
    Violation.objects.all().delete()
    Agency.objects.all().delete()
    ServiceType.objects.all().delete()
