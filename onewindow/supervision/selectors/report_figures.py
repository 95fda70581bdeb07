"""The figures of a situation report (情况通报, docs/rules/supervision.md §D9), computed with aggregate
queries.

Definitions (docs/rules/supervision.md §D4, written into the report's notes):

- *received* (收件): cases whose ``received_on`` falls in the period;
- *closed* (办结): cases whose decision (准予 / 不予许可, ``review.Decision``) is dated in the
  period; *on time* when ``decided_on <= case.decision_due``, *early* when before it. Time in a
  special procedure is already excluded: a suspension shifts ``decision_due``;
- *rejected at intake* (不予受理): cases now rejected whose ``closed_at`` falls in the period;
- *cards*: yellow / red cards issued in the period, cancelled ones (撤销, a mistaken card)
  counted apart; *letters*: 督办函 issued, answered, escalated and closed in the period;
- *overdue open cases*: accepted, undecided at ``as_of`` (the period's end, or today for the
  current period) and past their committed date; days overdue in working days.

Every figure is a ``COUNT`` grouped in SQL; only the ten most overdue cases are read as rows.
Rates are percentages with one decimal, ``None`` when nothing was closed (shown as "—").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from onewindow.calendars.selectors import get_calendar
from onewindow.cases.models import Case, CaseStatus
from onewindow.catalog.models import Department
from onewindow.review.models import Decision, DecisionKind
from onewindow.supervision.models import (
    Card,
    CardLevel,
    CardStatus,
    PeriodKind,
    SupervisionLetter,
)

Progress = Callable[[int, str], None]
DATA_VERSION = 1
OVERDUE_LIMIT = 10
# Counts compared with the previous period (delta) and rates (percentage points).
COMPARED_COUNTS = (
    "received",
    "closed",
    "on_time",
    "early",
    "rejected",
    "yellow",
    "red",
    "letters_issued",
    "overdue_open",
)
COMPARED_RATES = ("on_time_rate", "early_rate")
# Cases that are no longer running although undecided (no decision will come).
ENDED_WITHOUT_DECISION = (
    CaseStatus.WITHDRAWN,
    CaseStatus.TERMINATED,
    CaseStatus.REJECTED,
    CaseStatus.SUSPENDED,  # the clock stops: its committed date moves when it resumes
)


# --- periods ----------------------------------------------------------------------------------
def period_bounds(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the month or quarter containing ``day``."""
    if kind == PeriodKind.MONTH:
        first_month = day.month
        months = 1
    elif kind == PeriodKind.QUARTER:
        first_month = 3 * ((day.month - 1) // 3) + 1
        months = 3
    else:
        raise ValueError(f"unknown period kind {kind!r}")
    start = dt.date(day.year, first_month, 1)
    following = add_months(start, months)
    return start, following - dt.timedelta(days=1)


def previous_period(kind: str, start: dt.date) -> tuple[dt.date, dt.date]:
    """The period before the one starting on ``start``."""
    return period_bounds(kind, start - dt.timedelta(days=1))


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _moments(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight at ``start`` and after ``end``: the period as a half-open time range."""
    zone = timezone.get_current_timezone()
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    return begin, dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def _rate(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


# --- the parts --------------------------------------------------------------------------------
def _received(start: dt.date, end: dt.date) -> dict[int, int]:
    rows = (
        Case.objects.filter(received_on__range=(start, end))
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["department_id"]: row["n"] for row in rows}


def _decisions(start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    due = F("case__decision_due")
    rows = (
        Decision.objects.filter(decided_on__range=(start, end))
        .values(department_id=F("case__department_id"))
        .annotate(
            closed=Count("pk"),
            granted=Count("pk", filter=Q(kind=DecisionKind.GRANT)),
            refused=Count("pk", filter=Q(kind=DecisionKind.REFUSE)),
            on_time=Count("pk", filter=Q(case__decision_due__isnull=False, decided_on__lte=due)),
            early=Count("pk", filter=Q(case__decision_due__isnull=False, decided_on__lt=due)),
        )
        .order_by()
    )
    return {row.pop("department_id"): row for row in rows}


def _rejected(start: dt.date, end: dt.date) -> dict[int, int]:
    begin, after = _moments(start, end)
    rows = (
        Case.objects.filter(status=CaseStatus.REJECTED, closed_at__gte=begin, closed_at__lt=after)
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["department_id"]: row["n"] for row in rows}


def _card_rows(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    begin, after = _moments(start, end)
    return list(
        Card.objects.filter(issued_at__gte=begin, issued_at__lt=after)
        .values("department_id", "rule__code", "rule__name", "rule__sort", "level")
        .annotate(
            n=Count("pk", filter=~Q(status=CardStatus.CANCELLED)),
            cancelled=Count("pk", filter=Q(status=CardStatus.CANCELLED)),
        )
        .order_by()
    )


def _letters(start: dt.date, end: dt.date) -> tuple[dict[str, int], dict[int, int]]:
    begin, after = _moments(start, end)

    def within(field: str) -> Q:
        return Q(**{f"{field}__gte": begin, f"{field}__lt": after})

    totals = SupervisionLetter.objects.aggregate(
        letters_issued=Count("pk", filter=within("issued_at")),
        letters_responded=Count("pk", filter=within("responded_at")),
        letters_escalated=Count("pk", filter=within("escalated_at")),
        letters_closed=Count("pk", filter=within("closed_at")),
    )
    rows = (
        SupervisionLetter.objects.filter(within("issued_at"))
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return totals, {row["department_id"]: row["n"] for row in rows}


def _overdue_cases(as_of: dt.date) -> Any:
    """Accepted cases still undecided at the end of ``as_of`` and past their committed date."""
    _begin, after = _moments(as_of, as_of)
    return (
        Case.objects.filter(
            accepted_on__lte=as_of, decision_due__isnull=False, decision_due__lt=as_of
        )
        .exclude(decision__decided_on__lte=as_of)
        .exclude(closed_at__lt=after)
        .exclude(status__in=ENDED_WITHOUT_DECISION)
    )


def _days_overdue(due: dt.date, as_of: dt.date) -> int | None:
    try:
        return get_calendar().count_working_days(due, as_of)
    except ValueError:  # a date outside the calendar's span
        return None


def _most_overdue(as_of: dt.date) -> list[dict[str, Any]]:
    # Working days overdue grow with the gap, so the earliest committed date is the most overdue.
    cases = (
        _overdue_cases(as_of)
        .select_related("department", "item_version")
        .order_by("decision_due", "pk")[:OVERDUE_LIMIT]
    )
    return [
        {
            "case_id": case.pk,
            "number": case.number or "",
            "item": case.item_version.name,
            "department": case.department.name,
            "decision_due": case.decision_due.isoformat() if case.decision_due else "",
            "days_overdue": _days_overdue(case.decision_due, as_of) if case.decision_due else None,
            "status": case.status,
        }
        for case in cases
    ]


# --- the whole --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Parts:
    """The grouped counts of one period, each read once (six aggregate queries)."""

    received: dict[int, int]
    decisions: dict[int, dict[str, int]]
    rejected: dict[int, int]
    cards: list[dict[str, Any]]
    letters: dict[str, int]
    letters_by_department: dict[int, int]


def period_parts(start: dt.date, end: dt.date) -> Parts:
    letters, by_department = _letters(start, end)
    return Parts(
        received=_received(start, end),
        decisions=_decisions(start, end),
        rejected=_rejected(start, end),
        cards=_card_rows(start, end),
        letters=letters,
        letters_by_department=by_department,
    )


def headline(parts: Parts, as_of: dt.date) -> dict[str, Any]:
    """The period's totals (also computed for the previous period)."""
    cards = parts.cards
    figures: dict[str, Any] = {
        "received": sum(parts.received.values()),
        "rejected": sum(parts.rejected.values()),
        **{
            key: sum(row[key] for row in parts.decisions.values())
            for key in ("closed", "granted", "refused", "on_time", "early")
        },
        "yellow": sum(row["n"] for row in cards if row["level"] == CardLevel.YELLOW),
        "red": sum(row["n"] for row in cards if row["level"] == CardLevel.RED),
        "cards_cancelled": sum(row["cancelled"] for row in cards),
        **parts.letters,
        "overdue_open": _overdue_cases(as_of).count(),
    }
    figures["on_time_rate"] = _rate(figures["on_time"], figures["closed"])
    figures["early_rate"] = _rate(figures["early"], figures["closed"])
    return figures


def _departments(parts: Parts) -> list[dict[str, Any]]:
    received, decisions, rejected = parts.received, parts.decisions, parts.rejected
    letters = parts.letters_by_department
    cards: dict[int, dict[str, int]] = defaultdict(lambda: {"yellow": 0, "red": 0})
    for row in parts.cards:
        cards[row["department_id"]][row["level"]] += row["n"]
    no_cards = {"yellow": 0, "red": 0}
    ids = set(received) | set(decisions) | set(rejected) | set(letters) | set(cards)
    rows = []
    for department in Department.objects.filter(pk__in=ids).order_by("code"):
        made = decisions.get(department.pk, {})
        closed, on_time, early = made.get("closed", 0), made.get("on_time", 0), made.get("early", 0)
        rows.append(
            {
                "id": department.pk,
                "code": department.code,
                "name": department.name,
                "received": received.get(department.pk, 0),
                "closed": closed,
                "on_time": on_time,
                "early": early,
                "on_time_rate": _rate(on_time, closed),
                "early_rate": _rate(early, closed),
                "rejected": rejected.get(department.pk, 0),
                **cards.get(department.pk, no_cards),
                "letters": letters.get(department.pk, 0),
            }
        )
    return rows


def _rules(parts: Parts) -> list[dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = {}
    for row in parts.cards:
        rule = rules.setdefault(
            row["rule__code"],
            {
                "code": row["rule__code"],
                "name": row["rule__name"],
                "sort": row["rule__sort"],
                "yellow": 0,
                "red": 0,
                "cancelled": 0,
            },
        )
        rule[row["level"]] += row["n"]
        rule["cancelled"] += row["cancelled"]
    ordered = sorted(rules.values(), key=lambda r: (r["sort"], r["code"]))
    return [{k: v for k, v in rule.items() if k != "sort"} for rule in ordered]


def change(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """Counts: the difference; rates: percentage points (None when either rate is None)."""
    delta: dict[str, Any] = {key: current[key] - previous[key] for key in COMPARED_COUNTS}
    for key in COMPARED_RATES:
        now, before = current[key], previous[key]
        delta[key] = None if now is None or before is None else round(now - before, 1)
    return delta


def report_figures(
    kind: str,
    start: dt.date,
    end: dt.date,
    *,
    today: dt.date,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Every figure of the report of ``kind`` over ``start``..``end`` as JSON-ready data.

    ``progress(percent, stage)`` is called between the steps (0–80 %: the caller renders after).
    """
    step = progress or (lambda percent, stage: None)
    as_of = min(end, today)
    prev_start, prev_end = previous_period(kind, start)
    step(10, "headline")
    parts = period_parts(start, end)
    current = headline(parts, as_of)
    step(30, "departments")
    departments = _departments(parts)
    step(45, "rules")
    rules = _rules(parts)
    step(55, "overdue")
    overdue = _most_overdue(as_of)
    step(65, "previous")
    before = headline(period_parts(prev_start, prev_end), prev_end)
    return {
        "version": DATA_VERSION,
        "period": {
            "kind": kind,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "as_of": as_of.isoformat(),
        },
        "previous_period": {"start": prev_start.isoformat(), "end": prev_end.isoformat()},
        "headline": current,
        "previous": before,
        "change": change(current, before),
        "departments": departments,
        "rules": rules,
        "overdue": overdue,
    }
