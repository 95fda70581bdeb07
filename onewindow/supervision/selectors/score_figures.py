"""The docs/rules/supervision.md §D4 figures of departments and windows for one period (绩效考核,
docs/rules/supervision.md §D10).

Every figure is one set-based aggregate query per period (``values(...).annotate(Count(...,
filter=Q(...)))``), never a loop over cases. Special-procedure time is already excluded: a
suspension shifts ``Case.decision_due`` (review.suspensions), which is what "on time" compares
against.

Departments (the case's lead department, ``Case.department``):
- received: cases received (``received_on``) in the period;
- closed: cases whose decision (``review.Decision.decided_on``) falls in the period; on time:
  decided on or before ``decision_due``; early: decided before it;
- compression: the plain average over the department's items with a published version of
  (statutory − committed) ÷ statutory (56 → 5 days: 91.07 %); items with a statutory limit of 0
  (即办件) have no limit to compress and are left out;
- cards: cards issued in the period to the department, by level, cancelled ones excluded;
  letters: supervision letters issued to the department in the period.

Windows (the window where the clerk made the case's intake decision, ``Case.intake_window``):
- closed: cases whose last intake decision (the latest accepted / 容缺受理 / correction notice /
  rejection / deemed-acceptance event, ``INTAKE_ACTIONS``) falls in the period. The last one
  because it is the one whose window ``intake_window`` records and whose intake period
  ``intake_due`` still holds: a correction notice followed, after the applicant's answer, by an
  acceptance counts once, in the period of the acceptance;
- on time: decided (local date of the event) on or before ``intake_due``; early: before it; a
  deemed acceptance (视为受理) is never on time. A rejection of a case still waiting for the
  applicant's correction (its intake period was met by the correction notice, and the
  applicant never answered) is on time whatever its date, never early. A case deemed accepted without any decision by a
  clerk has no window: it weighs on the department through the ``deemed_acceptance`` card;
- cards: the intake rules' cards (``INTAKE_RULES``) on those windows' cases issued in the period;
  no letters (letters go to departments) and no compression (an intake period is fixed by law).

Satisfaction (docs/rules/satisfaction.md §E7): ratings and satisfied (非常满意 + 满意) read from the
ratings' monthly tally (``ratings.RatingTally``), by the rating's department and by the window it
was given for; appeal-accepted ratings are not in it, defaulted ones are at their default level.
The tally counts by month: a period takes the months from its start's month to its end (a month
or a quarter exactly). No rating: the rate is unavailable (None).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, FloatField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from onewindow.cases.models import Case, CaseEvent, CaseStatus
from onewindow.catalog.models import Department, ItemVersion, VersionStatus, Window
from onewindow.ratings.models import SATISFIED_LEVELS, RatingTally
from onewindow.review.models import Decision
from onewindow.supervision.models import Card, CardLevel, CardStatus, SupervisionLetter

INTAKE_ACTIONS = (
    "accepted",
    "accepted_tolerated",
    "accepted_deemed",
    "correction_requested",
    "rejected",
)
# The rules about the intake decision itself: their cards count against the window.
INTAKE_RULES = (
    "case_intake_due",
    "deemed_acceptance",
    "second_correction_unsigned",
    "acceptance_core_missing",
)
RATE_PLACES = Decimal("0.0001")


@dataclass
class Figures:
    """One subject's counts and rates for one period (rates are fractions, None: unavailable)."""

    received: int = 0
    closed: int = 0
    on_time: int = 0
    early: int = 0
    ratings: int = 0
    satisfied: int = 0
    compression: Decimal | None = None
    yellow: int = 0
    red: int = 0
    letters: int = 0

    @property
    def on_time_rate(self) -> Decimal | None:
        return rate(self.on_time, self.closed)

    @property
    def early_rate(self) -> Decimal | None:
        return rate(self.early, self.closed)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return rate(self.satisfied, self.ratings)


def rate(part: int, whole: int) -> Decimal | None:
    """part ÷ whole to 4 places (0.7500); None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[local midnight of ``start``, local midnight after ``end``) for datetime columns."""
    zone = timezone.get_current_timezone()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return low, high


def _counted(low: dt.datetime, high: dt.datetime) -> Q:
    return Q(issued_at__gte=low, issued_at__lt=high)


def _by_level() -> dict[str, Count]:
    return {
        "yellow": Count("pk", filter=Q(level=CardLevel.YELLOW)),
        "red": Count("pk", filter=Q(level=CardLevel.RED)),
    }


def department_figures(start: dt.date, end: dt.date) -> dict[int, Figures]:
    """Every active department (and any other with something in the period) → its figures."""
    low, high = day_bounds(start, end)
    figures: defaultdict[int, Figures] = defaultdict(Figures)
    for pk in Department.objects.filter(is_active=True).values_list("pk", flat=True):
        figures[pk] = Figures()
    received = (
        Case.objects.filter(received_on__gte=start, received_on__lte=end)
        .order_by()
        .values("department")
        .annotate(n=Count("pk"))
    )
    for row in received:
        figures[row["department"]].received = row["n"]
    closed = (
        Decision.objects.filter(decided_on__gte=start, decided_on__lte=end)
        .order_by()
        .values("case__department")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(decided_on__lte=F("case__decision_due"))),
            early=Count("pk", filter=Q(decided_on__lt=F("case__decision_due"))),
        )
    )
    for row in closed:
        one = figures[row["case__department"]]
        one.closed, one.on_time, one.early = row["n"], row["on_time"], row["early"]
    cards = (
        Card.objects.filter(_counted(low, high))
        .exclude(status=CardStatus.CANCELLED)
        .order_by()
        .values("department")
        .annotate(**_by_level())
    )
    for row in cards:
        one = figures[row["department"]]
        one.yellow, one.red = row["yellow"], row["red"]
    letters = (
        SupervisionLetter.objects.filter(_counted(low, high))
        .order_by()
        .values("department")
        .annotate(n=Count("pk"))
    )
    for row in letters:
        figures[row["department"]].letters = row["n"]
    for subject, ratings, satisfied in _ratings("department", start, end):
        one = figures[subject]
        one.ratings, one.satisfied = ratings, satisfied
    compression = _compression()  # the catalog alone does not add a department
    for department_id, one in figures.items():
        one.compression = compression.get(department_id)
    return dict(figures)


def _ratings(by: str, start: dt.date, end: dt.date) -> list[tuple[int, int, int]]:
    """(subject id, ratings, satisfied) per department or window from the ratings' tally."""
    rows = (
        RatingTally.objects.filter(month__gte=start.replace(day=1), month__lte=end)
        .filter(**{f"{by}__isnull": False})
        .order_by()
        .values(by)
        .annotate(n=Sum("count"), ok=Sum("count", filter=Q(level__in=SATISFIED_LEVELS)))
    )
    return [(row[by], row["n"] or 0, row["ok"] or 0) for row in rows if row["n"]]


def _compression() -> dict[int, Decimal | None]:
    """department id → average (statutory − committed) ÷ statutory of its published items."""
    ratio = Cast(F("statutory_days") - F("committed_days"), FloatField()) / Cast(
        F("statutory_days"), FloatField()
    )
    rows = (
        ItemVersion.objects.filter(status=VersionStatus.PUBLISHED, statutory_days__gt=0)
        .order_by()
        .values("item__department")
        .annotate(avg=Avg(ratio, output_field=FloatField()))
    )
    result: dict[int, Decimal | None] = {}
    for row in rows:
        value = row["avg"]
        result[row["item__department"]] = (
            None if value is None else Decimal(repr(value)).quantize(RATE_PLACES, ROUND_HALF_UP)
        )
    return result


def window_figures(start: dt.date, end: dt.date) -> dict[int, Figures]:
    """Every active window (and any other with decisions or cards in the period) → figures."""
    low, high = day_bounds(start, end)
    figures: defaultdict[int, Figures] = defaultdict(Figures)
    for pk in Window.objects.filter(is_active=True).values_list("pk", flat=True):
        figures[pk] = Figures()
    in_period = CaseEvent.objects.filter(action__in=INTAKE_ACTIONS, at__gte=low, at__lt=high)
    last_intake = CaseEvent.objects.filter(case=OuterRef("pk"), action__in=INTAKE_ACTIONS).order_by(
        "-at", "-pk"
    )
    in_time = Q(intake_day__lte=F("intake_due")) | Q(intake_from=CaseStatus.CORRECTION)
    decided = (
        Case.objects.filter(intake_window__isnull=False, pk__in=in_period.values("case_id"))
        .annotate(
            intake_at=Subquery(last_intake.values("at")[:1]),
            intake_from=Subquery(last_intake.values("old_status")[:1]),
        )
        .filter(intake_at__gte=low, intake_at__lt=high)
        .annotate(intake_day=TruncDate("intake_at"))
        .order_by()
        .values("intake_window")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(deemed_accepted=False) & in_time),
            early=Count("pk", filter=Q(deemed_accepted=False, intake_day__lt=F("intake_due"))),
        )
    )
    for row in decided:
        one = figures[row["intake_window"]]
        one.received = one.closed = row["n"]
        one.on_time, one.early = row["on_time"], row["early"]
    cards = (
        Card.objects.filter(
            _counted(low, high), rule__code__in=INTAKE_RULES, case__intake_window__isnull=False
        )
        .exclude(status=CardStatus.CANCELLED)
        .order_by()
        .values("case__intake_window")
        .annotate(**_by_level())
    )
    for row in cards:
        one = figures[row["case__intake_window"]]
        one.yellow, one.red = row["yellow"], row["red"]
    for subject, ratings, satisfied in _ratings("window", start, end):
        one = figures[subject]
        one.ratings, one.satisfied = ratings, satisfied
    return dict(figures)
