"""The statistics tables: one list of rows per view, shared by the pages (each chart is drawn
from its table and followed by it), the CSV and Excel exports and the API
(docs/rules/statistics.md §M6, docs/rules/statistics.md §M7)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from onewindow.cases.models import CaseStatus
from onewindow.stats.figures import Counts, mean, p90
from onewindow.stats.models import HISTOGRAM_CAP, STAGE_ORDER, Stage
from onewindow.stats.selectors import Stats

Cell = int | str | Decimal | None


@dataclass(frozen=True)
class Chart:
    """How to draw a table: ``kind`` (bar, hbar, line, pie), the column of the labels and the
    columns of the series (numbers)."""

    kind: str
    series: tuple[int, ...]
    label: int = 0


@dataclass
class Table:
    name: str
    caption: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: Chart | None = None
    note: str = ""

    def as_dicts(self) -> list[dict[str, Any]]:
        return [
            dict(zip(self.headers, (json_cell(c) for c in row), strict=True)) for row in self.rows
        ]


def json_cell(cell: Cell) -> Any:
    if isinstance(cell, Decimal):
        return str(cell)
    return cell


def percent(rate: Decimal | None) -> str | None:
    """0.9107 → "91.1%"; None stays None (shown as a dash)."""
    if rate is None:
        return None
    return f"{(rate * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def days_label(value: int | None) -> str | None:
    if value is None:
        return None
    if value >= HISTOGRAM_CAP:
        return _("%(n)s 及以上") % {"n": HISTOGRAM_CAP}
    return str(value)


def _flow_headers(first: str) -> list[str]:
    return [
        first,
        _("收件"),
        _("受理"),
        _("办结"),
        _("按时办结"),
        _("按时办结率"),
        _("提前办结"),
        _("提前办结率"),
        _("平均办理用时（工作日）"),
    ]


def _flow(label: Cell, c: Counts) -> list[Cell]:
    return [
        label,
        c.received,
        c.accepted,
        c.closed,
        c.on_time,
        percent(c.on_time_rate),
        c.early,
        percent(c.early_rate),
        c.mean_days,
    ]


def summary_table(stats: Stats) -> Table:
    t = stats.figures.total
    rows: list[list[Cell]] = [
        [_("收件数"), t.received],
        [_("受理数"), t.accepted],
        [_("办结数"), t.closed],
        [_("按时办结数"), t.on_time],
        [_("按时办结率"), percent(t.on_time_rate)],
        [_("提前办结数"), t.early],
        [_("提前办结率"), percent(t.early_rate)],
        [_("平均办理用时（工作日）"), t.mean_days],
        [_("办理用时 P90（工作日）"), days_label(stats.figures.p90_days)],
        [_("平均时限压缩率"), percent(stats.compression)],
    ]
    return Table(
        "summary",
        _("总体情况"),
        [_("指标"), _("数值")],
        rows,
        note=_(
            "按时办结率＝按时办结数÷办结数；提前办结率＝在承诺期限前办结数÷办结数；"
            "办理用时自受理之日起按工作日计算，不含特别程序时间；"
            "时限压缩率＝（法定时限－承诺时限）÷法定时限，按事项平均。"
        ),
    )


def month_table(stats: Stats) -> Table:
    rows = [
        _flow(date_format(month, "YEAR_MONTH_FORMAT"), c)
        for month, c in sorted(stats.figures.by_month.items())
    ]
    return Table("by_month", _("按月份"), _flow_headers(_("月份")), rows, Chart("line", (1, 3)))


def _named(
    name: str, caption: str, first: str, data: dict[int, Counts], names: dict[int, str]
) -> Table:
    ordered = sorted(data.items(), key=lambda kv: (-kv[1].received, names.get(kv[0], "")))
    rows = [_flow(names.get(pk, str(pk)), c) for pk, c in ordered]
    return Table(name, caption, _flow_headers(first), rows, Chart("hbar", (1, 3)))


def status_table(stats: Stats) -> Table:
    order = {value: i for i, value in enumerate(CaseStatus.values)}
    rows: list[list[Cell]] = [
        [str(CaseStatus(status).label), n]
        for status, n in sorted(stats.figures.by_status.items(), key=lambda kv: order[kv[0]])
    ]
    return Table(
        "by_status",
        _("按当前状态（期间内收件的办件）"),
        [_("状态"), _("办件数")],
        rows,
        Chart("pie", (1,)),
    )


def item_table(stats: Stats) -> Table:
    """Per item: flow, durations (mean, p90) against the committed and statutory limits."""
    figures = stats.figures
    ids = list(stats.limits) + sorted(set(figures.by_item) - set(stats.limits))
    rows: list[list[Cell]] = []
    for item_id in ids:
        c = figures.by_item.get(item_id, Counts())
        limit = stats.limits.get(item_id)
        rows.append(
            [
                stats.items.get(item_id, str(item_id)),
                c.received,
                c.closed,
                percent(c.on_time_rate),
                mean(c.days_sum, c.measured),
                days_label(p90(figures.item_histograms.get(item_id, {}))),
                limit.committed_days if limit else None,
                limit.statutory_days if limit else None,
                percent(limit.compression) if limit else None,
            ]
        )
    return Table(
        "by_item",
        _("按事项：办理用时与时限"),
        [
            _("事项"),
            _("收件"),
            _("办结"),
            _("按时办结率"),
            _("平均办理用时（工作日）"),
            _("办理用时 P90（工作日）"),
            _("承诺时限（工作日）"),
            _("法定时限（工作日）"),
            _("时限压缩率"),
        ],
        rows,
        Chart("hbar", (4, 6, 7)),
    )


def duration_table(stats: Stats) -> Table:
    rows: list[list[Cell]] = [
        [days_label(days), n] for days, n in sorted(stats.figures.histogram.items())
    ]
    return Table(
        "durations",
        _("办理用时分布"),
        [_("办理用时（工作日）"), _("办件数")],
        rows,
        Chart("bar", (1,)),
    )


def stage_label(stage: str, department_id: int, departments: dict[int, str]) -> str:
    label = str(Stage(stage).label)
    if department_id:
        return f"{label}（{departments.get(department_id, str(department_id))}）"
    return label


def stage_table(stats: Stats, item_id: int | None = None) -> Table:
    """Stage by stage: cases, mean and total working days (the bottleneck view)."""
    totals: dict[tuple[str, int], list[int]] = {}
    for (item, stage, department), (n, days) in stats.figures.stages.items():
        if item_id is not None and item != item_id:
            continue
        row = totals.setdefault((stage, department), [0, 0])
        row[0] += n
        row[1] += days
    order = {stage: i for i, stage in enumerate(STAGE_ORDER)}
    rows: list[list[Cell]] = [
        [stage_label(stage, department, stats.departments), n, mean(days, n), days]
        for (stage, department), (n, days) in sorted(
            totals.items(),
            key=lambda kv: (order[Stage(kv[0][0])], stats.departments.get(kv[0][1], "")),
        )
    ]
    return Table(
        "stages",
        _("各环节用时"),
        [_("环节"), _("办件数"), _("平均用时（工作日）"), _("累计用时（工作日）")],
        rows,
        Chart("hbar", (2,)),
        note=_(
            "各部门审查并联进行，各环节平均用时之和不等于办理总用时；平均用时最长的环节即瓶颈。"
        ),
    )


def public_tables(stats: Stats) -> list[Table]:
    return [
        summary_table(stats),
        month_table(stats),
        status_table(stats),
        _named(
            "by_department", _("按部门"), _("部门"), stats.figures.by_department, stats.departments
        ),
        item_table(stats),
        _named("by_region", _("按区域"), _("区域"), stats.figures.by_region, stats.regions),
        duration_table(stats),
    ]


def dashboard_tables(stats: Stats) -> list[Table]:
    return [*public_tables(stats), stage_table(stats)]


def item_stage_tables(stats: Stats, item_id: int) -> list[Table]:
    return [summary_table(stats), stage_table(stats, item_id), duration_table(stats)]


def export_name(table: Table, when: dt.date) -> str:
    return f"stats-{table.name}-{when.isoformat()}"
