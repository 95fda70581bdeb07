"""The raw scan: the statistics figures counted straight from the cases, without the rollups
(docs/rules/statistics.md §M3).

The reference the rollups are tested against (they must agree exactly) and the baseline the
benchmark compares the rollup reads with. One pass over the filtered cases with their decision
and special-procedure days (``.iterator()``, nothing kept per case but the stage inputs of an
item's cases), durations by the same calendar and the same definitions (``facts``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from onewindow.cases.models import Case
from onewindow.review.models import Suspension
from onewindow.stats.facts import case_facts, decision_facts, month_of
from onewindow.stats.figures import Counts, Figures
from onewindow.stats.filters import Filters, filters_parse
from onewindow.stats.models import HISTOGRAM_CAP


def _in(month: dt.date | None, filters: Filters) -> bool:
    if month is None:
        return False
    if filters.start and month < filters.start:
        return False
    return not (filters.end and month > filters.end)


def _cases(filters: Filters) -> Any:
    cases = Case.objects.filter(received_on__isnull=False)
    if filters.department_id is not None:
        cases = cases.filter(department_id=filters.department_id)
    if filters.item_id is not None:
        cases = cases.filter(item_version__item_id=filters.item_id)
    if filters.region_ids is not None:
        cases = cases.filter(region_id__in=filters.region_ids)
    return cases


def figures_from_cases(*, stages: bool = True, **filters: Any) -> Figures:
    """The figures for ``filters`` (as ``selectors.public_figures`` takes them) from the cases.

    ``stages=False`` leaves the stage view out (it reads every case's tasks and notices: one
    query per case, which is why the pages never do this)."""
    parsed = filters_parse(**filters)
    spent = (
        Suspension.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(s=Sum("days_spent"))
        .values("s")
    )
    rows = (
        _cases(parsed)
        .annotate(
            item_id=F("item_version__item_id"),
            decided_on=F("decision__decided_on"),
            suspended=Coalesce(Subquery(spent), 0),
        )
        .order_by()
        .values_list(
            "pk",
            "department_id",
            "item_id",
            "region_id",
            "status",
            "received_on",
            "accepted_on",
            "decided_on",
            "decision_due",
            "suspended",
        )
    )
    out = Figures()
    groups: list[tuple[dict[Any, Counts], Any]] = []
    staged: list[int] = []
    for (
        pk,
        department_id,
        item_id,
        region_id,
        status,
        received_on,
        accepted_on,
        decided_on,
        decision_due,
        suspended,
    ) in rows.iterator(chunk_size=5000):
        one_received = month_of(received_on)
        one_accepted = month_of(accepted_on) if accepted_on else None
        closed_month, on_time, early, days = decision_facts(
            decided_on, decision_due, accepted_on, suspended
        )
        groups = [
            (out.by_department, department_id),
            (out.by_item, item_id),
            (out.by_region, region_id),
        ]
        adds: list[tuple[dt.date, Counts]] = []
        if _in(one_received, parsed):
            adds.append((one_received, Counts(received=1)))
            out.by_status[status] = out.by_status.get(status, 0) + 1
        if _in(one_accepted, parsed):
            assert one_accepted is not None
            adds.append((one_accepted, Counts(accepted=1)))
        if closed_month is not None and _in(closed_month, parsed):
            measured = days is not None
            adds.append(
                (
                    closed_month,
                    Counts(
                        closed=1,
                        on_time=int(on_time),
                        early=int(early),
                        days_sum=days or 0,
                        measured=int(measured),
                    ),
                )
            )
            if days is not None:
                bucket = min(days, HISTOGRAM_CAP)
                out.histogram[bucket] = out.histogram.get(bucket, 0) + 1
                per_item = out.item_histograms.setdefault(item_id, {})
                per_item[bucket] = per_item.get(bucket, 0) + 1
        for month, counts in adds:
            out.total.add(counts)
            out.by_month.setdefault(month, Counts()).add(counts)
            for table, key in groups:
                table.setdefault(key, Counts()).add(counts)
        if stages:
            staged.append(pk)
    if stages:
        out.stages = _stages(staged, parsed)
    return out


def _stages(case_ids: list[int], filters: Filters) -> dict[tuple[int, str, int], tuple[int, int]]:
    totals: dict[tuple[int, str, int], list[int]] = defaultdict(lambda: [0, 0])
    for case_id in case_ids:
        fact, stages = case_facts(case_id)
        if fact is None:
            continue
        for (stage, stage_department), (month, days) in stages.items():
            if _in(month, filters):
                row = totals[(fact.item_id, stage, stage_department)]
                row[0] += 1
                row[1] += days
    return {key: (n, days) for key, (n, days) in totals.items()}


__all__ = ["figures_from_cases"]
