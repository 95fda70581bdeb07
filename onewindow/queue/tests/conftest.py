"""A small hall for the queue tests, on top of the shared personas:

- line A (市场监管, department A) served by windows A01 (the clerk persona's) and A02 (clerk ``a2``);
- line B (住建, department B) served by window B01 (clerk ``b1``); line C has no window;
- items ``SC-1`` (department A) and ``ZJ-1`` (department B), published.

The clock is frozen at 2026-03-02 09:00 Shanghai; ``hall.at(minute)`` is ``minute`` after 08:00.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.accounts import services as account_services
from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.catalog.models import Department, Item, ItemVersion, VersionStatus, Window
from onewindow.queue import sources
from onewindow.queue.models import QueueLine
from onewindow.queue.sources import register_appointment_source
from onewindow.testing import PASSWORD, Personas

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 3, 2)


def at(minute: int) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(8, 0), tzinfo=SHANGHAI) + dt.timedelta(minutes=minute)


@dataclass
class Hall:
    p: Personas
    line_a: QueueLine
    line_b: QueueLine
    line_c: QueueLine
    a01: Window
    a02: Window
    b01: Window
    clerk_a2: User
    clerk_b1: User
    item_a: Item
    item_b: Item

    @staticmethod
    def at(minute: int) -> dt.datetime:
        return at(minute)


def make_item(code: str, name: str, department: Department) -> Item:
    item = Item.objects.create(code=code, department=department)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name=name,
        legal_basis="《中华人民共和国行政许可法》",
        statutory_days=20,
        committed_days=10,
        status=VersionStatus.PUBLISHED,
    )
    item.published_version = version
    item.save()
    return item


def _clerk(name: str, full_name: str, department: Department, window: Window) -> User:
    return account_services.user_create(
        username=name,
        password=PASSWORD,
        role=Role.CLERK,
        full_name=full_name,
        department=department,
        windows=[window],
    )


def make_hall(p: Personas) -> Hall:
    a01 = p.window
    a02 = Window.objects.create(number="A02", name="市场准入二号窗口")
    a02.departments.add(p.dept_a)
    b01 = Window.objects.create(number="B01", name="住房和城乡建设窗口")
    b01.departments.add(p.dept_b)
    dept_c = Department.objects.create(code="XFJ", name="鄂州市消防救援支队", short_name="消防")
    line_a = QueueLine.objects.create(letter="A", name="市场准入", sort=1)
    line_a.departments.add(p.dept_a)
    line_b = QueueLine.objects.create(letter="B", name="工程建设", sort=2)
    line_b.departments.add(p.dept_b)
    line_c = QueueLine.objects.create(letter="C", name="消防", sort=3)
    line_c.departments.add(dept_c)
    return Hall(
        p=p,
        line_a=line_a,
        line_b=line_b,
        line_c=line_c,
        a01=a01,
        a02=a02,
        b01=b01,
        clerk_a2=_clerk("clerk_a2", "李静", p.dept_a, a02),
        clerk_b1=_clerk("clerk_b1", "周强", p.dept_b, b01),
        item_a=make_item("SC-1", "食品经营许可", p.dept_a),
        item_b=make_item("ZJ-1", "建筑工程施工许可", p.dept_b),
    )


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(at(60), tick=False):
        yield


@pytest.fixture
def hall(personas: Personas, frozen: None) -> Hall:
    return make_hall(personas)


@pytest.fixture(autouse=True)
def _no_resolver() -> Iterator[None]:
    # The queue's own tests start without the appointments app's resolver; it comes back after.
    registered = list(sources._resolver)
    register_appointment_source(None)
    yield
    sources._resolver[:] = registered
