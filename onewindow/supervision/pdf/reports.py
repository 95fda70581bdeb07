"""The situation report as tables (shared by the HTML page and the PDF) and as a PDF.

``report_sections`` turns the stored figures (``report_data``) into titled tables of strings, so
the page and the PDF always say the same thing; ``report_pdf`` lays them out with
``onewindow.lib.pdf`` (embedded CJK font), as ``letter_pdf`` does for the 督办函.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from onewindow.core import clock
from onewindow.lib.pdf import Block, Document, Heading, Table, render_document
from onewindow.supervision.models import SituationReport
from onewindow.supervision.selectors.report_figures import previous_period
from onewindow.supervision.services.scores import period_label

ISSUER = "电子监察"
DASH = "—"


@dataclass(frozen=True)
class Section:
    """One titled part of the report: a paragraph and/or a table (first column: row heads)."""

    key: str
    title: str
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    text: str = ""
    empty: str = ""
    widths: list[float] = field(default_factory=list)  # relative column widths in the PDF
    links: list[str] = field(default_factory=list)  # HTML only: where each row's head points

    @property
    def lines(self) -> list[tuple[list[str], str]]:
        """The rows with their links ("" for none), for the page."""
        return [
            (row, self.links[i] if i < len(self.links) else "") for i, row in enumerate(self.rows)
        ]


def _date(value: str | dt.date | None) -> str:
    """``2025-10-14`` → ``2025年10月14日``."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def _n(value: Any) -> str:
    return DASH if value is None else str(value)


def _rate(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f}%"


def _delta(value: int | None) -> str:
    if value is None:
        return DASH
    return f"+{value}" if value > 0 else str(value)


def _points(value: float | None) -> str:
    if value is None:
        return DASH
    return _("%(v)s 个百分点") % {"v": f"{value:+.1f}" if value else "0.0"}


def period_text(data: dict[str, Any]) -> str:
    """``2026年11月1日至2026年11月30日`` (and ``截至 …`` for a period not yet over)."""
    period = data["period"]
    text = _("%(a)s至%(b)s") % {"a": _date(period["start"]), "b": _date(period["end"])}
    if period["as_of"] != period["end"]:
        text += _("（截至%(d)s）") % {"d": _date(period["as_of"])}
    return text


def _headline(data: dict[str, Any]) -> Section:
    now, before, change = data["headline"], data["previous"], data["change"]
    lines = [
        ("received", _("收件")),
        ("closed", _("办结（作出审批决定）")),
        ("granted", _("其中：准予许可")),
        ("refused", _("其中：不予许可")),
        ("on_time", _("按时办结")),
        ("early", _("提前办结")),
        ("on_time_rate", _("按时办结率")),
        ("early_rate", _("提前办结率")),
        ("rejected", _("不予受理")),
        ("yellow", _("黄牌")),
        ("red", _("红牌")),
        ("letters_issued", _("发出督办函")),
        ("overdue_open", _("逾期未办结办件（期末）")),
    ]
    rows = []
    for key, label in lines:
        if key.endswith("_rate"):
            rows.append([label, _rate(now[key]), _rate(before[key]), _points(change[key])])
        else:
            shift = _delta(change[key]) if key in change else ""
            rows.append([label, _n(now[key]), _n(before[key]), shift])
    return Section(
        key="headline",
        title=_("一、总体情况"),
        header=[_("指标"), _("本期"), _("上期"), _("增减")],
        rows=rows,
        widths=[3, 1.5, 1.5, 2],
    )


def _departments(data: dict[str, Any]) -> Section:
    rows = [
        [
            row["name"],
            _n(row["received"]),
            _n(row["closed"]),
            _n(row["on_time"]),
            _n(row["early"]),
            _rate(row["on_time_rate"]),
            _rate(row["early_rate"]),
            _n(row["yellow"]),
            _n(row["red"]),
            _n(row["letters"]),
        ]
        for row in data["departments"]
    ]
    header = [_("部门"), _("收件"), _("办结"), _("按时办结"), _("提前办结"), _("按时办结率")]
    header += [_("提前办结率"), _("黄牌"), _("红牌"), _("督办函")]
    return Section(
        key="departments",
        title=_("二、各部门情况"),
        header=header,
        rows=rows,
        empty=_("本期各部门没有收件、办结、监察牌或督办函。"),
        widths=[3.2, 1, 1, 1.2, 1.2, 1.5, 1.5, 1, 1, 1.2],
    )


def _rules(data: dict[str, Any]) -> Section:
    rows = [
        [row["name"], _n(row["yellow"]), _n(row["red"]), _n(row["cancelled"])]
        for row in data["rules"]
    ]
    return Section(
        key="rules",
        title=_("三、黄牌、红牌（按监察规则）"),
        header=[_("监察规则"), _("黄牌"), _("红牌"), _("已撤销")],
        rows=rows,
        empty=_("本期没有发出黄牌或红牌。"),
        widths=[3.5, 1, 1, 1],
    )


def _letters(data: dict[str, Any]) -> Section:
    now = data["headline"]
    return Section(
        key="letters",
        title=_("四、督办函"),
        header=[_("发出"), _("部门已回复"), _("逾期升级"), _("已办结")],
        rows=[
            [
                _n(now["letters_issued"]),
                _n(now["letters_responded"]),
                _n(now["letters_escalated"]),
                _n(now["letters_closed"]),
            ]
        ],
    )


def _overdue(data: dict[str, Any]) -> Section:
    rows = [
        [
            row["number"] or str(row["case_id"]),
            row["item"],
            row["department"],
            _date(row["decision_due"]),
            _n(row["days_overdue"]),
        ]
        for row in data["overdue"]
    ]
    return Section(
        key="overdue",
        title=_("五、逾期时间最长的未办结办件"),
        header=[_("办件编号"), _("事项"), _("部门"), _("承诺办结期限"), _("逾期（工作日）")],
        rows=rows,
        text=_("截至%(d)s，共有逾期未办结办件 %(n)s 件，逾期最长的如下。")
        % {"d": _date(data["period"]["as_of"]), "n": data["headline"]["overdue_open"]},
        empty=_("没有逾期未办结的办件。"),
        widths=[2.4, 2.6, 2.2, 1.7, 1.1],
    )


def _comparison(data: dict[str, Any], previous_label: str) -> Section:
    change = data["change"]

    def count(label: str, key: str) -> str:
        value = change[key]
        if value > 0:
            return _("%(l)s增加 %(n)s 件") % {"l": label, "n": value}
        if value < 0:
            return _("%(l)s减少 %(n)s 件") % {"l": label, "n": -value}
        return _("%(l)s持平") % {"l": label}

    parts = [count(_("收件"), "received"), count(_("办结"), "closed")]
    for key, label in (("on_time_rate", _("按时办结率")), ("early_rate", _("提前办结率"))):
        value = change[key]
        if value is None:
            parts.append(_("%(l)s无可比数据") % {"l": label})
        else:
            parts.append(_("%(l)s变化 %(v)s") % {"l": label, "v": _points(value)})
    parts.append(
        _("黄牌 %(y)s 张、红牌 %(r)s 张")
        % {"y": _delta(change["yellow"]), "r": _delta(change["red"])}
    )
    text = _("与上期（%(p)s）相比：") % {"p": previous_label} + ";".join(parts) + "。"
    return Section(key="comparison", title=_("六、与上期比较"), text=text)


def report_sections(data: dict[str, Any], previous_label: str) -> list[Section]:
    """The report's parts in order (the page and the PDF render exactly these)."""
    return [
        _headline(data),
        _departments(data),
        _rules(data),
        _letters(data),
        _overdue(data),
        _comparison(data, previous_label),
    ]


def report_notes() -> list[str]:
    return [
        _("收件：收件日期在本期内的办件。办结：审批决定（准予或不予许可）日期在本期内的办件。"),
        _(
            "按时办结：决定日期不晚于承诺办结期限；提前办结：决定日期早于承诺办结期限；"
            "特别程序时间不计入（承诺办结期限已相应顺延）。办结数为零时比率显示为“—”。"
        ),
        _("黄牌、红牌、督办函按发出时间计入本期；已撤销的监察牌不计入黄牌、红牌数。"),
    ]


def _labels(report: SituationReport) -> tuple[str, str]:
    start, _end = previous_period(report.period_kind, report.period_start)
    return (
        period_label(report.period_kind, report.period_start),
        period_label(report.period_kind, start),
    )


def report_document(
    report: SituationReport, *, data: dict[str, Any], number: str, finished_at: dt.datetime
) -> Document:
    """What the PDF says (tests read this directly)."""
    with translation.override("zh-hans"):
        label, previous_label = _labels(report)
        blocks: list[Block] = [
            _("现将%(p)s（%(range)s）政务服务审批办件的电子监察情况通报如下。")
            % {"p": label, "range": period_text(data)}
        ]
        for section in report_sections(data, previous_label):
            blocks.append(Heading(section.title))
            if section.text:
                blocks.append(section.text)
            if section.rows:
                blocks.append(
                    Table(header=section.header, rows=section.rows, widths=section.widths)
                )
            elif section.empty:
                blocks.append(section.empty)
        blocks += [Heading(_("说明")), *report_notes()]
        return Document(
            issuer=ISSUER,
            title=_("情况通报"),
            number=number,
            addressee=_("各进驻部门："),
            blocks=blocks,
            issued_on=_date(clock.local_date(finished_at)),
            subject=f"{label} {number}",
            seal_note=_("（电子监察盖章）"),
            footer=ISSUER,
        )


def report_pdf(
    report: SituationReport, *, data: dict[str, Any], number: str, finished_at: dt.datetime
) -> bytes:
    return render_document(
        report_document(report, data=data, number=number, finished_at=finished_at)
    )


def report_response(report: SituationReport) -> HttpResponse:
    """The stored PDF as a private attachment."""
    response = HttpResponse(bytes(report.pdf or b""), content_type="application/pdf")
    name = f"situation-report-{report.period_kind}-{report.period_start:%Y-%m}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response
