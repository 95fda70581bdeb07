"""Intake notices as PDF documents (docs/rules/licensing.md §B7), rendered from ``Notice.content``.

A notice row is written once by the service that issued it and keeps everything the document
says; the PDF is rendered from it on every download, so the document never disagrees with the
record. Notices are official documents in Chinese whatever the reader's interface language.
Each carries a QR code to the public progress page (``/progress/?number=…&code=…``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases.models import Case, CommitmentKind, Notice, NoticeKind
from onewindow.cases.services import APPEAL_RIGHTS
from onewindow.lib.pdf import Block, Document, Facts, Heading, Signature, Table, render_document

# The public progress page (``portal.views.progress``); the query string is its documented interface.
PROGRESS_PATH = "/progress/"
LAW = "《中华人民共和国行政许可法》"


def progress_url(case: Case, request: HttpRequest | None = None) -> str:
    """The progress page of ``case``: absolute when a request tells the host, else a path."""
    path = f"{PROGRESS_PATH}?{urlencode({'number': case.number or '', 'code': case.query_code})}"
    return request.build_absolute_uri(path) if request is not None else path


def notice_filename(notice: Notice) -> str:
    return f"{notice.number}.pdf"


def notice_pdf(notice: Notice, *, request: HttpRequest | None = None) -> bytes:
    """The notice as PDF bytes."""
    return render_document(notice_document(notice, request=request))


def notice_response(notice: Notice, request: HttpRequest) -> HttpResponse:
    """The notice as a PDF attachment, never cached by shared caches (it names the applicant)."""
    response = HttpResponse(notice_pdf(notice, request=request), content_type="application/pdf")
    disposition = content_disposition_header(True, notice_filename(notice))
    response["Content-Disposition"] = disposition or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response


def notice_document(notice: Notice, *, request: HttpRequest | None = None) -> Document:
    """What the notice says, as a layout-independent document (tests read this directly)."""
    with translation.override("zh-hans"):
        case = notice.case
        content: dict[str, Any] = notice.content or {}
        kind = NoticeKind(notice.kind)
        blocks = BUILDERS[kind](case, content)
        appendix = APPENDICES[kind](case, content) if kind in APPENDICES else []
        return Document(
            issuer=content.get("department") or case.department.name,
            title=_title(notice),
            number=_("编号：%(n)s") % {"n": notice.number},
            addressee=f"{content.get('applicant') or case.applicant}:",
            blocks=blocks,
            appendix=appendix,
            issued_on=_date(timezone.localdate(notice.issued_at)),
            qr_url=progress_url(case, request),
            qr_caption=_(
                "扫描二维码，或在网上办事大厅“进度查询”栏目输入办件编号 %(number)s "
                "和查询码 %(code)s，即可查询办理进度。"
            )
            % {"number": case.number, "code": case.query_code},
            subject=case.number or "",
            footer=str(NoticeKind(notice.kind).label),
        )


# --- pieces shared by the kinds ---------------------------------------------------------------
TITLES = {
    NoticeKind.ACCEPTANCE: gettext_lazy("受理通知书"),
    NoticeKind.CORRECTION: gettext_lazy("补正材料通知书"),
    NoticeKind.REJECTION: gettext_lazy("不予受理决定书"),
    NoticeKind.TOLERATED: gettext_lazy("容缺受理通知书"),
    NoticeKind.COMMITMENT: gettext_lazy("告知承诺书"),
    NoticeKind.TERMINATION: gettext_lazy("终止办理通知书"),
}


def _title(notice: Notice) -> str:
    return str(TITLES[NoticeKind(notice.kind)])


def _date(value: dt.date | str | None) -> str:
    """``2025-04-30`` → ``2025年4月30日``; empty for no date."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def _received(case: Case, content: dict[str, Any]) -> str:
    return _date(content.get("received_on") or case.received_on)


def _facts(case: Case, content: dict[str, Any], *extra: tuple[str, str]) -> Facts:
    rows = [
        (_("办件编号"), case.number or ""),
        (_("查询码"), case.query_code),
        (_("申请事项"), content.get("item") or case.item_version.name),
        (_("申请人"), content.get("applicant") or str(case.applicant)),
        (_("受理部门"), content.get("department") or case.department.name),
        (_("收件日期"), _received(case, content)),
    ]
    return Facts([*rows, *((label, value) for label, value in extra if value)])


def _provisional_note(case: Case) -> list[Block]:
    if not case.due_provisional:
        return []
    return [
        _(
            "所涉年度的法定节假日安排尚未公布，上述期限按暂定日历计算；"
            "安排公布后如有变化，本机关将重新计算并告知。"
        )
    ]


def _intro(case: Case, content: dict[str, Any]) -> str:
    return _("你（单位）于%(day)s提出的“%(item)s”申请（办件编号：%(number)s）") % {
        "day": _received(case, content),
        "item": content.get("item") or case.item_version.name,
        "number": case.number,
    }


def _time_limits(content: dict[str, Any]) -> str:
    return _(
        "本机关将于%(due)s前作出决定（承诺办结时限%(days)s个工作日）；法定办结期限为%(statutory)s"
        "（%(sdays)s个工作日）。期限按工作日计算，不含法定节假日；依法需要听证、检验、检测、"
        "检疫、鉴定和专家评审的，所需时间不计算在期限内，本机关将书面告知所需时间。"
    ) % {
        "due": _date(content.get("decision_due")),
        "days": content.get("committed_days", ""),
        "statutory": _date(content.get("statutory_due")),
        "sdays": content.get("statutory_days", ""),
    }


def _due_facts(content: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return (
        (_("受理日期"), _date(content.get("accepted_on"))),
        (_("承诺办结期限"), _date(content.get("decision_due"))),
        (_("法定办结期限"), _date(content.get("statutory_due"))),
    )


# --- one builder per kind ---------------------------------------------------------------------
def _acceptance(case: Case, content: dict[str, Any]) -> list[Block]:
    if content.get("deemed"):
        opening = _(
            "%(intro)s，本机关未在法定期限内作出受理、补正告知或者不予受理的决定。根据%(law)s"
            "第三十二条第一款第（四）项的规定，自收到申请材料之日（%(day)s）起即为受理。"
        ) % {"intro": _intro(case, content), "law": LAW, "day": _received(case, content)}
    else:
        opening = _(
            "%(intro)s，经审查，申请事项属于本机关职权范围，申请材料齐全、符合法定形式。"
            "根据%(law)s第三十二条第一款第（五）项的规定，本机关决定予以受理。"
        ) % {"intro": _intro(case, content), "law": LAW}
    return [
        opening,
        _time_limits(content),
        *_departments(content),
        *_provisional_note(case),
        _facts(case, content, *_due_facts(content)),
    ]


def _departments(content: dict[str, Any]) -> list[Block]:
    """docs/rules/licensing.md §C1: one acceptance notice listing every department of the review."""
    names = content.get("departments") or []
    if not names:
        return []
    return [
        _("本申请由以下部门并联审查：%(names)s。各部门同步审查，由牵头部门统一作出决定并送达。")
        % {"names": "、".join(names)}
    ]


def _tolerated(case: Case, content: dict[str, Any]) -> list[Block]:
    due = _date(content.get("commitment_due"))
    materials = [line.get("material", "") for line in content.get("tolerated", [])]
    return [
        _(
            "%(intro)s，经审查，主要申请材料齐全、符合法定形式，下列次要材料暂缺。"
            "根据容缺受理的规定，本机关决定予以容缺受理。"
        )
        % {"intro": _intro(case, content)},
        Heading(_("容缺后补的材料")),
        Table(
            [_("序号"), _("材料名称"), _("补齐期限")],
            [[str(i), name, due] for i, name in enumerate(materials, start=1)],
            widths=[0.8, 5, 2.2],
        ),
        _(
            "请于%(due)s前向本机关补齐上述材料。逾期未补齐，或者补齐的材料不符合要求的，"
            "本办件终止办理。"
        )
        % {"due": due},
        _time_limits(content),
        *_provisional_note(case),
        _facts(case, content, *_due_facts(content)),
    ]


def _tolerated_appendix(case: Case, content: dict[str, Any]) -> list[Block]:
    """G2: the applicant signs the commitment to supply the tolerated materials."""
    materials = "、".join(line.get("material", "") for line in content.get("tolerated", []))
    return [
        Heading(_("申请人承诺（签署后交回受理窗口）")),
        _(
            "本人（单位）就办件 %(number)s（%(item)s）承诺于%(due)s前补齐以下材料：%(materials)s，"
            "并对所提交材料的真实性负责；逾期未补齐或补齐的材料不符合要求的，同意终止办理。"
        )
        % {
            "number": case.number,
            "item": content.get("item") or case.item_version.name,
            "due": _date(content.get("commitment_due")),
            "materials": materials,
        },
        Signature([_("申请人（签字或盖章）"), _("日期")]),
    ]


def _correction(case: Case, content: dict[str, Any]) -> list[Block]:
    lines = content.get("lines", [])
    sequence = int(content.get("sequence") or 1)
    blocks: list[Block] = [
        _(
            "%(intro)s，经审查，申请材料不齐全或者不符合法定形式。根据%(law)s第三十二条第一款"
            "第（四）项的规定，现将需要补正的全部内容一次性告知如下："
        )
        % {"intro": _intro(case, content), "law": LAW},
        Heading(_("需要补正的材料")),
        Table(
            [_("序号"), _("材料名称"), _("问题"), _("补正要求")],
            [
                [str(i), line.get("material", ""), line.get("problem", ""), line.get("remark", "")]
                for i, line in enumerate(lines, start=1)
            ],
            widths=[0.8, 3.2, 1.6, 4.4],
        ),
        _(
            "请按上述要求补正全部材料后重新提交。本机关自收到全部补正材料之日起五个工作日内"
            "作出是否受理的决定。"
        ),
    ]
    extra = [(_("补正告知次数"), _("第%(n)s次") % {"n": sequence})] if sequence > 1 else []
    blocks.append(_facts(case, content, *extra))
    return blocks


def _rejection(case: Case, content: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [
        _("%(intro)s，经审查，根据%(law)s第三十二条的规定，本机关决定不予受理。理由如下：")
        % {"intro": _intro(case, content), "law": LAW},
        content.get("reasons", ""),
    ]
    agency = (content.get("competent_agency") or "").strip()
    if agency:
        blocks.append(
            _("该申请事项依法不属于本机关职权范围，请向%(agency)s申请。") % {"agency": agency}
        )
    blocks += [
        Heading(_("救济途径")),
        content.get("appeal_rights") or str(APPEAL_RIGHTS),
        _facts(case, content),
    ]
    return blocks


def _termination(case: Case, content: dict[str, Any]) -> list[Block]:
    return [
        _("%(intro)s，本机关已于%(day)s作出容缺受理决定。")
        % {"intro": _intro(case, content), "day": _date(case.accepted_on)},
        content.get("reasons", ""),
        Heading(_("救济途径")),
        content.get("appeal_rights") or str(APPEAL_RIGHTS),
        _facts(case, content, (_("受理日期"), _date(case.accepted_on))),
    ]


def _commitment(case: Case, content: dict[str, Any]) -> list[Block]:
    """告知承诺书 (docs/rules/licensing.md §G1): what the agency requires, the commitment, the
    liability."""
    rows = [
        (c.text, c.liability)
        for c in case.commitments.filter(kind=CommitmentKind.NOTIFICATION).order_by("pk")
    ]
    texts = [content["text"]] if content.get("text") else [text for text, _l in rows]
    liability = content.get("liability") or next((lia for _t, lia in rows if lia), "")
    conditions = content.get("conditions") or []
    blocks: list[Block] = [
        _(
            "“%(item)s”实行告知承诺制。申请人自愿以书面承诺代替下列证明材料，"
            "本机关据此作出审批决定，并依法对承诺内容进行核查。"
        )
        % {"item": content.get("item") or case.item_version.name},
    ]
    if conditions:
        blocks += [
            Heading(_("本机关告知的条件和要求")),
            Table(
                [_("序号"), _("条件或要求")],
                [[str(i), text] for i, text in enumerate(conditions, start=1)],
                widths=[0.8, 9],
            ),
        ]
    blocks += [Heading(_("申请人承诺")), *texts]
    if liability:
        blocks += [Heading(_("虚假承诺的法律责任")), liability]
    signed_by = content.get("signed_by", "")
    signed_at = content.get("signed_at", "")
    signed_on = _date(timezone.localdate(dt.datetime.fromisoformat(signed_at))) if signed_at else ""
    if signed_by:
        signed = _("%(name)s（于%(day)s在网上签署）") % {"name": signed_by, "day": signed_on}
        blocks.append(_facts(case, content, (_("申请人签署"), signed)))
    else:
        blocks.append(_facts(case, content))
    return blocks


def _commitment_appendix(case: Case, content: dict[str, Any]) -> list[Block]:
    if content.get("signed_by"):
        return []
    return [Signature([_("申请人（签字或盖章）"), _("日期")])]


BUILDERS: dict[NoticeKind, Callable[[Case, dict[str, Any]], list[Block]]] = {
    NoticeKind.ACCEPTANCE: _acceptance,
    NoticeKind.TOLERATED: _tolerated,
    NoticeKind.CORRECTION: _correction,
    NoticeKind.REJECTION: _rejection,
    NoticeKind.TERMINATION: _termination,
    NoticeKind.COMMITMENT: _commitment,
}
APPENDICES: dict[NoticeKind, Callable[[Case, dict[str, Any]], list[Block]]] = {
    NoticeKind.TOLERATED: _tolerated_appendix,
    NoticeKind.COMMITMENT: _commitment_appendix,
}
