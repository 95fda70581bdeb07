"""Statistics reads: the figures of a filter, from the rollups only
(docs/rules/statistics.md §M2, docs/rules/statistics.md §M6). Never a scan of the cases: every query here groups rollup rows of the period.

- ``public_figures(**filters)``: what the public page shows (counts, rates, durations,
  compression, current status);
- ``dashboard_figures(user, **filters)``: the staff dashboard: the same plus the stage view
  and durations against each item's limits; department staff see their own department only
  (``Perm.STATS_DEPARTMENT``), supervisors and administrators every one (``Perm.STATS_ALL``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from onewindow.accounts.roles import Perm, has_perm
from onewindow.catalog.models import Department, Item, ItemVersion, Region, VersionStatus
from onewindow.stats.errors import StatsError
from onewindow.stats.figures import Counts, Figures, mean, p90
from onewindow.stats.filters import Filters, filters_parse
from onewindow.stats.models import (
    DurationRollup,
    MonthlyRollup,
    StageRollup,
    StatusRollup,
)
from onewindow.supervision.selectors.score_figures import RATE_PLACES

COUNTERS = (
    "received",
    "accepted",
    "closed",
    "closed_on_time",
    "closed_early",
    "days_sum",
    "measured",
)


class StatsForbidden(StatsError):
    """Not for this user: the views answer it with a logged 404 (``core.access.deny``)."""

    code = "not_found"

    def __init__(self, message: str, *, target: str) -> None:
        super().__init__(message)
        self.target = target


@dataclass(frozen=True)
class ItemLimit:
    """An item's current limits (its published version): statutory and committed working days
    and the compression (statutory − committed) ÷ statutory (docs/rules/supervision.md §D4)."""

    item_id: int
    name: str
    department_id: int
    statutory_days: int
    committed_days: int

    @property
    def compression(self) -> Decimal | None:
        if not self.statutory_days:
            return None
        value = Decimal(self.statutory_days - self.committed_days) / Decimal(self.statutory_days)
        return value.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class Stats:
    """One answer: the filters, the figures and the names to show them with."""

    filters: Filters
    figures: Figures
    limits: dict[int, ItemLimit] = field(default_factory=dict)
    departments: dict[int, str] = field(default_factory=dict)
    items: dict[int, str] = field(default_factory=dict)
    regions: dict[int, str] = field(default_factory=dict)
    staff: bool = False

    @property
    def compression(self) -> Decimal | None:
        """The plain average of the items' compressions (items with a statutory limit)."""
        values = [c for c in (limit.compression for limit in self.limits.values()) if c is not None]
        if not values:
            return None
        return (sum(values, Decimal(0)) / len(values)).quantize(RATE_PLACES, ROUND_HALF_UP)

    def item_p90(self, item_id: int) -> int | None:
        return p90(self.figures.item_histograms.get(item_id, {}))

    def item_mean(self, item_id: int) -> Decimal | None:
        counts = self.figures.by_item.get(item_id, Counts())
        return mean(counts.days_sum, counts.measured)


def _scoped(qs: QuerySet[Any], filters: Filters) -> QuerySet[Any]:
    qs = qs.filter(**filters.months())
    if filters.department_id is not None:
        qs = qs.filter(department_id=filters.department_id)
    if filters.item_id is not None:
        qs = qs.filter(item_id=filters.item_id)
    if filters.region_ids is not None:
        qs = qs.filter(region_id__in=filters.region_ids)
    return qs.order_by()


def _counts(row: dict[str, Any]) -> Counts:
    return Counts(
        received=row["received"] or 0,
        accepted=row["accepted"] or 0,
        closed=row["closed"] or 0,
        on_time=row["closed_on_time"] or 0,
        early=row["closed_early"] or 0,
        days_sum=row["days_sum"] or 0,
        measured=row["measured"] or 0,
    )


def figures_from_rollups(filters: Filters, *, stages: bool = True) -> Figures:
    """The figures of ``filters`` from the rollup tables alone.

    One grouped read per table shape, each over the filter's rollup rows: the monthly counts by
    month, by (department, item) — summed here into departments and the total — and by region;
    the statuses; the duration histogram by item (the overall histogram is its sum); the
    stages. The monthly rows carry the number of measured cases, so the histogram, the largest
    rollup, is read once."""
    out = Figures()
    monthly = _scoped(MonthlyRollup.objects.all(), filters)
    sums = {name: Sum(name) for name in COUNTERS}
    for row in monthly.values("month").annotate(**sums):
        out.by_month[row["month"]] = _counts(row)
    for row in monthly.values("region_id").annotate(**sums):
        out.by_region[row["region_id"]] = _counts(row)
    for row in monthly.values("department_id", "item_id").annotate(**sums):
        counts = _counts(row)
        out.by_item.setdefault(row["item_id"], Counts()).add(counts)
        out.by_department.setdefault(row["department_id"], Counts()).add(counts)
        out.total.add(counts)
    for row in _scoped(StatusRollup.objects.all(), filters).values("status").annotate(n=Sum("n")):
        if row["n"]:
            out.by_status[row["status"]] = row["n"]
    durations = _scoped(DurationRollup.objects.all(), filters)
    for row in durations.values("item_id", "days").annotate(n=Sum("n")):
        if row["n"]:
            out.histogram[row["days"]] = out.histogram.get(row["days"], 0) + row["n"]
            out.item_histograms.setdefault(row["item_id"], {})[row["days"]] = row["n"]
    if stages:
        rows = (
            _scoped(StageRollup.objects.all(), filters)
            .values("item_id", "stage", "stage_department_id")
            .annotate(n=Sum("n"), d=Sum("days_sum"))
        )
        for row in rows:
            if row["n"]:
                key = (row["item_id"], row["stage"], row["stage_department_id"])
                out.stages[key] = (row["n"], row["d"] or 0)
    return out


def item_limits(filters: Filters) -> dict[int, ItemLimit]:
    """The published versions' limits of the items in the filter (the catalog, not cases)."""
    versions = ItemVersion.objects.filter(status=VersionStatus.PUBLISHED)
    if filters.department_id is not None:
        versions = versions.filter(item__department_id=filters.department_id)
    if filters.item_id is not None:
        versions = versions.filter(item_id=filters.item_id)
    rows = versions.values_list(
        "item_id", "name", "item__department_id", "statutory_days", "committed_days"
    ).order_by("item__sort", "item__code")
    return {row[0]: ItemLimit(*row) for row in rows}


def _stats(filters: Filters, *, staff: bool) -> Stats:
    figures = figures_from_rollups(filters, stages=staff)
    limits = item_limits(filters)
    items = {pk: limit.name for pk, limit in limits.items()}
    missing = set(figures.by_item) - set(items)
    if missing:
        names = ItemVersion.objects.filter(item_id__in=missing).order_by("item_id", "-pk")
        for item_id, name in names.values_list("item_id", "name"):
            items.setdefault(item_id, name)
    return Stats(
        filters=filters,
        figures=figures,
        limits=limits,
        departments=dict(Department.objects.values_list("pk", "name")),
        items=items,
        regions=dict(Region.objects.values_list("pk", "name")),
        staff=staff,
    )


def public_figures(**filters: Any) -> Stats:
    """The public statistics for the filters (year, month, start, end, department, item,
    region); StatsInvalid on a bad filter."""
    return public_figures_of(filters_parse(**filters))


def public_figures_of(filters: Filters) -> Stats:
    """``public_figures`` for filters already parsed (the pages and the API)."""
    return _stats(filters, staff=False)


def may_view_dashboard(user: Any) -> bool:
    return has_perm(user, Perm.STATS_ALL) or (
        has_perm(user, Perm.STATS_DEPARTMENT) and getattr(user, "department_id", None) is not None
    )


def sees_all(user: Any) -> bool:
    return has_perm(user, Perm.STATS_ALL)


def dashboard_scope(user: Any, filters: Filters) -> Filters:
    """The filters as this user may see them: department staff are held to their department;
    naming another department, or an item of one, is StatsForbidden."""
    if has_perm(user, Perm.STATS_ALL):
        return filters
    own = getattr(user, "department_id", None)
    if not has_perm(user, Perm.STATS_DEPARTMENT) or own is None:
        raise StatsForbidden(_("您无权查看统计分析。"), target="stats:dashboard")
    if filters.department_id is not None and filters.department_id != own:
        raise StatsForbidden(
            _("您只能查看本部门的统计。"), target=f"stats department {filters.department_id}"
        )
    if filters.item_id is not None:
        owner = Item.objects.filter(pk=filters.item_id).values_list("department_id", flat=True)
        if owner.first() != own:
            raise StatsForbidden(
                _("您只能查看本部门事项的统计。"), target=f"stats item {filters.item_id}"
            )
    return Filters(
        filters.start, filters.end, own, filters.item_id, filters.region_id, filters.region_ids
    )


def dashboard_figures(user: Any, **filters: Any) -> Stats:
    """The staff dashboard's figures (see the module docstring)."""
    return _stats(dashboard_scope(user, filters_parse(**filters)), staff=True)


def dashboard_figures_of(user: Any, filters: Filters) -> Stats:
    return _stats(dashboard_scope(user, filters), staff=True)
