"""The statistics figures, one shape whether read from the rollups (``selectors``) or counted
from the cases (``recount``) (docs/rules/statistics.md §M1, §M2).

Rates reuse the supervision scores' definition and rounding (``score_figures.rate``: 4
decimals, half up; None with nothing to divide by), so a department's on-time rate here and on
its score card agree.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from onewindow.supervision.selectors.score_figures import rate

__all__ = ["Counts", "Figures", "mean", "p90", "rate"]


def mean(days_sum: int, n: int) -> Decimal | None:
    """Mean working days to one decimal (half up); None with no measured case."""
    if not n:
        return None
    return (Decimal(days_sum) / Decimal(n)).quantize(Decimal("0.1"), rounding="ROUND_HALF_UP")


def p90(histogram: dict[int, int]) -> int | None:
    """The 90th percentile by nearest rank: the smallest value v such that at least 90 % of
    the cases took v working days or fewer (ceil(0.9 × N)-th value in order). ``HISTOGRAM_CAP``
    means that many or more. None with no case."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = math.ceil(total * 9 / 10)
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable")


@dataclass
class Counts:
    received: int = 0
    accepted: int = 0
    closed: int = 0
    on_time: int = 0
    early: int = 0
    days_sum: int = 0
    measured: int = 0  # decided cases whose duration is known (the mean's divisor)

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def on_time_rate(self) -> Decimal | None:
        return rate(self.on_time, self.closed)

    @property
    def early_rate(self) -> Decimal | None:
        return rate(self.early, self.closed)

    @property
    def mean_days(self) -> Decimal | None:
        return mean(self.days_sum, self.measured)


@dataclass
class Figures:
    """Everything the statistics pages show for one filter (all exact integers)."""

    total: Counts = field(default_factory=Counts)
    by_month: dict[dt.date, Counts] = field(default_factory=dict)
    by_department: dict[int, Counts] = field(default_factory=dict)
    by_item: dict[int, Counts] = field(default_factory=dict)
    by_region: dict[int, Counts] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    histogram: dict[int, int] = field(default_factory=dict)
    item_histograms: dict[int, dict[int, int]] = field(default_factory=dict)
    # (item id, stage, stage department id or 0) → (cases, working days)
    stages: dict[tuple[int, str, int], tuple[int, int]] = field(default_factory=dict)

    @property
    def p90_days(self) -> int | None:
        return p90(self.histogram)

    def comparable(self) -> dict[str, object]:
        """A plain form without zero rows, for comparing two ways of counting in tests."""

        def counts(rows: dict[object, Counts]) -> dict[object, tuple[int, ...]]:
            return {
                key: tuple(vars(c).values()) for key, c in rows.items() if any(vars(c).values())
            }

        return {
            "total": tuple(vars(self.total).values()),
            "by_month": counts(self.by_month),  # type: ignore[arg-type]
            "by_department": counts(self.by_department),  # type: ignore[arg-type]
            "by_item": counts(self.by_item),  # type: ignore[arg-type]
            "by_region": counts(self.by_region),  # type: ignore[arg-type]
            "by_status": {k: v for k, v in self.by_status.items() if v},
            "histogram": {k: v for k, v in self.histogram.items() if v},
            "item_histograms": {
                item: {k: v for k, v in h.items() if v}
                for item, h in self.item_histograms.items()
                if any(h.values())
            },
            "stages": {k: v for k, v in self.stages.items() if v[0]},
        }
