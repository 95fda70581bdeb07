"""The applicant's email/SMS lines for the case events of this app (docs/product.md §C9), and the
date and status words every app's lines use.

Each function gets the case and the event and returns the lines that sit between the common
opening (number, item, new status) and closing (department, query code) that
``notifications.texts.compose`` writes. Details the service writes after the status change in
the same transaction (the correction list, the tolerated materials) are read from the notice and
the commitments stamped with the event's time, so a text composed later still says what the
applicant was told at that moment. The kinds in ``cases.events`` name them.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    CommitmentKind,
    NoticeKind,
)

_STATUS_LABELS = dict(CaseStatus.choices)  # lazy labels: translated when str() is called
_CLOSED = (CaseStatus.REJECTED, CaseStatus.WITHDRAWN, CaseStatus.TERMINATED)


def status_label(status: str) -> str:
    return str(_STATUS_LABELS.get(status, status))


def day(value: dt.date | None, *, provisional: bool = False) -> str:
    """``2025年5月12日``, marked when the holiday arrangement of its year is not yet published."""
    if value is None:
        return _("待定")
    text = _("%(y)d年%(m)d月%(d)d日") % {"y": value.year, "m": value.month, "d": value.day}
    if provisional:
        text += _("（临时计算，节假日安排公布后可能调整）")
    return text


def submitted(case: Case, event: CaseEvent) -> list[str]:
    return [
        _("申请材料已于 %(received)s 收到，受理部门将在 %(due)s 前作出受理决定。")
        % {
            "received": day(case.received_on),
            "due": day(case.intake_due, provisional=case.due_provisional),
        },
        _("目前您无需操作，请留意后续通知。"),
    ]


def correction(case: Case, event: CaseEvent) -> list[str]:
    notice = (
        case.notices.filter(kind=NoticeKind.CORRECTION, issued_at__lte=event.at)
        .order_by("-issued_at", "-pk")
        .first()
    )
    items = (notice.content.get("lines", []) if notice else []) or []
    listed = "；".join(
        _("%(n)d. %(material)s（%(problem)s）：%(remark)s")
        % {
            "n": i,
            "material": line["material"],
            "problem": line["problem"],
            "remark": line["remark"],
        }
        for i, line in enumerate(items, start=1)
    )
    return [
        _("请补正以下材料后重新提交（网上办事大厅“我的办件”或受理窗口）：%(list)s。")
        % {"list": listed or _("详见补正材料通知书")},
        _("材料补正齐全并重新提交后，受理部门将在五个工作日内作出受理决定。"),
    ]


def accepted(case: Case, event: CaseEvent) -> list[str]:
    return [
        _("受理日期 %(accepted)s，承诺办结期限 %(due)s（法定办结期限 %(statutory)s）。")
        % {
            "accepted": day(case.accepted_on),
            "due": day(case.decision_due, provisional=case.due_provisional),
            "statutory": day(case.statutory_due, provisional=case.due_provisional),
        },
        _("目前您无需操作，请等待审批结果。"),
    ]


def accepted_tolerated(case: Case, event: CaseEvent) -> list[str]:
    commitments = list(
        case.commitments.filter(kind=CommitmentKind.TOLERATED, signed_at__lte=event.at)
        .select_related("material")
        .order_by("due_on", "pk")
    )
    names = "、".join(c.material.name for c in commitments if c.material)
    due = commitments[0] if commitments else None
    return [
        _("受理日期 %(accepted)s，承诺办结期限 %(due)s。")
        % {
            "accepted": day(case.accepted_on),
            "due": day(case.decision_due, provisional=case.due_provisional),
        },
        _(
            "本件为容缺受理：请于 %(due)s 前补齐以下材料：%(names)s；逾期未补齐的，本办件将终止办理。"
        )
        % {
            "due": day(due.due_on if due else None, provisional=bool(due and due.due_provisional)),
            "names": names or _("详见容缺受理通知书"),
        },
    ]


def accepted_deemed(case: Case, event: CaseEvent) -> list[str]:
    return [
        _("受理期限届满未作出受理决定，依法自收到申请材料之日（%(accepted)s）起视为受理。")
        % {"accepted": day(case.accepted_on)},
        *accepted(case, event)[:1],
        _("目前您无需操作，请等待审批结果。"),
    ]


def rejected(case: Case, event: CaseEvent) -> list[str]:
    notice = case.notices.filter(kind=NoticeKind.REJECTION).order_by("-issued_at", "-pk").first()
    agency = notice.content.get("competent_agency", "") if notice else ""
    lines = [_("不予受理的理由：%(reason)s。") % {"reason": event.reason.rstrip("。")}]
    if agency:
        lines.append(_("请向 %(agency)s 提出申请。") % {"agency": agency})
    lines.append(
        _(
            "如对本决定不服，可以自收到决定书之日起六十日内申请行政复议，或者在六个月内向人民法院提起行政诉讼。"
        )
    )
    return lines


def withdrawn(case: Case, event: CaseEvent) -> list[str]:
    return [_("本办件已按您的申请撤回，办理终止。如需办理，请重新提交申请。")]


def terminated(case: Case, event: CaseEvent) -> list[str]:
    reason = event.reason.rstrip("。") or _("详见终止办理通知书")
    return [_("终止原因：%(reason)s。") % {"reason": reason}]


def status_changed(case: Case, event: CaseEvent) -> list[str]:
    """The lines of a kind with no words of its own: the committed deadline while it runs."""
    if case.decision_due and case.status not in _CLOSED:
        return [
            _("承诺办结期限 %(due)s。")
            % {"due": day(case.decision_due, provisional=case.due_provisional)}
        ]
    return []


def deadline_recomputed(case: Case, event: CaseEvent) -> list[str]:
    """docs/rules/workdays.md §A4: a date the applicant was told moved when a holiday arrangement
    was loaded; the event's data carries each old → new date as it was at that moment."""
    provisional = bool(event.data.get("provisional"))
    lines = [
        _("因法定节假日安排调整，%(label)s由 %(old)s 调整为 %(new)s。")
        % {
            "label": change.get("label", ""),
            "old": day(dt.date.fromisoformat(change["old"])),
            "new": day(dt.date.fromisoformat(change["new"]), provisional=provisional),
        }
        for change in event.data.get("changes", [])
    ]
    return [*lines, _("目前您无需操作，请以调整后的日期为准。")]
