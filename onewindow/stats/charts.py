"""Charts drawn on the server as SVG with pygal (docs/rules/statistics.md §M7).

No script reaches the browser: pygal's configuration script is dropped, its tooltips with it;
its one ``<style>`` element carries the response's CSP nonce, and the inline style attributes
it writes for tooltips are removed (the policy allows no inline styles). The chart is hidden
from assistive technology (``aria-hidden``): the data table that follows it is its accessible
version, with the same numbers.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pygal
from django.utils.html import escape
from pygal.style import Style

from onewindow.stats.tables import Cell, Chart, Table

TRUNCATE = 18  # characters of a label or legend entry in a chart (the table has them whole)
MAX_BARS = 15  # a chart shows the first rows; the table has them all
FONT = '"Noto Sans CJK SC","WenQuanYi Zen Hei","Microsoft YaHei",sans-serif'
CHART_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#616e7c",
    colors=("#1d5fa8", "#c2410c", "#15803d", "#7c3aed", "#b45309", "#0f766e", "#be123c"),
    font_family=FONT,
    label_font_family=FONT,
    major_label_font_family=FONT,
    value_font_family=FONT,
    title_font_family=FONT,
    legend_font_family=FONT,
    tooltip_font_family=FONT,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    title_font_size=15,
)
KINDS: dict[str, Any] = {
    "bar": pygal.Bar,
    "hbar": pygal.HorizontalBar,
    "line": pygal.Line,
    "pie": pygal.Pie,
}
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_STYLE_ATTR = re.compile(r'\sstyle="[^"]*"')
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _number(cell: Cell) -> float | None:
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, int | Decimal):
        return float(cell)
    return None


def chart_svg(table: Table, *, nonce: str = "") -> str:
    """The table's chart as inline SVG markup ("" for a table without chart or rows).

    Drawing is the slow part of a statistics page (pygal takes tens of milliseconds a chart), and
    the figures only change when cases move: the drawn SVG is kept per (chart, caption, headers,
    rows) in a small per-process cache, and the response's CSP nonce is added afterwards."""
    spec = table.chart
    if spec is None or not table.rows:
        return ""
    rows = table.rows[:MAX_BARS] if spec.kind in ("bar", "hbar") else table.rows
    svg = _drawn(spec, table.caption, tuple(table.headers), tuple(tuple(row) for row in rows))
    svg = svg.replace("<style", f'<style nonce="{escape(nonce)}"', 1) if nonce else svg
    return svg


@lru_cache(maxsize=256)
def _drawn(
    spec: Chart, caption: str, headers: tuple[str, ...], rows: tuple[tuple[Cell, ...], ...]
) -> str:
    chart = KINDS[spec.kind](
        style=CHART_STYLE,
        js=[],
        disable_xml_declaration=True,
        width=760,
        height=max(260, 34 * len(rows) + 120) if spec.kind == "hbar" else 340,
        explicit_size=False,
        show_legend=spec.kind == "pie" or len(spec.series) > 1,
        legend_at_bottom=True,
        print_values=False,
        include_x_axis=spec.kind != "pie",  # counts start from 0
        truncate_label=TRUNCATE,
        truncate_legend=TRUNCATE,
        margin=12,
    )
    chart.title = caption
    labels = [str(row[spec.label]) for row in rows]
    if spec.kind == "hbar":
        # pygal measures labels as Latin text; Chinese characters are about twice as wide.
        longest = min(max(len(label) for label in labels), TRUNCATE)
        chart.config.margin_left = 14 * longest
    if spec.kind == "pie":
        for label, row in zip(labels, rows, strict=True):
            chart.add(label, _number(row[spec.series[0]]) or 0)
    else:
        chart.x_labels = labels
        for column in spec.series:
            chart.add(headers[column], [_number(row[column]) for row in rows])
    svg = str(chart.render(is_unicode=True))
    svg = _COMMENT.sub("", _SCRIPT.sub("", svg))
    svg = _STYLE_ATTR.sub("", svg)
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
