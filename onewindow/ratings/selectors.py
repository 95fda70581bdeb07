"""Reads of satisfaction ratings: the published figures (from ``RatingTally`` only) and the
objects a user may see, fetched and checked in one call (anyone else: the logged 404 of
``core.access.deny``).

Satisfaction = (非常满意 + 满意) ÷ ratings, appeal-accepted ratings left out, defaulted ones counted at
their default level (docs/rules/satisfaction.md §E7); the monthly window ranking
(docs/rules/satisfaction.md §E8).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest
from rest_framework.request import Request

from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import staff_in_department
from onewindow.cases.models import Case
from onewindow.catalog.models import Department, Item, Window
from onewindow.core.access import deny
from onewindow.ratings.models import (
    SATISFIED_LEVELS,
    Appeal,
    AppealStatus,
    BadReview,
    Level,
    Rating,
    RatingTally,
    Service,
    ServiceKind,
)
from onewindow.ratings.services import config

RATE_PLACES = Decimal("0.0001")

__all__ = [
    "Satisfaction",
    "SatisfactionRow",
    "by_department",
    "by_item",
    "by_window",
    "satisfaction",
    "window_ranking",
]


@dataclass(frozen=True)
class Satisfaction:
    """Counted ratings, the satisfied ones (非常满意 + 满意) and their share (None: no rating)."""

    ratings: int
    satisfied: int

    @property
    def rate(self) -> Decimal | None:
        """satisfied ÷ ratings to 4 places (7 of 10 → 0.7000)."""
        if not self.ratings:
            return None
        return (Decimal(self.satisfied) / Decimal(self.ratings)).quantize(
            RATE_PLACES, rounding=ROUND_HALF_UP
        )

    @property
    def percent(self) -> str:
        """The rate for people: 70.0%, 77.8%; "—" without ratings."""
        rate = self.rate
        if rate is None:
            return "—"
        return f"{(rate * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


@dataclass
class SatisfactionRow:
    """One department, window or item on the published pages."""

    id: int
    name: str
    figures: Satisfaction
    levels: dict[int, int] = field(default_factory=dict)
    rank: int = 0

    @property
    def counts(self) -> list[int]:
        """The count of each level, 非常满意 first (the tables' column order)."""
        return [self.levels.get(level, 0) for level in sorted(Level.values, reverse=True)]


def _id(value: Any) -> int:
    return int(getattr(value, "pk", value))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _tally(
    *,
    department: Any = None,
    item: Any = None,
    window: Any = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[RatingTally]:
    """The tally rows of the months from ``since``'s month to ``until``'s (both included)."""
    rows = RatingTally.objects.all()
    if department is not None:
        rows = rows.filter(department_id=_id(department))
    if item is not None:
        rows = rows.filter(item_id=_id(item))
    if window is not None:
        rows = rows.filter(window_id=_id(window))
    if since is not None:
        rows = rows.filter(month__gte=month_start(since))
    if until is not None:
        rows = rows.filter(month__lte=until)
    return rows


def _sums() -> dict[str, Any]:
    return {
        "n": Sum("count"),
        "ok": Sum("count", filter=Q(level__in=SATISFIED_LEVELS)),
    }


def satisfaction(
    *,
    department: Department | int | None = None,
    item: Item | int | None = None,
    window: Window | int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Satisfaction:
    """The satisfaction of whatever the filters pick, read from the tally alone."""
    row = _tally(
        department=department, item=item, window=window, since=since, until=until
    ).aggregate(**_sums())
    return Satisfaction(ratings=row["n"] or 0, satisfied=row["ok"] or 0)


def _rows(field_name: str, names: dict[int, str], **filters: Any) -> list[SatisfactionRow]:
    rows: dict[int, SatisfactionRow] = {}
    tally = (
        _tally(**filters)
        .filter(**{f"{field_name}__isnull": False})
        .order_by()
        .values(field_name, "level")
        .annotate(n=Sum("count"))
    )
    counts: dict[int, dict[int, int]] = {}
    for entry in tally:
        counts.setdefault(entry[field_name], {})[entry["level"]] = entry["n"] or 0
    for pk, levels in counts.items():
        total = sum(levels.values())
        if not total:
            continue
        satisfied = sum(levels.get(level, 0) for level in SATISFIED_LEVELS)
        rows[pk] = SatisfactionRow(
            id=pk,
            name=names.get(pk, str(pk)),
            figures=Satisfaction(ratings=total, satisfied=satisfied),
            levels={level: levels.get(level, 0) for level in Level.values},
        )
    return sorted(rows.values(), key=lambda row: names.get(row.id, ""))


def by_department(
    *, since: dt.date | None = None, until: dt.date | None = None
) -> list[SatisfactionRow]:
    """Every department with counted ratings in the months, by name."""
    names = dict(Department.objects.values_list("pk", "name"))
    return _rows("department", names, since=since, until=until)


def by_window(
    *, since: dt.date | None = None, until: dt.date | None = None
) -> list[SatisfactionRow]:
    """Every window with counted ratings in the months, by number."""
    names = {
        pk: f"{number} {name}"
        for pk, number, name in Window.objects.values_list("pk", "number", "name")
    }
    return _rows("window", names, since=since, until=until)


def by_item(
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    department: Department | int | None = None,
) -> list[SatisfactionRow]:
    """Every item with counted ratings in the months (of one department, if given), by name."""
    items = Item.objects.all()
    if department is not None:
        items = items.filter(department_id=_id(department))
    names = {
        pk: name or code
        for pk, code, name in items.values_list("pk", "code", "published_version__name")
    }
    rows = _rows("item", names, since=since, until=until, department=department)
    return rows


@dataclass(frozen=True)
class Ranking:
    """docs/rules/satisfaction.md §E8: one month's windows with at least ``min_ratings`` ratings,
    best first; the first ``size`` are 红旗窗口, the last ``size`` 末位窗口."""

    month: dt.date
    min_ratings: int
    size: int
    ranked: list[SatisfactionRow]
    unranked: list[SatisfactionRow]

    @property
    def red_flag(self) -> list[SatisfactionRow]:
        return self.ranked[: self.size] if len(self.ranked) > self.size else []

    @property
    def bottom(self) -> list[SatisfactionRow]:
        if len(self.ranked) <= self.size:
            return []
        return self.ranked[-min(self.size, len(self.ranked) - self.size) :]


def window_ranking(month: dt.date) -> Ranking:
    """The ranking of ``month`` (any day in it): by satisfaction, ties by more ratings, then by
    window number."""
    first = month_start(month)
    settings_row = config()
    rows = by_window(since=first, until=first)
    numbers = dict(Window.objects.values_list("pk", "number"))
    enough = [row for row in rows if row.figures.ratings >= settings_row.ranking_min_ratings]
    enough.sort(
        key=lambda row: (-(row.figures.rate or 0), -row.figures.ratings, numbers.get(row.id, ""))
    )
    for rank, row in enumerate(enough, start=1):
        row.rank = rank
    few = [row for row in rows if row.figures.ratings < settings_row.ranking_min_ratings]
    return Ranking(first, settings_row.ranking_min_ratings, settings_row.ranking_size, enough, few)


def months_with_ratings() -> list[dt.date]:
    """The months the tally has counts for, newest first (the published pages' choices)."""
    return list(
        RatingTally.objects.filter(count__gt=0)
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()
    )


# --- objects a user may see ---------------------------------------------------------------------
def _deny(request: HttpRequest | Request, *, target: str, reason: str) -> Exception:
    raw = request._request if isinstance(request, Request) else request
    return deny(raw, target=target, reason=reason)


def case_for_rater(request: HttpRequest | Request, *, case_id: int) -> Case:
    """The signed-in applicant's own case (any status: the service says whether it may be
    rated); anyone else's: a logged 404."""
    user = request.user
    case = (
        Case.objects.select_related("item_version", "department")
        .filter(pk=case_id, applicant_id=getattr(user, "pk", None))
        .first()
    )
    if case is None or not has_perm(user, Perm.CASE_APPLY):
        raise _deny(request, target=f"case:{case_id}:rating", reason="not the applicant")
    return case


def ratings_of_case(case: Case) -> list[Rating]:
    return list(
        Rating.objects.filter(service__case=case, service__kind=ServiceKind.CASE).order_by(
            "rated_at", "pk"
        )
    )


def service_of_case(case: Case) -> Service | None:
    return Service.objects.filter(case=case, kind=ServiceKind.CASE).first()


def _bad_reviews() -> QuerySet[BadReview]:
    return BadReview.objects.select_related(
        "rating__service__case__item_version",
        "rating__service__window",
        "rating__window",
        "department",
        "case",
        "assignee",
    )


def bad_reviews_for(user: Any, *, status: str = "") -> QuerySet[BadReview]:
    """The bad reviews of the user's department (RATING_HANDLE), open ones first by due date."""
    if not has_perm(user, Perm.RATING_HANDLE) or user.department_id is None:
        return BadReview.objects.none()
    rows = _bad_reviews().filter(department_id=user.department_id)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("due_on", "pk")


def bad_review_for_handler(request: HttpRequest | Request, *, pk: int) -> BadReview:
    user = request.user
    review = _bad_reviews().filter(pk=pk).first()
    if (
        review is None
        or not has_perm(user, Perm.RATING_HANDLE)
        or not staff_in_department(user, review.department_id)
    ):
        raise _deny(request, target=f"ratings.badreview:{pk}", reason="not the department's")
    return review


def bad_review_for_rater(request: HttpRequest | Request, *, pk: int) -> BadReview:
    user = request.user
    uid = getattr(user, "pk", None)
    review = (
        _bad_reviews()
        .filter(pk=pk)
        .filter(
            Q(rating__rater_id=uid) | Q(rating__rater__isnull=True, rating__service__rater_id=uid)
        )
        .first()
        if uid
        else None
    )
    if review is None:
        raise _deny(request, target=f"ratings.badreview:{pk}", reason="not the rater")
    return review


def ratings_of_rater(user: Any) -> QuerySet[Rating]:
    """The rater's own ratings, newest first (for "我的评价")."""
    return (
        Rating.objects.filter(rater_id=getattr(user, "pk", None))
        .select_related("service__case__item_version", "bad_review")
        .order_by("-rated_at", "-pk")
    )


def appeals_for(user: Any, *, pending_only: bool = False) -> QuerySet[Appeal]:
    if not has_perm(user, Perm.RATING_APPEAL_DECIDE):
        return Appeal.objects.none()
    rows = Appeal.objects.select_related(
        "bad_review__rating__service", "bad_review__department", "filed_by"
    )
    if pending_only:
        rows = rows.filter(status=AppealStatus.PENDING)
    return rows.order_by("status", "-filed_at", "-pk")


def appeal_for_decider(request: HttpRequest | Request, *, pk: int) -> Appeal:
    appeal = appeals_for(request.user).filter(pk=pk).first()
    if appeal is None:
        raise _deny(request, target=f"ratings.appeal:{pk}", reason="not a supervisor")
    return appeal


def bad_review_counts(user: Any) -> dict[str, int]:
    """Open bad reviews of the user's department by status (for the list's summary)."""
    return dict(bad_reviews_for(user).order_by().values_list("status").annotate(n=Count("pk")))
