"""A small hall for the appointment tests: the personas' window A01 (department A) with the hall's
default hours (09:00–12:00, 13:30–17:30; 30-minute slots of 3 seats, from the data migration), a
second window B01 serving department B, and one published item of each department.

Dates come from the real calendar (the chinesecalendar package): "now" is Monday 2026-09-28
10:00 in Shanghai; 2026-10-01 is the National Day holiday, 2026-10-10 a make-up working Saturday
(国庆节调休) and 2026-10-11 an ordinary Sunday.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from onewindow.accounts.models import User
from onewindow.catalog.models import Department, Item, ItemVersion, Material, VersionStatus, Window
from onewindow.testing import Personas

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date.fromisoformat
T = dt.time.fromisoformat
NOW = dt.datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)
WORKDAY = D("2026-09-29")  # Tuesday
HOLIDAY = D("2026-10-01")
MAKEUP_SATURDAY = D("2026-10-10")
SUNDAY = D("2026-10-11")


def at(day: str, hm: str = "10:00") -> dt.datetime:
    return dt.datetime.combine(D(day), T(hm), tzinfo=SHANGHAI)


def make_item(code: str, department: Department) -> Item:
    item = Item.objects.create(code=code, department=department)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name=f"事项{code}",
        legal_basis="《中华人民共和国行政许可法》",
        statutory_days=20,
        committed_days=10,
        result_type="certificate",
        result_name="许可证",
        delivery_methods=["window"],
    )
    Material.objects.create(version=version, sort=1, name="申请表", is_core=True)
    version.status = VersionStatus.PUBLISHED
    version.save()
    item.published_version = version
    item.save()
    return item


@dataclass
class Hall:
    p: Personas
    window: Window
    window_b: Window
    item: Item
    item_b: Item

    @property
    def applicant(self) -> User:
        return self.p.applicant


def make_hall(p: Personas) -> Hall:
    window_b = Window.objects.create(number="B01", name="住建综合窗口")
    window_b.departments.add(p.dept_b)
    return Hall(
        p=p,
        window=p.window,
        window_b=window_b,
        item=make_item("SC-001", p.dept_a),
        item_b=make_item("ZJ-001", p.dept_b),
    )
