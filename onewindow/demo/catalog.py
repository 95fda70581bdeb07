"""The demo data (``onewindow demo``, whose command line is ``demo/cli.py``), modelled on the seed (鄂州市, 2015) and the researched
public data in ``data/`` (SOURCES.md there says what is real and what is not).

29 departments, the region tree (city → the 7 new districts → streets/towns → communities, some
of them community points), the hall's windows, 92 published items with 637 conditions, their
materials with generated PDF forms and samples, fees, where each item is implemented, and one
demo user per role. Deterministic: a fixed seed, so every load gives the same catalog.

Then a year of generated cases ending today (``onewindow.demo.cases``), unless the
command says ``--no-cases``.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import sys
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from tqdm import tqdm

from onewindow.accounts.models import User
from onewindow.accounts.roles import STAFF_ROLES
from onewindow.catalog.models import (
    Condition,
    Department,
    Fee,
    ImplementationMode,
    Item,
    ItemImplementation,
    Material,
    ProcessBranch,
    Region,
    RegionLevel,
    RiskPoint,
    Window,
)
from onewindow.catalog.services import item_create, item_version_publish
from onewindow.core import clock
from onewindow.demo import agencies as demo_agencies
from onewindow.demo import appointments as demo_appointments
from onewindow.demo import bundles as demo_bundles
from onewindow.demo import conduct as demo_conduct
from onewindow.demo import delegation as demo_delegation
from onewindow.demo import lists as demo_lists
from onewindow.demo import projects as demo_projects
from onewindow.demo import publicity as demo_publicity
from onewindow.demo import queue as demo_queue
from onewindow.demo import ratings as demo_ratings
from onewindow.demo import search as demo_search
from onewindow.demo import stats as demo_stats
from onewindow.demo.cases import DEFAULT_COUNT, demo_cases_load, demo_cases_reset
from onewindow.demo.consult import consult_reset
from onewindow.demo.consult import load as consult_load
from onewindow.demo.data import plan
from onewindow.demo.data.forms import FormText, application_form
from onewindow.demo.data.risks import RISKS
from onewindow.demo.personas import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DEMO_USERNAMES,
    DEMO_USERS,
    HALL,
    HALL_HOURS,
    HALL_PHONE,
    PUBLISHED_AT,
    SEED,
    SUPERVISION_PHONE,
)
from onewindow.lib.idnumbers import make_citizen_id, make_credit_code


class DemoDataPresent(Exception):
    """The database already holds catalog data or demo users; loading would mix the two."""


def demo_data_present() -> dict[str, int]:
    """What the database already holds that the demo would create, by Chinese label."""

    counts = {
        "部门": Department.objects.count(),
        "行政区域": Region.objects.count(),
        "窗口": Window.objects.count(),
        "事项": Item.objects.count(),
        "演示用户": User.objects.filter(username__in=DEMO_USERNAMES).count(),
    }
    return {label: n for label, n in counts.items() if n}


def present_message(present: dict[str, int]) -> str:
    counts = "、".join(f"{label}{n}条" for label, n in present.items())
    return f"数据库中已有数据（{counts}），未加载演示数据。"


def demo_reset() -> None:
    """Delete what the demo owns: every case and what hangs off it (``demo_cases_reset``), the
    generated people, the whole catalog and the demo users (tolerance settings, which a
    migration provides, stay). Raises ProtectedError when other data still refers to it;
    nothing is deleted then."""

    files = [
        name
        for pair in Material.objects.values_list("form_template", "sample")
        for name in pair
        if name
    ]

    with transaction.atomic():
        demo_queue.reset()  # first: tickets hold on to items and windows (bundles' too)
        demo_conduct.reset()  # its records hold on to complaints, bad reviews, windows
        demo_bundles.reset()  # its sub-cases hold on to cases and items
        demo_agencies.reset()  # its selections hold on to cases, its requirements to items
        demo_appointments.reset()  # appointments hold on to items, windows and users
        consult_reset()
        demo_projects.reset()
        demo_cases_reset()
        demo_lists.reset()
        demo_publicity.reset()
        demo_stats.reset()
        demo_delegation.reset()  # district staff and bureaus before the regions and city bureaus
        User.objects.filter(username__in=DEMO_USERNAMES).delete()
        Item.objects.all().delete()
        Window.objects.all().delete()
        for level in (RegionLevel.COMMUNITY, RegionLevel.STREET, RegionLevel.DISTRICT):
            Region.objects.filter(level=level).delete()
        Region.objects.all().delete()
        Department.objects.all().delete()

        def delete_files() -> None:
            for name in set(files):
                default_storage.delete(name)

        transaction.on_commit(delete_files)


# --- loading ----------------------------------------------------------------------------------
def load_demo(
    *, progress: bool = False, cases: int | None = None, today: dt.date | None = None
) -> Any:
    """Load the demo data into a database without catalog data, then ``cases`` generated cases
    over the year ending ``today`` (default: the demo's count, today). All or nothing.

    Returns the cases' summary (``onewindow.demo.cases.Result``), or None without cases."""

    present = demo_data_present()
    if present:
        raise DemoDataPresent(present_message(present))
    count = DEFAULT_COUNT if cases is None else cases
    with transaction.atomic():
        _load_catalog(progress)
        demo_lists.load(today or clock.today())
        demo_search.load(today or clock.today())
        # the intermediary services market (onewindow.demo.agencies): needs items, not cases
        demo_agencies.load(today or clock.today())
        if not count:
            demo_delegation.load(today or clock.today())
            enrol_demo_staff()
            return None
        day = today or clock.today()
        result = demo_cases_load(today=day, count=count, progress=progress)
        demo_projects.load(day)  # key projects and their stages' cases (onewindow.demo.projects)
        demo_publicity.load(day)
        consult_load(day)  # questions, FAQ and complaints (onewindow.demo.consult)
        demo_ratings.load(day)
        demo_bundles.load(day)  # themes (一件事) and bundle applications (onewindow.demo.bundles)
        demo_queue.load(day)  # business categories and a morning of tickets (demo.queue)
        # hours, slots, appointments and extended services (onewindow.demo.appointments)
        demo_appointments.load(day)
        demo_stats.load(day)  # recounts the rollups over everything generated above
        # discipline records and the evaluated months (on the rollups, ratings and complaints)
        demo_conduct.load(day)
        # District bureaus and staff after the history, whose cases stay with the city
        # (docs/rules/delegation.md §V1).
        demo_delegation.load(day)
        enrol_demo_staff()
        return result


def enrol_demo_staff() -> int:
    """Every demo staff account without a second factor gets one with the published demo secret
    (docs/decisions.md §S6). Returns how many were enrolled."""
    key = base64.b32decode(DEMO_TOTP_SECRET).hex()
    users = User.objects.filter(role__in=sorted(STAFF_ROLES)).exclude(
        pk__in=TOTPDevice.objects.values("user_id")
    )
    devices = [
        TOTPDevice(user=user, name="authenticator (demo)", key=key, confirmed=True)
        for user in users.only("pk")
    ]
    TOTPDevice.objects.bulk_create(devices)
    return len(devices)


def _load_catalog(progress: bool) -> None:

    rng = random.Random(SEED)
    items = plan.items(rng)
    with (
        tqdm(
            total=4 + 3 * len(items),
            desc="加载演示数据",
            unit="步",
            disable=not progress,
            file=sys.stderr,
        ) as bar,
        transaction.atomic(),
    ):
        departments = _load_departments(plan)
        bar.update()
        regions = _load_regions(plan)
        bar.update()
        windows = _load_windows(plan, departments)
        bar.update()
        _load_users(departments, windows, regions)
        bar.update()
        drafts = {}
        for entry in _each(items, bar):
            drafts[entry.code] = _create_item(entry, departments[entry.department], windows)
        _load_checklists(_each(items, bar), drafts, departments)
        for entry in _each(items, bar):
            _publish(drafts[entry.code])
        _load_implementations(items, drafts, regions)


def _each(items: list[Any], bar: Any) -> Iterator[Any]:
    for entry in items:
        yield entry
        bar.update()


def _load_departments(plan: Any) -> dict[str, Any]:

    windows_by_department: dict[str, list[Any]] = {}
    for window in plan.WINDOWS:
        for code in window.departments:
            windows_by_department.setdefault(code, []).append(window)
    rows = []
    for sort, dept in enumerate(plan.departments(), start=1):
        own = windows_by_department.get(dept.code, [])
        where = f"{own[0].area} " + "、".join(w.number for w in own) + "号窗口" if own else ""
        rows.append(
            Department(
                code=dept.code,
                name=dept.name,
                short_name=dept.short_name,
                address=dept.address,
                phone=dept.phone,
                hall_location=dept.hall_location or where,
                sort=sort,
            )
        )
    Department.objects.bulk_create(rows)
    return {d.code: d for d in Department.objects.all()}


def _load_regions(plan: Any) -> dict[str, Any]:

    by_code: dict[str, Region] = {}
    # Level by level, so each parent has its primary key before its children are inserted.
    rows = plan.regions()
    for level in ("city", "district", "street", "community"):
        batch = [
            Region(
                code=r.code,
                name=r.name,
                level=r.level,
                parent=by_code.get(r.parent_code) if r.parent_code else None,
                note=r.note,
                has_service_point=r.service_point,
                sort=sort,
            )
            for sort, r in enumerate(rows, start=1)
            if r.level == level
        ]
        Region.objects.bulk_create(batch)
        by_code.update({r.code: r for r in Region.objects.filter(level=level)})
    return by_code


def _load_windows(plan: Any, departments: dict[str, Any]) -> dict[str, Any]:

    Window.objects.bulk_create(
        Window(number=w.number, name=w.name, area=w.area) for w in plan.WINDOWS
    )
    windows = {w.number: w for w in Window.objects.all()}
    links = [
        Window.departments.through(window_id=windows[w.number].pk, department_id=departments[d].pk)
        for w in plan.WINDOWS
        for d in w.departments
    ]
    Window.departments.through.objects.bulk_create(links)
    return windows


def _load_users(
    departments: dict[str, Any], windows: dict[str, Any], regions: dict[str, Any]
) -> None:

    # One hash for everyone: hashing is deliberately slow and the password is the same.
    password = make_password(DEMO_PASSWORD)
    born = {"applicant": dt.date(1985, 3, 15), "agent": dt.date(1990, 8, 21)}
    users = []
    for n, spec in enumerate(DEMO_USERS, start=1):
        user = User(
            username=spec.username,
            password=password,
            role=spec.role,
            full_name=spec.full_name,
            applicant_kind=spec.applicant_kind,
            department=departments[spec.department] if spec.department else None,
            region=demo_delegation.persona_region(spec.role, regions[spec.region])
            if spec.region
            else None,
            phone=f"1390711{n:04d}",
            email=f"{spec.username}@demo.onewindow.invalid",
            is_staff=spec.role == "admin",
            # Django's admin needs model permissions; the demo administrator simply has all.
            is_superuser=spec.role == "admin",
        )
        if spec.username in born:
            user.id_number = make_citizen_id("420704", born[spec.username], 100 + n)
        if spec.applicant_kind == "enterprise":
            user.credit_code = make_credit_code("91420700MA4F2K7Q1")
            user.legal_representative = "王磊"
        users.append(user)
    User.objects.bulk_create(users)
    stored = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    links = [
        User.windows.through(user_id=stored[spec.username].pk, window_id=windows[number].pk)
        for spec in DEMO_USERS
        for number in spec.windows
    ]
    User.windows.through.objects.bulk_create(links)


def _create_item(entry: Any, department: Any, windows: dict[str, Any]) -> Any:

    window = windows[entry.window]
    letter = window.number[0]
    return item_create(
        code=entry.code,
        department=department,
        item_type=entry.item_type,
        sort=int(entry.code.rsplit("-", 1)[1]) + 100 * department.sort,
        handling_place=f"{HALL} {letter}区 {window.number}号窗口",
        handling_hours=HALL_HOURS,
        contact_phone=department.phone or HALL_PHONE,
        supervision_phone=SUPERVISION_PHONE,
        **entry.version,
    )


def _load_checklists(
    items: Iterator[Any], drafts: dict[str, Any], departments: dict[str, Any]
) -> None:
    """Conditions, materials (with their PDF forms), fees and the process template of every
    draft, in bulk."""

    conditions, materials, fees, branches = [], [], [], []
    risks: list[RiskPoint] = []
    for index, entry in enumerate(items):
        draft = drafts[entry.code]
        conditions += [
            Condition(version=draft, text=text, sort=n) for n, text in enumerate(entry.conditions)
        ]
        for n, line in enumerate(entry.materials):
            material = Material(
                version=draft,
                sort=n,
                name=line.name,
                required=line.required,
                is_core=line.is_core,
                original_or_copy=line.original_or_copy,
                copies=line.copies,
                for_renewal=line.for_renewal,
                note=line.note,
                source="申请人自备" if not line.form else "窗口领取或网上下载",
            )
            if line.form:
                _attach_forms(material, line, entry, draft, departments, n)
            materials.append(material)
        fees += [
            Fee(
                version=draft,
                sort=n,
                name=f.name,
                amount=f.amount,
                unit=f.unit,
                legal_basis=f.legal_basis,
            )
            for n, f in enumerate(entry.fees)
        ]
        branches += [
            ProcessBranch(
                version=draft,
                sort=n,
                department=departments[b.department],
                is_lead=b.lead,
                allotted_days=b.days,
                steps=[{"kind": kind, "role": role} for kind, role in b.steps],
            )
            for n, b in enumerate(entry.process.branches)
        ]
        # docs/product.md §C10 risk register: every multi-department item and every fifth other
        # item.
        if entry.process.joint or index % 5 == 0:
            risks += [
                RiskPoint(
                    version=draft,
                    sort=len(risks),
                    department=departments[b.department],
                    step_kind=kind,
                    level=level,
                    risk=risk,
                    measure=measure,
                )
                for b in entry.process.branches
                for kind in dict(b.steps)
                for level, risk, measure in RISKS.get(kind, ())
            ]
    Condition.objects.bulk_create(conditions)
    Material.objects.bulk_create(materials)
    Fee.objects.bulk_create(fees)
    # Checked with the rest of the guide when each draft is published (process_template_errors).
    ProcessBranch.objects.bulk_create(branches)
    RiskPoint.objects.bulk_create(risks)


def _attach_forms(
    material: Any, line: Any, entry: Any, draft: Any, departments: dict[str, Any], n: int
) -> None:

    text = FormText(
        title=line.name.strip("《》"),
        department=departments[entry.department].name,
        item_name=entry.name,
        item_code=entry.code,
        place=draft.handling_place,
    )
    material.form_template.name = _store(
        f"catalog/forms/{entry.code}-{n + 1}.pdf", application_form(text)
    )
    if line.sample:
        material.sample.name = _store(
            f"catalog/samples/{entry.code}-{n + 1}.pdf", application_form(text, sample=True)
        )


def _store(name: str, content: bytes) -> str:
    """Save under exactly ``name`` (a leftover file of an earlier load is replaced)."""

    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


def _publish(draft: Any) -> None:

    item_version_publish(version=draft, now=PUBLISHED_AT)


def _load_implementations(
    items: list[Any], drafts: dict[str, Any], regions: dict[str, Any]
) -> None:
    """Seed: all 92 items delegated to the 7 new districts; 66 accepted at community points."""

    city = next(r for r in regions.values() if r.level == RegionLevel.CITY)
    districts = [r for r in regions.values() if r.level == RegionLevel.DISTRICT]
    points = [r for r in regions.values() if r.has_service_point]
    rows = []
    for entry in items:
        item = drafts[entry.code].item
        rows.append(ItemImplementation(item=item, region=city))
        rows += [ItemImplementation(item=item, region=d, delegated=True) for d in districts]
        if entry.community:
            rows += [
                ItemImplementation(
                    item=item, region=p, mode=ImplementationMode.ACCEPTS, delegated=True
                )
                for p in points
            ]
    ItemImplementation.objects.bulk_create(rows)


# --- logins -----------------------------------------------------------------------------------
def print_logins() -> None:
    """The demo logins that exist in the database, as a table (nothing when none exist)."""

    present = set(
        User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
    )
    rows = [u for u in DEMO_USERS if u.username in present]
    if not rows:
        return
    print(f"\n演示账号 / demo logins (密码 password: {DEMO_PASSWORD})")
    header = ("角色 role", "用户名 username", "密码 password", "姓名/部门 name")
    table = [header] + [
        (
            u.title,
            u.username,
            DEMO_PASSWORD,
            u.full_name + (f"({_department_name(u.department)})" if u.department else ""),
        )
        for u in rows
    ]
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    for n, row in enumerate(table):
        cells = (_pad(cell, width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
        if n == 0:
            print("  ".join("-" * width for width in widths))
    if User.objects.filter(username="echeng_admin").exists():
        print(
            "一级政府三级管理（密码相同）：每个新区的区级部门工作人员 <新区>_scjg_clerk、"
            "<新区>_scjg_reviewer（及 _handler、_approver，民政为 _mzj_），区域管理员 <新区>_admin，"
            "便民服务点工作人员 <新区>_point；<新区> 为 gedian、ezkf、echeng、huahu、honglianhu、"
            "sanjiang、wutonghu，如 echeng_scjg_clerk、echeng_admin、echeng_point。"
        )
    if User.objects.filter(username="zjj_clerk").exists():
        print(
            "其他部门的工作人员（办件生成时创建，密码相同）：部门代码小写加角色，"
            "如 zjj_clerk、zjj_handler、zjj_reviewer、zjj_approver、zjj_chief、zjj_head。"
        )
    print(
        "工作人员登录还须输入动态口令（双因素认证）/ staff also enter a one-time code:\n"
        f"  在验证器应用中添加演示密钥 / add this TOTP secret to an authenticator app: "
        f"{DEMO_TOTP_SECRET}\n"
        "  或运行 / or run: onewindow demo --code  （显示当前6位口令 / prints the current code）"
    )


def _department_name(code: str) -> str:

    return Department.objects.filter(code=code).values_list("name", flat=True).first() or code


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
