"""Intake decisions: accept (容缺受理 included), correction notice, rejection, and notices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.accounts.roles import DEPARTMENT_ROLES, Perm, has_perm
from onewindow.calendars.selectors import get_calendar
from onewindow.cases.errors import CaseError
from onewindow.cases.models import (
    AWAITING_INTAKE,
    Case,
    CaseMaterial,
    CaseStatus,
    Commitment,
    CommitmentKind,
    CorrectionNotice,
    FlagKind,
    MaterialStatus,
    Notice,
    NoticeKind,
)
from onewindow.cases.services.application import _tolerance_limit
from onewindow.cases.transitions import flag_raise, transition
from onewindow.catalog import deadlines
from onewindow.catalog.deadlines import process_plan
from onewindow.catalog.delegation import committed_days_for
from onewindow.catalog.models import Department, Window
from onewindow.core import clock
from onewindow.lib.prepared import Prepared

# ALL Art. 38 / Administrative Reconsideration Law: every refusal names the remedies.
APPEAL_RIGHTS = gettext_lazy(
    "如对本决定不服，可以自收到本决定书之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)


# --- intake decisions ------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialFinding:
    """The clerk's finding on one checklist line of a correction notice."""

    case_material_id: int
    problem: str  # MaterialStatus.MISSING or MaterialStatus.DEFECTIVE
    remark: str


_NOTICES_OF_KIND: Prepared[tuple[int]] = Prepared(
    lambda p: (
        Notice.objects.filter(case_id=p.case, kind=p.kind)
        .order_by()
        .values("case_id")
        .annotate(n=Count("pk"))
        .values_list("n")
    ),
    case=int,
    kind=str,
)


def notice_issue(
    case: Case, *, kind: str, actor: Any, now: dt.datetime, content: dict[str, Any]
) -> Notice:
    counted = _NOTICES_OF_KIND.first(case=case.pk, kind=str(kind))
    sequence = (counted[0] if counted else 0) + 1
    base = {
        "case_number": case.number,
        "item": case.item_version.name,
        "department": case.department.name,
        "applicant": str(case.applicant),
        "received_on": case.received_on.isoformat() if case.received_on else None,
    }
    return Notice.objects.create(
        case=case,
        kind=kind,
        number=f"{case.number}-{kind[:3].upper()}{sequence}",
        issued_at=now,
        issued_by=actor if getattr(actor, "pk", None) else None,
        content={**base, **content},
    )


# Apps above cases that let a clerk decide intake for another department register a check here
# from their AppConfig.ready (a subscription, not a cases → app import): ``check(case, actor)``
# is True when ``actor`` may (bundles: the comprehensive window of a theme's sub-cases,
# docs/rules/bundles.md §R5).
INTAKE_DELEGATES: list[Callable[[Case, Any], bool]] = []


def _require_intake_rights(case: Case, actor: Any) -> None:
    # Object-level: the clerk's department must be the case's (views check and log first).
    if has_perm(actor, Perm.CASE_INTAKE) and (
        actor.department_id == case.department_id
        or any(check(case, actor) for check in INTAKE_DELEGATES)
    ):
        return
    raise CaseError(_("您无权受理该部门的办件。"))


# The reads of an acceptance, compiled once (onewindow/lib/prepared.py, docs/decisions.md §O4).
_WINDOW_OF: Prepared[tuple[int]] = Prepared(
    lambda p: (
        Window.objects.filter(staff=p.user, is_active=True)
        .annotate(
            serves=Exists(
                Window.departments.through.objects.filter(
                    window_id=OuterRef("pk"), department_id=p.department
                )
            )
        )
        .order_by("-serves", "number")
        .values_list("pk")[:1]
    ),
    user=int,
    department=int,
)
_LINES: Prepared[CaseMaterial] = Prepared(
    lambda p: CaseMaterial.objects.filter(case_id=p.case).select_related("material"), case=int
)
_COMMITMENT_DUE: Prepared[tuple[dt.date]] = Prepared(
    lambda p: (
        Commitment.objects.filter(case_id=p.case, kind=CommitmentKind.TOLERATED)
        .order_by("due_on", "pk")
        .values_list("due_on")[:1]
    ),
    case=int,
)


def _intake_window_id(case: Case, actor: Any) -> int | None:
    """The clerk's window serving the case's department (else their first): window scores."""
    row = _WINDOW_OF.first(user=actor.pk, department=case.department_id)
    return row[0] if row else None


def _material_lines(case: Case) -> dict[int, CaseMaterial]:
    """The case's material lines with their catalog material, each knowing its case."""
    lines = _LINES.all(case=case.pk)
    for line in lines:
        CaseMaterial.case.field.set_cached_value(line, case)
    return {line.pk: line for line in lines}


def _decision_fields(case: Case, accepted_on: dt.date) -> dict[str, Any]:
    version = case.item_version
    dates = deadlines.decision_dates(
        accepted_on,
        # docs/rules/delegation.md §V5: a district's own committed limit for its cases
        committed_days=committed_days_for(version, case.department),
        statutory_days=version.statutory_days,
    )
    return {
        "accepted_on": accepted_on,
        "decision_due": dates.decision_due,
        "statutory_due": dates.statutory_due,
        "due_provisional": case.due_provisional or dates.provisional,
    }


@transaction.atomic
def case_accept(
    *,
    case: Case,
    actor: Any,
    tolerated_material_ids: list[int] | None = None,
    commitment_due: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Accept (受理). With ``tolerated_material_ids`` this is 容缺受理 (docs/rules/licensing.md §G2).

    Entering ACCEPTED opens the review in every department at once, in this transaction (the
    review app subscribes to it: ``review.events``)."""
    _require_intake_rights(case, actor)
    now = now or clock.now()
    tolerated = set(tolerated_material_ids or [])
    lines = _material_lines(case)
    _check_tolerance(case, lines, tolerated)
    accepted_on = deadlines.acceptance_date(case.received_on, clock.local_date(now))
    fields = _decision_fields(case, accepted_on)
    if tolerated:
        # G2: the supplement is due no later than the committed limit.
        latest = fields["decision_due"]
        due = commitment_due or latest
        if due > latest or due <= accepted_on:
            raise CaseError(
                _("补齐材料期限须晚于受理日期 %(a)s 且不得晚于承诺办结期限 %(d)s。")
                % {"a": accepted_on, "d": latest}
            )
    transition(
        case,
        allowed_from=AWAITING_INTAKE,
        to=CaseStatus.ACCEPTED,
        actor=actor,
        action="accepted_tolerated" if tolerated else "accepted",
        now=now,
        intake_window_id=_intake_window_id(case, actor),
        **fields,
    )
    for pk, line in lines.items():
        line.status = MaterialStatus.TOLERATED if pk in tolerated else MaterialStatus.OK
    CaseMaterial.objects.bulk_update(lines.values(), ["status"])
    if tolerated:
        _tolerated_commitments(case, [lines[pk] for pk in tolerated], due, accepted_on, now)
        flag_raise(case, kind=FlagKind.TOLERATED_ACCEPTANCE, now=now)
    notice_issue(
        case,
        kind=NoticeKind.TOLERATED if tolerated else NoticeKind.ACCEPTANCE,
        actor=actor,
        now=now,
        content=_acceptance_content(case, lines, tolerated),
    )
    return case


def _departments_involved(case: Case) -> list[str]:
    """docs/rules/licensing.md §C1: the acceptance notice lists every department of the review."""
    ids = [plan.department_id for plan in process_plan(case.item_version)]
    names = dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [names[pk] for pk in ids if pk in names]


def _check_tolerance(case: Case, lines: dict[int, CaseMaterial], tolerated: set[int]) -> None:
    unknown = tolerated - set(lines)
    if unknown:
        raise CaseError(_("容缺材料不属于本办件。"))
    core = [lines[pk].material.name for pk in tolerated if lines[pk].material.is_core]
    if core:
        # G2: core (主要) materials must be complete; only non-core ones may be missing.
        raise CaseError(_("主要材料不得容缺：%(names)s") % {"names": "、".join(core)})
    missing = [
        line.material.name
        for pk, line in lines.items()
        if pk not in tolerated and line.material.required and not line.files.exists()
    ]
    if missing:
        raise CaseError(_("以下必需材料缺失，不能受理：%(names)s") % {"names": "、".join(missing)})
    if not tolerated:
        return
    limit = _tolerance_limit(case.item_version)
    if len(tolerated) > limit:
        raise CaseError(
            _(
                "该事项属于“%(cat)s”，最多可容缺 %(n)s 项次要材料，本次申请容缺 %(m)s 项，不能容缺受理。"
            )
            % {
                "cat": case.item_version.get_tolerance_category_display(),
                "n": limit,
                "m": len(tolerated),
            }
        )


def _tolerated_commitments(
    case: Case, lines: list[CaseMaterial], due: dt.date, accepted_on: dt.date, now: dt.datetime
) -> None:
    provisional = get_calendar().is_provisional(accepted_on, due)
    Commitment.objects.bulk_create(
        Commitment(
            case=case,
            kind=CommitmentKind.TOLERATED,
            material=line.material,
            text=_("申请人承诺于 %(d)s 前补齐“%(m)s”，逾期未补齐的，本办件终止办理。")
            % {"d": due, "m": line.material.name},
            due_on=due,
            due_provisional=provisional,
            signed_at=now,
        )
        for line in lines
    )


def _acceptance_content(
    case: Case, lines: dict[int, CaseMaterial], tolerated: set[int]
) -> dict[str, Any]:
    return {
        "accepted_on": case.accepted_on.isoformat() if case.accepted_on else None,
        "decision_due": case.decision_due.isoformat() if case.decision_due else None,
        "statutory_due": case.statutory_due.isoformat() if case.statutory_due else None,
        "committed_days": committed_days_for(case.item_version, case.department),
        "statutory_days": case.item_version.statutory_days,
        "deemed": case.deemed_accepted,
        "tolerated": [{"material": lines[pk].material.name} for pk in sorted(tolerated)],
        "commitment_due": _commitment_due(case),
        "departments": _departments_involved(case),
    }


def _commitment_due(case: Case) -> str:
    row = _COMMITMENT_DUE.first(case=case.pk)
    return row[0].isoformat() if row and row[0] else ""


@transaction.atomic
def case_request_correction(
    *,
    case: Case,
    actor: Any,
    findings: list[MaterialFinding],
    sign_off_by: Any = None,
    sign_off_reason: str = "",
    now: dt.datetime | None = None,
) -> CorrectionNotice:
    """One notice listing everything to supplement (一次性告知, ALL Art. 32).

    A second notice on the same case needs a supervisor's sign-off with a reason and is flagged.
    """
    _require_intake_rights(case, actor)
    if not findings:
        raise CaseError(_("补正告知须至少列明一项缺少或不符合要求的材料。"))
    lines = {line.pk: line for line in case.materials.select_related("material")}
    for finding in findings:
        if finding.case_material_id not in lines:
            raise CaseError(_("补正材料不属于本办件。"))
        if finding.problem not in (MaterialStatus.MISSING, MaterialStatus.DEFECTIVE):
            raise CaseError(_("补正原因只能是“缺少”或“不符合要求”。"))
        if not finding.remark.strip():
            raise CaseError(
                _("请为“%(m)s”填写补正说明。")
                % {"m": lines[finding.case_material_id].material.name}
            )
    sequence = case.correction_count + 1
    if sequence > 1:
        _check_sign_off(case, actor, sign_off_by, sign_off_reason)
    now = now or clock.now()
    transition(
        case,
        allowed_from=AWAITING_INTAKE,
        to=CaseStatus.CORRECTION,
        actor=actor,
        action="correction_requested",
        now=now,
        correction_count=sequence,
        intake_window_id=_intake_window_id(case, actor),
    )
    for finding in findings:
        line = lines[finding.case_material_id]
        line.status, line.remark = finding.problem, finding.remark.strip()
    CaseMaterial.objects.bulk_update(
        [lines[f.case_material_id] for f in findings], ["status", "remark"]
    )
    notice = notice_issue(
        case,
        kind=NoticeKind.CORRECTION,
        actor=actor,
        now=now,
        content={
            "sequence": sequence,
            "lines": [
                {
                    "material": lines[f.case_material_id].material.name,
                    "problem": str(MaterialStatus(f.problem).label),
                    "remark": f.remark.strip(),
                }
                for f in findings
            ],
        },
    )
    if sequence > 1:
        flag_raise(case, kind=FlagKind.SECOND_CORRECTION, now=now, note=sign_off_reason)
    return CorrectionNotice.objects.create(
        case=case,
        notice=notice,
        sequence=sequence,
        signed_off_by=sign_off_by if sequence > 1 else None,
        sign_off_reason=sign_off_reason.strip() if sequence > 1 else "",
    )


def _check_sign_off(case: Case, actor: Any, signer: Any, reason: str) -> None:
    """A second correction notice needs someone else's sign-off: a supervisor, or the chief
    representative of the case's own department, with a reason (docs/rules/supervision.md §D1)."""
    if signer is None or not has_perm(signer, Perm.CORRECTION_SIGN_OFF):
        raise CaseError(_("同一办件第二次补正告知须经监察人员签批。"))
    if signer.pk == getattr(actor, "pk", None):
        raise CaseError(_("第二次补正告知须由经办人以外的人员签批。"))
    if signer.role in DEPARTMENT_ROLES and signer.department_id != case.department_id:
        raise CaseError(_("签批人不是本办件受理部门的人员，不能签批。"))
    if not reason.strip():
        raise CaseError(_("请填写第二次补正告知的签批理由。"))


@transaction.atomic
def case_reject(
    *,
    case: Case,
    actor: Any,
    reasons: str,
    competent_agency: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """不予受理决定书: reasons are mandatory; name the competent agency where relevant."""
    _require_intake_rights(case, actor)
    if not reasons.strip():
        raise CaseError(_("不予受理必须说明理由。"))
    now = now or clock.now()
    transition(
        case,
        allowed_from=[CaseStatus.SUBMITTED, CaseStatus.CORRECTION],
        to=CaseStatus.REJECTED,
        actor=actor,
        action="rejected",
        reason=reasons.strip(),
        now=now,
        closed_at=now,
        intake_window_id=_intake_window_id(case, actor),
    )
    notice_issue(
        case,
        kind=NoticeKind.REJECTION,
        actor=actor,
        now=now,
        content={
            "reasons": reasons.strip(),
            "competent_agency": competent_agency.strip(),
            "appeal_rights": str(APPEAL_RIGHTS),
        },
    )
    return case
