"""Permission-checking reads of performance scores (绩效考核).

Scores are circulated (通报): every staff role reads the rankings of departments and windows;
applicants, agents and anonymous visitors get a 404 and an AccessDenied row
(onewindow.core.access.deny). The scheme page is for administrators (edit) and supervisors
(read-only); the weights themselves are shown on the ranking page to everyone who reads it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from rest_framework.request import Request

from onewindow.accounts.models import User
from onewindow.accounts.roles import STAFF_ROLES, Perm, has_perm
from onewindow.core.access import deny
from onewindow.supervision.models import PerformanceScore, PeriodKind, SubjectKind
from onewindow.supervision.selectors import _django
from onewindow.supervision.services.scores import period_end, period_label, period_provisional

TARGET = "supervision.scores"


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date

    @property
    def end(self) -> dt.date:
        return period_end(self.kind, self.start)

    @property
    def label(self) -> str:
        return period_label(self.kind, self.start)

    @property
    def provisional(self) -> bool:
        return period_provisional(self.kind, self.start)

    @property
    def value(self) -> str:
        return self.start.isoformat()


def may_read(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.role in STAFF_ROLES
    )


def may_view_scheme(user: Any) -> bool:
    return has_perm(user, Perm.RULES_EDIT) or has_perm(user, Perm.SUPERVISE)


def scores_reader(request: HttpRequest | Request) -> User:
    """The signed-in staff member; anyone else: 404, logged."""
    if not may_read(request.user):
        raise deny(_django(request), target=TARGET, reason="not staff")
    return request.user  # type: ignore[return-value]


def scheme_viewer(request: HttpRequest | Request) -> User:
    """An administrator or a supervisor; anyone else: 404, logged."""
    if not may_view_scheme(request.user):
        raise deny(_django(request), target=f"{TARGET}.scheme", reason="not admin or supervisor")
    return request.user  # type: ignore[return-value]


def score_periods(kind: str) -> list[Period]:
    """The periods of ``kind`` that have scores, newest first."""
    starts = (
        PerformanceScore.objects.filter(period_kind=kind)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .distinct()
    )
    return [Period(kind, start) for start in starts]


def default_period() -> Period | None:
    """The latest quarter with scores, else the latest month, else None."""
    for kind in (PeriodKind.QUARTER, PeriodKind.MONTH):
        periods = score_periods(kind)
        if periods:
            return periods[0]
    return None


def ranking(period: Period, subject_kind: str) -> list[PerformanceScore]:
    """One period's rows of one subject kind: ranked by rank, then the unranked (rank 0)."""
    rows = list(
        PerformanceScore.objects.filter(
            period_kind=period.kind, period_start=period.start, subject_kind=subject_kind
        ).select_related("department", "window")
    )
    return sorted(rows, key=lambda row: (row.rank == 0, row.rank, subject_name(row)))


def subject_name(row: PerformanceScore) -> str:
    if row.subject_kind == SubjectKind.DEPARTMENT:
        return row.department.name if row.department else ""
    return str(row.window) if row.window else ""


def subject_history(subject_kind: str, subject_id: int) -> list[PerformanceScore]:
    """Every period's row of one department or window, newest first, quarters before months."""
    field = "department_id" if subject_kind == SubjectKind.DEPARTMENT else "window_id"
    return list(
        PerformanceScore.objects.filter(subject_kind=subject_kind, **{field: subject_id})
        .select_related("department", "window")
        .order_by("-period_kind", "-period_start")
    )
