"""The lead department's decision, extensions and special procedures (docs/product.md §C5, §C6).

Services only: each validates first and raises a ``CaseError`` with a Chinese message (nothing is
written), then changes the case through ``cases.transitions.transition`` (conditional UPDATE on
status + revision, event row, notification outbox) in one transaction.

- ``decision_make``: grant or refusal, once (ALL Art. 37–38, 44;
docs/rules/licensing.md §B3, §B5, §C1).
- ``extension_request`` / ``extension_decide``: one extension approved by the agency head, for
  joint handling by the government head (Art. 42, B2).
- ``suspension_start`` / ``suspension_end``: special procedures whose time is excluded (Art. 45,
  B4); every due date moves by the working days spent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from onewindow.accounts.roles import Perm
from onewindow.calendars.selectors import get_calendar
from onewindow.cases.errors import CaseError, ConcurrentChange
from onewindow.cases.models import Case, CaseStatus, Notice, NoticeKind
from onewindow.cases.services import notice_issue
from onewindow.cases.transitions import event_record, transition
from onewindow.catalog.deadlines import certificate_due as certificate_due_of
from onewindow.catalog.deadlines import extension_limit, shift, working_days_between
from onewindow.core import clock
from onewindow.review import signing
from onewindow.review.errors import (
    ExtensionRefused,
    LeadOpinionMissing,
    NotAllowed,
    OpinionsIncomplete,
    ReasonsRequired,
    RemediesRequired,
    SuspensionRefused,
)
from onewindow.review.models import (
    EXTENSION_MACHINE,
    TASK_PENDING,
    Decision,
    DecisionKind,
    Extension,
    ExtensionStatus,
    Suspension,
    SuspensionKind,
    Task,
)
from onewindow.review.selectors import decisions as sel

# Longest special procedure a notice may announce; anything longer is a typing error.
MAX_EXPECTED_DAYS = 250
TEXT_MAX = 4000


def _text(value: str | None) -> str:
    return (value or "").strip()


def _require(case: Case, actor: Any, perm: Perm, message: str) -> None:
    if not sel.is_lead_staff(actor, case, perm):
        raise NotAllowed(message)


def _base_content(case: Case) -> dict[str, Any]:
    lead = sel.lead_department(case)
    return {
        "department": lead.name,
        "case_number": case.number,
        "accepted_on": case.accepted_on.isoformat() if case.accepted_on else None,
        "decision_due": case.decision_due.isoformat() if case.decision_due else None,
        "statutory_due": case.statutory_due.isoformat() if case.statutory_due else None,
    }


# --- the decision -----------------------------------------------------------------------------
@transaction.atomic
def decision_make(
    *,
    case: Case,
    actor: Any,
    kind: str,
    reasons: str = "",
    remedies: str = "",
    conditions: str = "",
    now: dt.datetime | None = None,
) -> Decision:
    """Grant or refuse (准予 / 不予行政许可), exactly once, after every opinion is in."""
    now = now or clock.now()
    reasons, remedies, conditions = _text(reasons), _text(remedies), _text(conditions)
    if max(len(reasons), len(remedies), len(conditions)) > TEXT_MAX:
        raise CaseError(_("理由、救济途径或许可条件过长（每项最多 %(n)s 字）。") % {"n": TEXT_MAX})
    _require(case, actor, Perm.DECISION_MAKE, _("只有牵头部门的批准人或首席代表可以作出审批决定。"))
    if kind not in DecisionKind.values:
        raise CaseError(_("请选择“准予行政许可”或“不予行政许可”。"))
    if Decision.objects.filter(case=case).exists():
        raise ConcurrentChange(_("本办件已作出审批决定，不能重复决定。"))
    if case.status == CaseStatus.SUSPENDED:
        raise CaseError(_("办件正在特别程序中（暂停计时），请先结束特别程序再作出决定。"))
    if case.status != CaseStatus.IN_REVIEW:
        raise CaseError(
            _("办件当前状态为“%(s)s”，不能作出审批决定。") % {"s": CaseStatus(case.status).label}
        )
    # docs/rules/licensing.md §C1: the lead combines the opinions; the decision waits for all of
    # them.
    if not sel.opinions_complete(case):
        waiting = "、".join(sel.pending_departments(case)) or _("部分部门")
        raise OpinionsIncomplete(
            _("各部门意见尚未全部提出（尚缺：%(d)s），暂不能作出决定。") % {"d": waiting}
        )
    # docs/rules/licensing.md §C2: silence counts as consent for co-departments only; the lead
    # department reviews the application itself and combines the opinions (C1). No decision — least
    # of all a licence — without the lead's own recorded opinion.
    if not sel.lead_opinion_recorded(case):
        raise LeadOpinionMissing(
            _(
                "牵头部门%(d)s尚未提出本部门的审查意见，不能作出决定：逾期默许同意只适用于"
                "协办部门，牵头部门须自行审查并记录意见后方可作出决定。"
            )
            % {"d": sel.lead_department(case).name}
        )
    rows = sel.opinion_rows(case)
    disagreeing = [row for row in rows if row.disagrees]
    if kind == DecisionKind.REFUSE:
        _refusal_check(reasons, remedies)
        # A refusal grounded on a department's 不同意 quotes it (the applicant learns why).
        reasons = _with_quotes(reasons, [row.summary for row in disagreeing])
    elif disagreeing and not reasons:
        raise ReasonsRequired(
            _("有部门提出不同意意见（%(d)s），准予许可须写明不采纳该意见的理由。")
            % {"d": "、".join(row.task.department.name for row in disagreeing)}
        )
    decided_on = clock.local_date(now)
    grant = kind == DecisionKind.GRANT
    # ALL Art. 44 (docs/rules/licensing.md §B3): certificate issued and delivered within 10 working
    # days.
    cert_due = certificate_due_of(decided_on) if grant else None
    closing: dict[str, Any] = {} if grant else {"closed_at": now}
    try:
        with transaction.atomic():
            decision = Decision(
                case=case,
                kind=kind,
                reasons=reasons,
                # The form prefills the refusal's remedies; a grant does not carry them.
                remedies="" if grant else remedies,
                conditions=conditions,
                decided_by=actor,
                decided_on=decided_on,
                certificate_due=cert_due.date if cert_due else None,
                at=now,
            )
            signing.seal(decision)  # docs/rules/audit.md §Z12: SM2 over it and its documents
            decision.save(force_insert=True)
    except IntegrityError as err:  # the OneToOne: another decision won the race
        raise ConcurrentChange(_("本办件已作出审批决定，不能重复决定。")) from err
    _decision_notice(case, decision, rows, actor, now)
    # The decision and its notice are written first: entering GRANTED hands the case to the
    # certificates app (``certificates.events``), which issues the licence from this decision.
    transition(
        case,
        allowed_from=(CaseStatus.IN_REVIEW,),
        to=CaseStatus.GRANTED if grant else CaseStatus.REFUSED,
        actor=actor,
        action="decision_granted" if grant else "decision_refused",
        reason="" if grant else reasons,
        now=now,
        data={"certificate_due": cert_due.date.isoformat()} if cert_due else {},
        **closing,
    )
    return decision


def _refusal_check(reasons: str, remedies: str) -> None:
    """ALL Art. 38 (docs/rules/licensing.md §B5): a refusal states its reasons and the right to
    administrative reconsideration or litigation; the system refuses to issue one without both."""
    if not reasons:
        raise ReasonsRequired(_("不予行政许可必须说明理由（行政许可法第三十八条）。"))
    if not remedies:
        raise RemediesRequired(
            _(
                "不予行政许可必须告知申请人依法申请行政复议或者提起行政诉讼的权利"
                "（行政许可法第三十八条），请填写救济途径。"
            )
        )
    if "复议" not in remedies and "诉讼" not in remedies:
        raise RemediesRequired(
            _("救济途径须写明申请行政复议或者提起行政诉讼的权利及期限，请修改后再提交。")
        )


def _with_quotes(reasons: str, quotes: list[str]) -> str:
    # The decider may already have typed the quote, with a full-width or an ASCII colon.
    typed = reasons.replace(":", "：")
    missing = [q for q in quotes if q.replace(":", "：") not in typed]
    if not missing:
        return reasons
    heading = _("相关部门审查意见：")
    return "\n".join([reasons, heading, *missing])


def _decision_notice(
    case: Case, decision: Decision, rows: list[sel.OpinionRow], actor: Any, now: dt.datetime
) -> Notice:
    grant = decision.kind == DecisionKind.GRANT
    content = {
        **_base_content(case),
        "decision": decision.kind,
        "decided_on": decision.decided_on.isoformat(),
        "reasons": decision.reasons,
        "remedies": decision.remedies,
        "conditions": decision.conditions,
        "certificate_due": decision.certificate_due.isoformat()
        if decision.certificate_due
        else None,
        "result_name": case.item_version.result_name,
        "opinions": [
            {
                "department": row.task.department.name,
                "lead": row.task.is_lead,
                "kind": row.opinion.kind if row.opinion else "",
                "text": row.opinion.text if row.opinion else "",
                "summary": row.summary,
            }
            for row in rows
        ],
    }
    kind = NoticeKind.GRANT if grant else NoticeKind.REFUSAL
    return notice_issue(case, kind=kind, actor=actor, now=now, content=content)


# --- extension (ALL Art. 42, docs/rules/licensing.md §B2) -----------------------------------------
@transaction.atomic
def extension_request(
    *, case: Case, actor: Any, days: int, reasons: str, now: dt.datetime | None = None
) -> Extension:
    """The handler asks the head for more time; the law allows one extension per case.

    We allow a new request after a refused one (the head may approve a better-founded request),
    but never a second approved one nor two requests at once: the DB constraint
    ``extension_once_per_case`` (status requested or approved) enforces both.
    """
    now = now or clock.now()
    reasons = _text(reasons)
    _require(case, actor, Perm.TASK_HANDLE, _("只有牵头部门的工作人员可以申请延期。"))
    if case.status not in sel.REVIEW_OPEN:
        raise ExtensionRefused(
            _("办件当前状态为“%(s)s”，不能申请延期。") % {"s": CaseStatus(case.status).label}
        )
    _extension_days_check(case, days)
    if not reasons:
        raise ReasonsRequired(_("请填写延期理由，理由将告知申请人（行政许可法第四十二条）。"))
    if len(reasons) > TEXT_MAX:
        raise CaseError(_("延期理由过长（最多 %(n)s 字）。") % {"n": TEXT_MAX})
    _extension_once_check(case)
    try:
        with transaction.atomic():
            extension = Extension.objects.create(
                case=case, days=days, reasons=reasons, requested_by=actor, requested_at=now
            )
    except IntegrityError as err:
        raise ExtensionRefused(_("本办件已有延期申请或已延期一次，不能再次申请。")) from err
    event_record(
        case,
        actor=actor,
        action="extension_requested",
        reason=reasons,
        public=False,
        now=now,
        data={"extension": extension.pk, "days": days},
    )
    return extension


def _extension_days_check(case: Case, days: int) -> None:
    limit = extension_limit(joint_handling=case.item_version.joint_handling)
    if not isinstance(days, int) or days < 1:
        raise ExtensionRefused(_("延长的期限须为正整数个工作日。"))
    if days > limit:
        joint = case.item_version.joint_handling
        raise ExtensionRefused(
            _(
                "延长期限超过法定上限：依法最多可延长 %(n)s 个工作日"
                "（行政许可法第四十二条%(j)s），本次申请 %(d)s 个工作日。"
            )
            % {"n": limit, "d": days, "j": _("，联合办理") if joint else ""}
        )


def _extension_once_check(case: Case) -> None:
    existing = set(case.extensions.values_list("status", flat=True))
    if ExtensionStatus.APPROVED in existing:
        raise ExtensionRefused(
            _("本办件已经延期一次，依法只能延期一次（行政许可法第四十二条），不能再次申请。")
        )
    if ExtensionStatus.REQUESTED in existing:
        raise ExtensionRefused(_("本办件已有一项延期申请等待批准，不能重复申请。"))


@transaction.atomic
def extension_decide(
    *,
    extension: Extension,
    actor: Any,
    approve: bool,
    note: str = "",
    now: dt.datetime | None = None,
) -> Extension:
    """The head approves or refuses the request: the agency head (机关负责人) of the lead
    department, or for joint handling the government head (本级人民政府负责人), ALL Art. 42.

    On approval the decision and statutory due dates move by ``days`` working days and the
    applicant is told the reasons in a 延期告知书 (ALL Art. 42).
    """
    now = now or clock.now()
    note = _text(note)
    case = Case.objects.select_related("item_version", "department", "region", "applicant").get(
        pk=extension.case_id
    )
    # ALL Art. 42 (docs/rules/licensing.md §B2): the agency head approves; joint handling the
    # government head.
    if not sel.may_approve_extension(actor, case):
        raise NotAllowed(_extension_approver_message(case))
    if extension.requested_by_id == getattr(actor, "pk", None):
        raise NotAllowed(_("延期申请须由申请人以外的负责人批准。"))
    to = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    EXTENSION_MACHINE.check(extension, to=to)
    if approve:
        if case.status not in sel.REVIEW_OPEN:
            raise ExtensionRefused(
                _("办件当前状态为“%(s)s”，不能再延期。") % {"s": CaseStatus(case.status).label}
            )
        _extension_days_check(case, extension.days)
    elif not note:
        raise ReasonsRequired(_("不批准延期时请填写批示意见。"))
    EXTENSION_MACHINE.move(extension, to=to, decided_by=actor, decided_at=now, decision_note=note)
    extension.refresh_from_db()
    if approve:
        _extension_apply(case, extension, actor, now)
    else:
        event_record(
            case,
            actor=actor,
            action="extension_refused",
            reason=note,
            public=False,
            now=now,
            data={"extension": extension.pk},
        )
    return extension


def _extension_approver_message(case: Case) -> str:
    if case.item_version.joint_handling:
        return _(
            "联合办理的办件延期须经本级人民政府负责人批准（行政许可法第四十二条第二款），"
            "您不能批准。"
        )
    return _(
        "延期须经本机关负责人（牵头部门的机关负责人）批准（行政许可法第四十二条第一款），您不能批准。"
    )


def _extension_apply(case: Case, extension: Extension, actor: Any, now: dt.datetime) -> None:
    assert case.decision_due is not None and case.statutory_due is not None
    decision_due = shift(case.decision_due, extension.days)
    statutory_due = shift(case.statutory_due, extension.days)
    transition(
        case,
        allowed_from=(case.status,),
        to=case.status,
        actor=actor,
        action="extension_approved",
        reason=extension.reasons,
        now=now,
        data={
            "extension": extension.pk,
            "days": extension.days,
            "joint": case.item_version.joint_handling,
        },
        decision_due=decision_due.date,
        statutory_due=statutory_due.date,
        due_provisional=case.due_provisional
        or decision_due.provisional
        or statutory_due.provisional,
    )
    notice_issue(
        case,
        kind=NoticeKind.EXTENSION,
        actor=actor,
        now=now,
        content={
            **_base_content(case),
            "days": extension.days,
            "reasons": extension.reasons,
            "limit": extension_limit(joint_handling=case.item_version.joint_handling),
            "joint": case.item_version.joint_handling,
            "approved_on": clock.local_date(now).isoformat(),
        },
    )


# --- special procedures (ALL Art. 45, docs/rules/licensing.md §B4) --------------------------------
@transaction.atomic
def suspension_start(
    *,
    case: Case,
    actor: Any,
    kind: str,
    reason: str,
    expected_days: int,
    now: dt.datetime | None = None,
) -> Suspension:
    """Start a hearing, testing, inspection, expert review …: the clock stops, and the applicant
    is told the procedure and its expected duration in writing (特别程序告知书)."""
    now = now or clock.now()
    reason = _text(reason)
    _require(case, actor, Perm.TASK_HANDLE, _("只有牵头部门的工作人员可以启动特别程序。"))
    if kind not in SuspensionKind.values:
        raise SuspensionRefused(
            _("特别程序只能是听证、招标拍卖、检验检测、现场勘验、检疫、鉴定、专家评审或公示。")
        )
    if not reason:
        raise ReasonsRequired(_("请填写启动特别程序的事由，事由将书面告知申请人。"))
    if not isinstance(expected_days, int) or not 1 <= expected_days <= MAX_EXPECTED_DAYS:
        raise SuspensionRefused(
            _("预计所需时间须为 1 至 %(n)s 个工作日。") % {"n": MAX_EXPECTED_DAYS}
        )
    if case.status == CaseStatus.SUSPENDED or sel.case_is_suspended(case):
        raise SuspensionRefused(_("本办件已有一项特别程序正在进行，请先结束该程序。"))
    if case.status != CaseStatus.IN_REVIEW:
        raise SuspensionRefused(
            _("办件当前状态为“%(s)s”，不能启动特别程序。") % {"s": CaseStatus(case.status).label}
        )
    started_on = clock.local_date(now)
    label = str(SuspensionKind(kind).label)
    transition(
        case,
        allowed_from=(CaseStatus.IN_REVIEW,),
        to=CaseStatus.SUSPENDED,
        actor=actor,
        action="suspension_started",
        reason=_("%(k)s：%(r)s") % {"k": label, "r": reason},
        now=now,
        data={"kind": kind, "expected_days": expected_days},
    )
    try:
        with transaction.atomic():
            suspension = Suspension.objects.create(
                case=case,
                kind=kind,
                reason=reason,
                expected_days=expected_days,
                started_on=started_on,
                started_by=actor,
            )
    except IntegrityError as err:  # suspension_one_open
        raise SuspensionRefused(_("本办件已有一项特别程序正在进行，请先结束该程序。")) from err
    expected_end = get_calendar().add_working_days(started_on, expected_days)
    notice_issue(
        case,
        kind=NoticeKind.SPECIAL_PROCEDURE,
        actor=actor,
        now=now,
        content={
            **_base_content(case),
            "procedure": kind,
            "procedure_label": label,
            "reason": reason,
            "expected_days": expected_days,
            "started_on": started_on.isoformat(),
            "expected_end": expected_end.date.isoformat(),
        },
    )
    return suspension


@transaction.atomic
def suspension_end(
    *, suspension: Suspension, actor: Any, result: str = "", now: dt.datetime | None = None
) -> Suspension:
    """End the procedure: the case is back in review, and every due date (the case's decision
    and statutory dates, each still-pending task's) moves by the working days it took."""
    now = now or clock.now()
    result = _text(result)
    case = Case.objects.select_related("item_version", "department", "region", "applicant").get(
        pk=suspension.case_id
    )
    _require(case, actor, Perm.TASK_HANDLE, _("只有牵头部门的工作人员可以结束特别程序。"))
    if suspension.ended_on is not None:
        raise ConcurrentChange(_("该特别程序已经结束，请刷新后查看。"))
    if not result:
        raise ReasonsRequired(_("请填写特别程序的结果。"))
    ended_on = clock.local_date(now)
    if ended_on < suspension.started_on:
        raise SuspensionRefused(_("结束日期不能早于开始日期。"))
    days = working_days_between(suspension.started_on, ended_on)
    claimed = Suspension.objects.filter(pk=suspension.pk, ended_on__isnull=True).update(
        ended_on=ended_on, days_spent=days, ended_by=actor, result=result
    )
    if claimed != 1:
        raise ConcurrentChange(_("该特别程序已经结束，请刷新后查看。"))
    fields = _shifted_case_dues(case, days)
    transition(
        case,
        allowed_from=(CaseStatus.SUSPENDED,),
        to=CaseStatus.IN_REVIEW,
        actor=actor,
        action="suspension_ended",
        reason=result,
        now=now,
        data={"suspension": suspension.pk, "days_spent": days},
        **fields,
    )
    _shift_pending_tasks(case, days)
    suspension.refresh_from_db()
    return suspension


def _shifted_case_dues(case: Case, days: int) -> dict[str, Any]:
    """ALL Art. 45: the time spent is not counted, so each due date moves by ``days``."""
    if days <= 0:
        return {}
    fields: dict[str, Any] = {}
    provisional = case.due_provisional
    for name in ("decision_due", "statutory_due"):
        current = getattr(case, name)
        if current is not None:
            moved = shift(current, days)
            fields[name] = moved.date
            provisional = provisional or moved.provisional
    fields["due_provisional"] = provisional
    return fields


def _shift_pending_tasks(case: Case, days: int) -> None:
    if days <= 0:
        return
    for task in Task.objects.filter(case=case, status__in=TASK_PENDING):
        moved = shift(task.due, days)
        Task.objects.filter(pk=task.pk).update(
            due=moved.date,
            due_provisional=task.due_provisional or moved.provisional,
            revision=F("revision") + 1,
        )
