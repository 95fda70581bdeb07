"""The monthly window score as a pure function (docs/rules/hall.md §J3, §J18).

Each component is worth 0–100 points, rounded to two places (half up); the score is the sum of
weight × points ÷ 100 over the five components, rounded to two places (half up). The weights
add up to 100, so the score is 0–100 as well.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

HUNDRED = Decimal(100)
PLACES = Decimal("0.01")

WEIGHT_FIELDS = (
    "weight_satisfaction",
    "weight_on_time",
    "weight_complaints",
    "weight_cards",
    "weight_discipline",
)
DEDUCTION_FIELDS = (
    "complaint_deduction",
    "yellow_card_deduction",
    "red_card_deduction",
    "warning_deduction",
    "interview_deduction",
    "notice_deduction",
    "removal_deduction",
)


@dataclass(frozen=True)
class Inputs:
    """What one window did in one month."""

    ratings: int = 0
    satisfied: int = 0
    cases_closed: int = 0
    cases_on_time: int = 0
    complaints_upheld: int = 0
    yellow_cards: int = 0
    red_cards: int = 0
    warnings: int = 0
    interviews: int = 0
    notices: int = 0
    removals: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Points:
    """The five component points and the score (None: too few ratings to be evaluated)."""

    satisfaction: Decimal | None
    on_time: Decimal
    complaints: Decimal
    cards: Decimal
    discipline: Decimal
    score: Decimal | None


def _round(value: Decimal) -> Decimal:
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def _share(part: int, whole: int) -> Decimal:
    return _round(Decimal(part) * HUNDRED / Decimal(whole))


def _deducted(total: int) -> Decimal:
    return _round(max(Decimal(0), HUNDRED - Decimal(total)))


def points(inputs: Inputs, settings: Any) -> Points:
    """The points of ``inputs`` under ``settings`` (a ``ConductConfig`` or any object with its
    fields)."""
    satisfaction = (
        _share(inputs.satisfied, inputs.ratings)
        if inputs.ratings and inputs.ratings >= settings.min_ratings
        else None
    )
    # No case closed in the month: nothing was late (docs/rules/hall.md §J18).
    on_time = _share(inputs.cases_on_time, inputs.cases_closed) if inputs.cases_closed else HUNDRED
    complaints = _deducted(inputs.complaints_upheld * settings.complaint_deduction)
    cards = _deducted(
        inputs.yellow_cards * settings.yellow_card_deduction
        + inputs.red_cards * settings.red_card_deduction
    )
    discipline = _deducted(
        inputs.warnings * settings.warning_deduction
        + inputs.interviews * settings.interview_deduction
        + inputs.notices * settings.notice_deduction
        + inputs.removals * settings.removal_deduction
    )
    score = None
    if satisfaction is not None:
        weighted = (
            satisfaction * settings.weight_satisfaction
            + on_time * settings.weight_on_time
            + complaints * settings.weight_complaints
            + cards * settings.weight_cards
            + discipline * settings.weight_discipline
        )
        score = _round(weighted / HUNDRED)
    return Points(satisfaction, on_time, complaints, cards, discipline, score)


def tie_key(
    score: Decimal, satisfaction: Decimal, on_time: Decimal, number: str
) -> tuple[Any, ...]:
    """docs/rules/hall.md §J18: higher score first; on a tie the higher satisfaction points,
    then the higher on-time points, then the window number (ascending)."""
    return (-score, -satisfaction, -on_time, number)


def designations(ranked: int, size: int) -> tuple[int, int]:
    """How many of ``ranked`` windows are 红旗窗口 and how many 末位窗口: ``size`` each, but never
    more than half of the ranked windows each, so no window is both."""
    n = min(size, ranked // 2)
    return n, n
