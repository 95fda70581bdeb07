"""Reads of window conduct and the monthly evaluation, fetched and checked in one call.

docs/rules/hall.md §J16: a discipline record is seen by supervisors (DISCIPLINE_DECIDE or
STAFF_RECORD_READ) and by the staff member it is about; anyone else gets the logged 404 of
``core.access.deny``. The public sees only public notices (docs/rules/hall.md §J17) and the
red-flag and bottom windows (docs/rules/hall.md §J18), with no personal data beyond a masked name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.request import Request

from onewindow.accounts.models import User
from onewindow.accounts.roles import DEPARTMENT_ROLES, Perm, has_perm
from onewindow.accounts.selectors import require_perm
from onewindow.conduct.models import (
    Designation,
    Discipline,
    DisciplineKind,
    Rectification,
    WindowScore,
)
from onewindow.consult.selectors import RecordSection
from onewindow.core.access import deny


def _deny(request: HttpRequest | Request, *, target: str, reason: str) -> Exception:
    raw = request._request if isinstance(request, Request) else request
    return deny(raw, target=target, reason=reason)


def reads_all(user: Any) -> bool:
    """Supervisors read every discipline record (docs/rules/hall.md §J16)."""
    return has_perm(user, Perm.DISCIPLINE_DECIDE) or has_perm(user, Perm.STAFF_RECORD_READ)


def mask_name(name: str) -> str:
    """docs/rules/hall.md §J17: the surname only — 王芳 → 王*, 欧阳小明 → 欧***."""
    core = (name or "").split("（")[0].split("(")[0].strip()
    if not core:
        return "*"
    return core[0] + "*" * max(1, len(core) - 1)


# --- discipline records -------------------------------------------------------------------------
def _records() -> QuerySet[Discipline]:
    return Discipline.objects.select_related(
        "staff", "staff__department", "window", "decided_by", "complaint", "bad_review"
    )


def records_for_supervisor(
    request: HttpRequest | Request, *, kind: str = "", staff_id: int | None = None
) -> QuerySet[Discipline]:
    user = request.user
    if not reads_all(user):
        raise _deny(request, target="conduct.records", reason="not a supervisor")
    rows = _records()
    if kind in DisciplineKind.values:
        rows = rows.filter(kind=kind)
    if staff_id:
        rows = rows.filter(staff_id=staff_id)
    return rows.order_by("-decided_at", "-pk")


def records_of(user: Any) -> QuerySet[Discipline]:
    """The signed-in staff member's own records, newest first."""
    return _records().filter(staff_id=getattr(user, "pk", 0)).order_by("-decided_at", "-pk")


def record_list_for(request: HttpRequest | Request) -> tuple[QuerySet[Discipline], bool]:
    """Supervisors: every record; department staff: their own; anyone else a logged 404."""
    user: Any = request.user
    if reads_all(user):
        return records_for_supervisor(request), True
    if has_perm(user, Perm.DISCIPLINE_OWN):
        return records_of(user), False
    raise _deny(request, target="conduct.records", reason="not staff")


def record_get(request: HttpRequest | Request, pk: int) -> tuple[Discipline, bool]:
    """The record and whether the caller is a supervisor; the staff member sees their own;
    anyone else (a colleague included) a logged 404."""
    user = request.user
    record = _records().filter(pk=pk).first()
    if record is not None and getattr(user, "is_authenticated", False):
        if reads_all(user):
            return record, True
        if record.staff_id == user.pk:
            return record, False
    raise _deny(request, target=f"conduct.discipline:{pk}", reason="not supervisor nor the staff")


def staff_get(request: HttpRequest | Request, staff_id: int) -> User:
    """The staff member a supervisor opens a new record for; anything else a logged 404."""
    require_perm(request, Perm.DISCIPLINE_DECIDE, target=f"conduct.staff:{staff_id}")
    staff = (
        User.objects.filter(pk=staff_id, role__in=DEPARTMENT_ROLES, is_active=True)
        .prefetch_related("windows")
        .first()
    )
    if staff is None:
        raise _deny(request, target=f"conduct.staff:{staff_id}", reason="not staff")
    return staff


def window_staff() -> QuerySet[User]:
    """Staff serving at a window now (the new record form's choices)."""
    return (
        User.objects.filter(role__in=DEPARTMENT_ROLES, is_active=True, windows__isnull=False)
        .distinct()
        .select_related("department")
        .prefetch_related("windows")
        .order_by("department__code", "full_name", "pk")
    )


@dataclass(frozen=True)
class PublicNotice:
    """docs/rules/hall.md §J17: what a public notice shows, and nothing more."""

    id: int
    decided_on: dt.date
    window_number: str
    window_name: str
    staff_name: str
    difficulty: str
    summary: str


def public_notices() -> list[PublicNotice]:
    rows = (
        Discipline.objects.filter(kind=DisciplineKind.NOTICE)
        .select_related("staff", "window")
        .order_by("-decided_at", "-pk")[:200]
    )
    return [
        PublicNotice(
            id=row.pk,
            decided_on=row.decided_at.date(),
            window_number=row.window.number,
            window_name=row.window.name,
            staff_name=mask_name(row.staff.full_name),
            difficulty=str(row.get_difficulty_display()),
            summary=row.public_summary,
        )
        for row in rows
    ]


def record_section(staff: User) -> RecordSection:
    """The discipline records in a staff member's record (consult's record page and API)."""
    rows = [
        {
            "id": row.pk,
            "kind": row.kind,
            "kind_label": str(row.get_kind_display()),
            "difficulty_label": str(row.get_difficulty_display()),
            "window": row.window.number,
            "decided_at": row.decided_at.isoformat(),
            "acknowledged": row.acknowledged_at is not None,
            "removed": row.removed,
        }
        for row in records_of(staff).order_by("-decided_at", "-pk")
    ]
    counts = {"total": len(rows)}
    for kind in DisciplineKind.values:
        counts[kind] = sum(1 for row in rows if row["kind"] == kind)
    return RecordSection(
        key="discipline",
        title=_("作风处理"),
        template="conduct/_record_section.html",
        rows=rows,
        counts=counts,
    )


# --- the monthly evaluation ---------------------------------------------------------------------
def scores_of(month: dt.date) -> list[WindowScore]:
    """One month's scores: ranked windows by rank, then the unranked ones by window number."""
    rows = list(WindowScore.objects.filter(month=month).select_related("window"))
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.window.number))
    return rows


def months_evaluated() -> list[dt.date]:
    return list(WindowScore.objects.order_by("-month").values_list("month", flat=True).distinct())


@dataclass(frozen=True)
class PublicRanking:
    month: dt.date | None
    red_flag: list[WindowScore]
    bottom: list[WindowScore]


def public_ranking(month: dt.date | None) -> PublicRanking:
    """The published 红旗窗口 and 末位窗口 of ``month`` (the latest evaluated one if None)."""
    if month is None:
        months = months_evaluated()
        month = months[0] if months else None
    if month is None:
        return PublicRanking(None, [], [])
    rows = scores_of(month)
    return PublicRanking(
        month,
        [r for r in rows if r.designation == Designation.RED_FLAG],
        [r for r in rows if r.designation == Designation.BOTTOM],
    )


def rectifications(month: dt.date | None = None) -> QuerySet[Rectification]:
    rows = Rectification.objects.select_related("window", "recorded_by", "done_by")
    if month is not None:
        rows = rows.filter(month=month)
    return rows.order_by("-month", "window__number")


def rectification_get(request: HttpRequest | Request, pk: int) -> Rectification:
    require_perm(request, Perm.DISCIPLINE_DECIDE, target=f"conduct.rectification:{pk}")
    row = rectifications().filter(pk=pk).first()
    if row is None:
        raise _deny(request, target=f"conduct.rectification:{pk}", reason="no such row")
    return row


def rectification_candidates() -> list[WindowScore]:
    """Bottom windows without a recorded rectification, newest month first."""
    done = set(Rectification.objects.values_list("window_id", "month"))
    rows = WindowScore.objects.filter(designation=Designation.BOTTOM).select_related("window")
    return [
        row
        for row in rows.order_by("-month", "window__number")[:200]
        if (row.window_id, row.month) not in done
    ]
