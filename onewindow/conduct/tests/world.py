"""Shared builders for the conduct tests: windows with their own department, the month's inputs
written where the evaluation reads them (the ratings tally, the statistics rollup, complaints,
cards) and staff at a window.

Dates: the evaluated month is November 2025; "today" is 2025-12-05 (frozen by the tests).
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.db.models import F

from onewindow.accounts import services as accounts
from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.catalog.models import Department, Window
from onewindow.consult.models import Complaint, ComplaintResult, ComplaintStatus
from onewindow.ratings.models import (
    BadReview,
    BadReviewStatus,
    Level,
    Rating,
    RatingTally,
    Service,
)
from onewindow.stats.models import MonthlyRollup
from onewindow.supervision.models import Card, CardLevel, ObjectKind, Rule
from onewindow.testing import PASSWORD, api_for, client_for  # noqa: F401 (used by the tests)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV = dt.date(2025, 11, 1)
TODAY = dt.datetime(2025, 12, 5, 10, tzinfo=SHANGHAI)
_seq = itertools.count(1)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def window(number: str, department: Department | None = None) -> Window:
    """A window with a department of its own (or the one given)."""
    row, _created = Window.objects.get_or_create(number=number, defaults={"name": f"{number}窗口"})
    if department is None:
        department = Department.objects.create(code=f"D{number}", name=f"{number}部门")
    row.departments.add(department)
    return row


def staff(win: Window, name: str = "孙丽", role: Role = Role.CLERK) -> User:
    n = next(_seq)
    return accounts.user_create(
        username=f"conduct{n}",
        password=PASSWORD,
        role=role,
        full_name=name,
        department=win.departments.first(),
        windows=[win],
    )


def ratings(win: Window, *, total: int, satisfied: int, month: dt.date = NOV) -> None:
    """``total`` counted ratings of the window, ``satisfied`` of them 非常满意, the rest 不满意."""
    department = win.departments.first()
    assert department is not None
    for level, count in ((Level.VERY_GOOD, satisfied), (Level.BAD, total - satisfied)):
        if count:
            row, _created = RatingTally.objects.get_or_create(
                month=month, department=department, item=None, window=win, level=level
            )
            RatingTally.objects.filter(pk=row.pk).update(count=F("count") + count)


def closed(win: Window, *, total: int, on_time: int, month: dt.date = NOV) -> None:
    department = win.departments.first()
    assert department is not None
    MonthlyRollup.objects.create(
        month=month,
        department_id=department.pk,
        item_id=0,
        region_id=0,
        closed=total,
        closed_on_time=on_time,
    )


def complaint(
    win: Window | None,
    complainant: User,
    *,
    about: User | None = None,
    result: str = ComplaintResult.SUBSTANTIATED,
    closed_at: dt.datetime | None = None,
) -> Complaint:
    closed_at = closed_at or at("2025-11-15")
    return Complaint.objects.create(
        complainant=complainant,
        window=win,
        staff=about,
        title="窗口人员态度生硬",
        text="办理时窗口人员态度生硬，不解释材料要求。",
        status=ComplaintStatus.CLOSED if result else ComplaintStatus.SUBMITTED,
        submitted_at=closed_at - dt.timedelta(days=3),
        result=result,
        closed_at=closed_at if result else None,
    )


def card(
    win: Window, level: str = CardLevel.YELLOW, *, issued_at: dt.datetime | None = None
) -> Card:
    department = win.departments.first()
    assert department is not None
    return Card.objects.create(
        rule=Rule.objects.order_by("pk")[0],
        level=level,
        object_kind=ObjectKind.CASE,
        object_id=next(_seq),
        department=department,
        issued_at=issued_at or at("2025-11-10"),
    )


def bad_review(member: User, *, excluded: bool = False) -> BadReview:
    """A bad review of a window service ``member`` gave."""
    department_id = member.department_id
    assert department_id is not None
    service = Service.objects.create(
        kind="window",
        department_id=department_id,
        staff=member,
        description="窗口咨询",
        finished_at=at("2025-11-09"),
        rate_by=at("2025-11-16"),
    )
    rating = Rating.objects.create(
        service=service,
        channel="pad",
        level=1,
        rated_at=at("2025-11-09"),
        month=NOV,
        department_id=department_id,
        excluded=excluded,
    )
    return BadReview.objects.create(
        rating=rating,
        department_id=department_id,
        status=BadReviewStatus.EXCLUDED if excluded else BadReviewStatus.OPEN,
        created_at=at("2025-11-09"),
        due_on=dt.date(2025, 11, 28),
    )
