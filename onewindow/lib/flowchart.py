"""An approval process drawn as SVG (权力运行流程图). Pure Python, no Django, no script.

The chart reads top to bottom, the way the hall's printed flowcharts do: window intake, then
one lane per department side by side (they review at the same time; the lead marked 牵头), each
lane its steps with the role doing them and its allotted time, then the lead's consolidation and
decision, then delivery. Every text comes from the caller (already translated); every text is
XML-escaped here. Accessible: ``role="img"`` with ``<title>`` and ``<desc>`` (the whole process in
one sentence for screen readers); black on white with outlines, so it prints in grey scale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

FONT_FAMILY = (
    "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',"
    "'WenQuanYi Zen Hei',sans-serif"
)
MARGIN = 16
LANE_WIDTH = 180
LANE_GAP = 14
MIN_WIDTH = 560
STEP_HEIGHT = 44
STEP_GAP = 18
BOX_WIDTH = 220
BOX_HEIGHT = 54
ARROW_GAP = 30
TEXT = 14
SMALL = 12
LINE = 1.35  # line height as a multiple of the font size
INK = "#1a1a1a"
LEAD_FILL = "#eef3fb"
CLOSING = frozenset(")，。、；：!?》」』”’)],.;:!?")
# Characters XML 1.0 does not allow (they could come from a stored name).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Step:
    kind: str  # 承办 / 审核 / 批准
    role: str  # 承办人 / 审核人 / 批准人 / 首席代表


@dataclass(frozen=True)
class Lane:
    department: str
    lead: bool
    days: str  # "5个工作日"
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    intake: str
    intake_note: str
    lanes: tuple[Lane, ...]
    parallel_note: str
    lead_mark: str
    days_label: str
    decision: str
    decision_note: str
    delivery: str
    delivery_note: str
    summary: str = ""


def text_width(text: str, size: float) -> float:
    """Approximate rendered width: CJK and full-width characters one em, others about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.58 for ch in text)


def wrap(text: str, width: float, size: float) -> list[str]:
    """Greedy line breaking by character (Chinese breaks anywhere); closing punctuation hangs
    at the end of its line rather than start the next one."""
    lines, current = [], ""
    for ch in text:
        if current and ch not in CLOSING and text_width(current + ch, size) > width:
            lines.append(current)
            current = ""
        current += ch
    if current or not lines:
        lines.append(current)
    return lines


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _text(text: str) -> str:
    return escape(_clean(text))


def _attr(text: str) -> str:
    return escape(_clean(text), {'"': "&quot;"})


class _Canvas:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, **style: str) -> None:
        extra = "".join(f' {k.replace("_", "-")}="{_attr(v)}"' for k, v in style.items())
        self.parts.append(f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}"{extra}/>')

    def text(
        self, x: float, y: float, text: str, size: int = TEXT, bold: bool = False, **style: str
    ) -> None:
        weight = ' font-weight="bold"' if bold else ""
        extra = "".join(f' {k.replace("_", "-")}="{_attr(v)}"' for k, v in style.items())
        self.parts.append(
            f'<text x="{x:g}" y="{y:g}" font-size="{size}"{weight}{extra}>{_text(text)}</text>'
        )

    def lines(self, cx: float, top: float, lines: list[str], size: int, bold: bool = False) -> None:
        """Centred lines whose first line's box starts at ``top``."""
        for n, line in enumerate(lines):
            self.text(cx, top + size * (0.95 + n * LINE), line, size, bold, text_anchor="middle")

    def line(self, x1: float, y1: float, x2: float, y2: float, arrow: bool = False) -> None:
        end = ' marker-end="url(#flow-arrow)"' if arrow else ""
        self.parts.append(
            f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" stroke="{INK}"'
            f' stroke-width="1.5"{end}/>'
        )

    def box(self, cx: float, y: float, title: str, note: str) -> float:
        """A node of the main flow; returns its bottom."""
        note_lines = wrap(note, BOX_WIDTH - 16, SMALL) if note else []
        height = max(BOX_HEIGHT, 14 + TEXT * LINE + len(note_lines) * SMALL * LINE + 8)
        self.rect(
            cx - BOX_WIDTH / 2,
            y,
            BOX_WIDTH,
            height,
            rx="8",
            fill="#ffffff",
            stroke=INK,
            stroke_width="1.5",
        )
        self.lines(cx, y + 9, [title], TEXT + 1, bold=True)
        self.lines(cx, y + 12 + TEXT * LINE, note_lines, SMALL)
        return y + height


def render_svg(chart: Chart) -> str:
    """The chart as a standalone SVG document (also valid inline in HTML)."""
    lanes = chart.lanes
    count = max(len(lanes), 1)
    lanes_width = count * LANE_WIDTH + (count - 1) * LANE_GAP
    width = max(MIN_WIDTH, lanes_width + 2 * MARGIN)
    cx = width / 2
    canvas = _Canvas()

    title_lines = wrap(chart.title, width - 2 * MARGIN, TEXT + 3)
    canvas.lines(cx, MARGIN, title_lines, TEXT + 3, bold=True)
    y = MARGIN + len(title_lines) * (TEXT + 3) * LINE + 10

    bottom = canvas.box(cx, y, chart.intake, chart.intake_note)
    fork = bottom + ARROW_GAP
    canvas.line(cx, bottom, cx, fork)
    left = cx - lanes_width / 2
    centres = [left + n * (LANE_WIDTH + LANE_GAP) + LANE_WIDTH / 2 for n in range(len(lanes))]
    if len(centres) > 1:
        canvas.line(centres[0], fork, centres[-1], fork)
    canvas.text(cx + 8, fork - 8, chart.parallel_note, SMALL, fill=INK)
    top = fork + ARROW_GAP - 6
    for centre in centres:
        canvas.line(centre, fork, centre, top, arrow=True)

    lane_bottom = _lanes(canvas, chart, left, top)

    join = lane_bottom + ARROW_GAP - 6
    for centre in centres:
        canvas.line(centre, lane_bottom, centre, join)
    if len(centres) > 1:
        canvas.line(centres[0], join, centres[-1], join)
    decision_top = join + ARROW_GAP - 6
    canvas.line(cx, join, cx, decision_top, arrow=True)
    bottom = canvas.box(cx, decision_top, chart.decision, chart.decision_note)
    delivery_top = bottom + ARROW_GAP
    canvas.line(cx, bottom, cx, delivery_top, arrow=True)
    bottom = canvas.box(cx, delivery_top, chart.delivery, chart.delivery_note)

    y = bottom + 14
    for line in wrap(chart.summary, width - 2 * MARGIN, SMALL) if chart.summary else []:
        y += SMALL * LINE
        canvas.text(MARGIN, y, line, SMALL, fill=INK)
    height = y + MARGIN
    return _document(chart, width, height, canvas.parts)


def _lanes(canvas: _Canvas, chart: Chart, left: float, top: float) -> float:
    """Draw the department lanes side by side, all as tall as the tallest; returns the bottom."""
    inner = LANE_WIDTH - 20
    names = [wrap(lane.department, inner, TEXT) for lane in chart.lanes]
    has_lead = len(chart.lanes) > 1 and any(lane.lead for lane in chart.lanes)
    header = (SMALL * LINE + 8 if has_lead else 0) + max(map(len, names), default=1) * TEXT * LINE
    most_steps = max((len(lane.steps) for lane in chart.lanes), default=0)
    steps_height = most_steps * STEP_HEIGHT + max(most_steps - 1, 0) * STEP_GAP
    footer = SMALL * LINE * 2 + 16
    height = 12 + header + 12 + steps_height + 12 + footer
    for n, (lane, name_lines) in enumerate(zip(chart.lanes, names, strict=True)):
        x = left + n * (LANE_WIDTH + LANE_GAP)
        centre = x + LANE_WIDTH / 2
        canvas.parts.append(f"<g><title>{_text(lane.department)}</title>")
        canvas.rect(
            x,
            top,
            LANE_WIDTH,
            height,
            rx="6",
            fill=LEAD_FILL if lane.lead else "#ffffff",
            stroke=INK,
            stroke_width="2.5" if lane.lead else "1",
            stroke_dasharray="none" if lane.lead else "5 3",
        )
        y = top + 12
        if lane.lead and len(chart.lanes) > 1:
            badge = text_width(chart.lead_mark, SMALL) + 16
            canvas.rect(centre - badge / 2, y, badge, SMALL * LINE + 4, rx="9", fill=INK)
            canvas.text(
                centre,
                y + SMALL + 1,
                chart.lead_mark,
                SMALL,
                bold=True,
                fill="#ffffff",
                text_anchor="middle",
            )
        y = top + 12 + (SMALL * LINE + 8 if has_lead else 0)
        canvas.lines(centre, y, name_lines, TEXT, bold=True)
        y = top + 12 + header + 12
        for k, step in enumerate(lane.steps):
            if k:
                canvas.line(centre, y - STEP_GAP, centre, y, arrow=True)
            canvas.rect(x + 12, y, LANE_WIDTH - 24, STEP_HEIGHT, rx="4", fill="#ffffff", stroke=INK)
            canvas.lines(centre, y + 5, [step.kind], TEXT, bold=True)
            canvas.lines(centre, y + 7 + TEXT * LINE, wrap(step.role, inner - 8, SMALL)[:1], SMALL)
            y += STEP_HEIGHT + STEP_GAP
        footer_top = top + height - SMALL * LINE * 2 - 12
        canvas.lines(centre, footer_top, [chart.days_label, lane.days], SMALL, bold=True)
        canvas.parts.append("</g>")
    return top + height


def _document(chart: Chart, width: float, height: float, parts: list[str]) -> str:
    width, height = round(width), round(height)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="flowchart-svg"'
        f' width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' aria-labelledby="flow-title flow-desc" font-family="{_attr(FONT_FAMILY)}" fill="{INK}">'
        f'<title id="flow-title">{_text(chart.title)}</title>'
        f'<desc id="flow-desc">{_text(chart.description)}</desc>'
        "<defs>"
        '<marker id="flow-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"'
        f' markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{INK}"/>'
        "</marker></defs>"
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
    )
    return head + "".join(parts) + "</svg>"
