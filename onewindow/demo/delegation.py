"""The demo's 一级政府三级管理 (docs/rules/delegation.md §V1–§V7): in each of the 7 new districts
the counterparts of two city bureaus (market regulation, civil affairs) with a window and staff
(clerk, handler, reviewer, approver), a region administrator, the staff of one community point,
and two deliberately drifted implementations for the drift monitor.

Loaded after the generated history: those cases were filed before the districts set up their
bureaus and stay with the city (V1); cases filed from now on in a district go to its bureau.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db.models import Q

from onewindow.accounts.models import User
from onewindow.catalog.delegation import Deviations, implementation_update
from onewindow.catalog.models import (
    Department,
    ImplementationChange,
    ImplementationMode,
    ItemImplementation,
    Region,
    RegionLevel,
    Window,
)
from onewindow.demo.personas import DEMO_PASSWORD

# District code → login prefix (pinyin of the new area's name).
DISTRICT_SLUGS = {
    "420700X01": "gedian",
    "420700X02": "ezkf",
    "420700X03": "echeng",
    "420700X04": "huahu",
    "420700X05": "honglianhu",
    "420700X06": "sanjiang",
    "420700X07": "wutonghu",
}
# The city bureaus whose delegated items the districts' own bureaus handle, and their names there.
COUNTERPARTS = (("SCJG", "市场监督管理分局", "scjg"), ("MZJ", "民政和社会事务局", "mzj"))
STAFF_ROLES = (
    ("clerk", "窗口受理人员"),
    ("handler", "承办人"),
    ("reviewer", "审核人"),
    ("approver", "批准人"),
)
DRIFTED_AT = dt.datetime(2025, 3, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def usernames() -> list[str]:
    """Every login this module creates (also when the database holds none yet)."""
    names = []
    for slug in DISTRICT_SLUGS.values():
        names += [
            f"{slug}_{dept}_{role}" for _c, _n, dept in COUNTERPARTS for role, _t in STAFF_ROLES
        ]
        names += [f"{slug}_admin", f"{slug}_point"]
    return names


def persona_region(role: str, district: Region) -> Region:
    """The region of a demo persona bound to ``district``: the district itself, or for a point's
    staff the district's first community point."""
    if role != "point_clerk":
        return district
    point = (
        Region.objects.filter(has_service_point=True)
        .filter(Q(parent__parent=district) | Q(parent=district))
        .order_by("level", "code")  # a community before a street
        .first()
    )
    return point or district


def _street_points(districts: list[Region]) -> None:
    """A district whose communities the sources name no point in gets its first street's
    便民服务中心 as its point, accepting the same items as the community points."""
    items = list(
        ItemImplementation.objects.filter(mode=ImplementationMode.ACCEPTS)
        .values_list("item_id", flat=True)
        .distinct()
    )
    for district in districts:
        if persona_region("point_clerk", district).pk != district.pk:
            continue
        street = Region.objects.filter(parent=district).order_by("code").first()
        if street is None:
            continue
        street.has_service_point = True
        street.save(update_fields=["has_service_point"])
        ItemImplementation.objects.bulk_create(
            ItemImplementation(
                item_id=item, region=street, mode=ImplementationMode.ACCEPTS, delegated=True
            )
            for item in items
        )


def reset() -> None:
    """Delete the district staff and bureaus (before the regions and the city bureaus go)."""
    ImplementationChange.objects.all().delete()  # it names its author (PROTECT)
    User.objects.filter(username__in=usernames()).delete()
    Window.objects.filter(departments__region__isnull=False).delete()
    Department.objects.filter(region__isnull=False).delete()


def load(today: dt.date) -> None:
    city_bureaus = {d.code: d for d in Department.objects.filter(region__isnull=True)}
    districts = list(Region.objects.filter(level=RegionLevel.DISTRICT).order_by("code"))
    _street_points(districts)
    password = make_password(DEMO_PASSWORD)
    sort = Department.objects.count()
    admins: dict[str, User] = {}
    for district in districts:
        slug = DISTRICT_SLUGS.get(district.code)
        if slug is None:
            continue
        window = Window.objects.create(
            number=f"{district.code[-3:]}-01",
            name=f"{district.name}政务服务中心综合受理窗口",
            area=district.name,
        )
        users: list[tuple[User, Window | None]] = []
        for code, suffix, dept_slug in COUNTERPARTS:
            city = city_bureaus.get(code)
            if city is None:
                continue
            sort += 1
            local = Department.objects.create(
                code=f"{code}-{district.code}",
                name=f"{district.name}{suffix}",
                short_name=suffix,
                hall_location=window.name,
                phone=city.phone,
                sort=sort,
                region=district,
                counterpart=city,
            )
            window.departments.add(local)
            for role, title in STAFF_ROLES:
                users.append(
                    (
                        _user(
                            f"{slug}_{dept_slug}_{role}",
                            role,
                            f"{local.short_name}{title}",
                            password,
                            department=local,
                        ),
                        window if role == "clerk" else None,
                    )
                )
        admins[district.code] = _user(
            f"{slug}_admin", "region_admin", f"{district.name}区域管理员", password, region=district
        )
        point = persona_region("point_clerk", district)
        if point.pk != district.pk:
            _user(f"{slug}_point", "point_clerk", f"{point.name}便民服务点", password, region=point)
        for user, clerk_window in users:
            if clerk_window is not None:
                user.windows.add(clerk_window)
    _drift(admins)


def _user(username: str, role: str, full_name: str, password: str, **extra: Any) -> User:
    return User.objects.create(
        username=username,
        password=password,
        role=role,
        full_name=full_name,
        email=f"{username}@demo.onewindow.invalid",
        **extra,
    )


def _drift(admins: dict[str, User]) -> None:
    """Two deliberately drifted implementations (docs/rules/delegation.md §V5, §V7): 鄂城新区
    charges less and commits fewer days for an item with a fee; 花湖新区 asks for an extra
    material for a market-regulation item under a provincial regulation and takes longer."""
    rows = (
        ItemImplementation.objects.filter(
            mode=ImplementationMode.HANDLES, item__published_version__committed_days__gt=2
        )
        .select_related("item__published_version", "region")
        .order_by("item__sort", "item__code")
    )
    # The seed's items charge fees only in a few (e.g. 出入境证件): one of those.
    echeng = rows.filter(
        region__code="420700X03", item__published_version__fees__amount__gt=0
    ).first()
    if echeng is not None and "420700X03" in admins:
        version = echeng.item.published_version
        assert version is not None
        fee = version.fees.order_by("sort", "pk").first()
        assert fee is not None
        implementation_update(
            implementation=echeng,
            actor=admins["420700X03"],
            wanted=Deviations(
                committed_days=version.committed_days - 2,
                fee_amounts={fee.name: str((fee.amount / 2).quantize(fee.amount))},
                reason="新区优化营商环境：承诺时限压缩2个工作日，工本费减半收取。",
            ),
            now=DRIFTED_AT,
        )
    huahu = rows.filter(region__code="420700X04", item__department__code="SCJG").first()
    if huahu is not None and "420700X04" in admins:
        version = huahu.item.published_version
        assert version is not None
        implementation_update(
            implementation=huahu,
            actor=admins["420700X04"],
            wanted=Deviations(
                committed_days=min(version.statutory_days, version.committed_days + 1),
                extra_materials=["临空经济区建设项目选址意见"],
                legal_basis="《湖北省鄂州临空经济区条例》第十八条（演示用依据）",
                reason="花湖机场周边区域须先取得选址意见，按条例增加材料并顺延1个工作日。",
            ),
            now=DRIFTED_AT + dt.timedelta(days=1),
        )
