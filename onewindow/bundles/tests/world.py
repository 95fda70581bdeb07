"""A four-department world for the bundle tests: four published items, a comprehensive window
serving all four departments, a chief per department who reviews and decides, and the
restaurant theme (开饭店) with the signboard item conditional on "是否设置户外招牌？"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.accounts import services as account_services
from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.bundles import services
from onewindow.bundles.models import Bundle, Theme
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.tests.conftest import PDF_BYTES
from onewindow.catalog.models import (
    Department,
    Item,
    ItemVersion,
    Material,
    Region,
    RegionLevel,
    VersionStatus,
    Window,
)
from onewindow.review.models import Task
from onewindow.review.services import task_opinion_give, task_step_complete
from onewindow.review.services.decisions import decision_make
from onewindow.review.tests.decision_world import at
from onewindow.testing import PASSWORD, Personas

DEPARTMENTS = (
    ("B-SCJG", "测试市场监督管理局", "营业执照（测试）", "BND-001"),
    ("B-SPJY", "测试食品药品监督管理局", "食品经营许可（测试）", "BND-002"),
    ("B-XF", "测试消防救援支队", "公众聚集场所投入使用前消防安全检查（测试）", "BND-003"),
    ("B-CG", "测试城市管理局", "户外招牌设置审批（测试）", "BND-004"),
)
SHARED_MATERIAL = "法定代表人身份证明"


def pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@dataclass
class BundleWorld:
    p: Personas
    region: Region
    departments: list[Department]
    items: list[Item]
    chiefs: list[User]
    window: Window
    window_clerk: User
    theme: Theme


def make_item(department: Department, name: str, code: str, *, field_type: str = "") -> Item:
    item = Item.objects.create(code=code, department=department)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name=name,
        legal_basis="《行政许可法》",
        statutory_days=20,
        committed_days=10,
        result_name=name.replace("（测试）", "") + "决定书",
        result_type="document",
        delivery_methods=["window"],
    )
    Material.objects.create(version=version, sort=1, name="申请书", is_core=True)
    Material.objects.create(version=version, sort=2, name=SHARED_MATERIAL, is_core=True)
    Material.objects.create(version=version, sort=3, name=f"{name}专项材料", is_core=True)
    if field_type:
        from onewindow.cases.models import ApplicationField

        ApplicationField.objects.create(
            version=version, sort=1, name="project_name", label="项目名称", type=field_type
        )
    version.status = VersionStatus.PUBLISHED
    version.save()
    item.published_version = version
    item.save()
    return item


def restaurant_spec(catalog: list[Item], **extra: Any) -> services.ThemeSpec:
    values: dict[str, Any] = {
        "code": "kai-fan-dian",
        "name": "我要开饭店",
        "audience": "legal",
        "life_event": "start",
        "summary": "营业执照、食品经营许可、消防检查和户外招牌一次办。",
        "partial_delivery": False,
        "published": True,
        "questions": [services.QuestionSpec("signboard", "是否设置户外招牌？")],
        "items": [
            services.ItemSpec(catalog[0].code),
            services.ItemSpec(catalog[1].code),
            services.ItemSpec(catalog[2].code),
            services.ItemSpec(catalog[3].code, question="signboard", when_yes=True),
        ],
    }
    values.update(extra)
    return services.ThemeSpec(**values)


def make_world(p: Personas) -> BundleWorld:
    region = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    departments, items, chiefs = [], [], []
    for n, (code, name, item_name, item_code) in enumerate(DEPARTMENTS):
        department = Department.objects.create(code=code, name=name)
        departments.append(department)
        items.append(make_item(department, item_name, item_code))
        chiefs.append(
            User.objects.create_user(
                username=f"chief_{n}",
                password=PASSWORD,
                role=Role.CHIEF,
                full_name=f"首席代表{n}",
                department=department,
            )
        )
    window = Window.objects.create(number="Z01", name="一件事综合受理窗口")
    window.departments.add(*departments)
    window_clerk = account_services.user_create(
        username="zonghe",
        password=PASSWORD,
        role=Role.CLERK,
        full_name="综合窗口（赵婷）",
        department=departments[0],
        windows=[window],
    )
    theme = services.theme_save(spec=restaurant_spec(items), actor=p.admin)
    return BundleWorld(p, region, departments, items, chiefs, window, window_clerk, theme)


FORM = {
    "project_name": "鄂州市示范餐饮店",
    "premises_address": {
        "province": "湖北省",
        "city": "鄂州市",
        "district": "鄂城区",
        "detail": "古楼街道滨湖南路 8 号",
    },
    "contact_name": "孙强",
    "contact_phone": "13907110002",
    "application_date": "2025-09-29",
    "application_type": "新办",
}


def all_uploads(w: BundleWorld) -> dict[int, list[Any]]:
    from onewindow.bundles import selectors

    return {
        m.index: [pdf(f"m{m.index}.pdf")] for m in selectors.merged_materials(w.theme.items.all())
    }


def submit(w: BundleWorld, *, signboard: str = "yes", day: str = "2025-09-29") -> Bundle:
    with time_machine.travel(at(day, 9), tick=False):
        return services.bundle_submit(
            theme=w.theme,
            actor=w.p.enterprise,
            answers={"signboard": signboard},
            form_data=FORM,
            uploads=all_uploads(w),
        )


def cases_of(bundle: Bundle) -> list[Case]:
    return [part.case for part in bundle.parts.select_related("case").order_by("sort")]


def decide(w: BundleWorld, case: Case, kind: str = "grant", day: str = "2025-10-10") -> None:
    """The sub-case's department reviews it (every step by its chief) and decides."""
    chief = w.chiefs[w.departments.index(case.department)]
    with time_machine.travel(at(day, 10), tick=False):
        task = Task.objects.get(case=case)
        for _index in range(task.step, len(task.steps) - 1):
            task.refresh_from_db()
            task_step_complete(task=task, actor=chief, revision=task.revision)
        task.refresh_from_db()
        task_opinion_give(
            task=task,
            actor=chief,
            kind="agree" if kind == "grant" else "disagree",
            text="符合条件" if kind == "grant" else "经营场所不符合食品安全要求",
            revision=task.revision,
        )
        case.refresh_from_db()
        decision_make(
            case=case,
            actor=chief,
            kind=kind,
            reasons="" if kind == "grant" else "经营场所不符合《食品安全法》第三十三条规定的条件",
            remedies=""
            if kind == "grant"
            else "申请人如对本决定不服，可以自收到本决定书之日起六十日内申请行政复议，"
            "或者在六个月内依法向人民法院提起行政诉讼。",
        )
    case.refresh_from_db()
    assert case.status == (CaseStatus.GRANTED if kind == "grant" else CaseStatus.REFUSED)


def today(day: str) -> dt.date:
    return dt.date.fromisoformat(day)
