"""Writes on cases: application, submission and the intake decisions (ALL Art. 32, DOMAIN-RULES B1, G).

Every service is atomic, takes keyword arguments, checks the current state through
``transitions.transition`` and records an event. Views and API handlers only call these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.accounts.roles import Perm, has_perm
from onewindow.calendars.selectors import get_calendar
from onewindow.cases import deadlines
from onewindow.cases.errors import CaseError, ConcurrentChange
from onewindow.cases.models import (
    AWAITING_INTAKE,
    WITHDRAWABLE,
    ApprovalRoute,
    Case,
    CaseMaterial,
    CaseStatus,
    Channel,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    CorrectionNotice,
    FlagKind,
    MaterialStatus,
    Notice,
    NoticeKind,
    SubmissionKey,
)
from onewindow.cases.numbers import case_number_next, query_code_new
from onewindow.cases.transitions import event_record, flag_raise, transition
from onewindow.catalog.models import ItemVersion, Region, ToleranceSetting, VersionStatus
from onewindow.core import clock

# ALL Art. 38 / Administrative Reconsideration Law: every refusal names the remedies.
APPEAL_RIGHTS = gettext_lazy(
    "如对本决定不服,可以自收到本决定书之日起六十日内依法申请行政复议,"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)


# --- application ---------------------------------------------------------------------------


@transaction.atomic
def case_create_draft(
    *,
    item_version: ItemVersion,
    applicant: Any,
    created_by: Any,
    region: Region,
    agent: Any = None,
    channel: str = Channel.ONLINE,
    route: str = ApprovalRoute.STANDARD,
    form_data: dict[str, Any] | None = None,
) -> Case:
    """A draft application against the item's published version, with its checklist lines."""
    if item_version.status != VersionStatus.PUBLISHED:
        raise CaseError(_("该事项版本未发布,不能申报。"))
    if route == ApprovalRoute.COMMITMENT and not item_version.commitment_allowed:
        raise CaseError(_("该事项不适用告知承诺制。"))
    case = Case.objects.create(
        item_version=item_version,
        department_id=item_version.item.department_id,
        region=region,
        applicant=applicant,
        agent=agent,
        created_by=created_by,
        channel=channel,
        route=route,
        form_data=form_data or {},
    )
    CaseMaterial.objects.bulk_create(
        CaseMaterial(case=case, material=material) for material in item_version.materials.all()
    )
    event_record(case, actor=created_by, action="draft_created", new=CaseStatus.DRAFT, public=False)
    return case


def _tolerance_limit(version: ItemVersion) -> int:
    setting = ToleranceSetting.objects.filter(category=version.tolerance_category).first()
    return setting.max_missing if setting else 0


def _missing_required(case: Case) -> list[str]:
    """Required lines without a file that stop a submission.

    G2: an applicant may leave out non-core materials up to the item category's tolerance and
    ask for 容缺受理; core materials, and anything beyond the tolerance, must be there.
    """
    lines = case.materials.select_related("material").prefetch_related("files")
    empty = [line.material for line in lines if line.material.required and not line.files.all()]
    non_core = [material for material in empty if not material.is_core]
    if len(non_core) <= _tolerance_limit(case.item_version):
        empty = [material for material in empty if material.is_core]
    return [material.name for material in empty]


@transaction.atomic
def case_submit(
    *, case: Case, actor: Any, idempotency_key: str = "", now: dt.datetime | None = None
) -> Case:
    """Submit a draft: number, query code, receipt date and intake deadline (ALL Art. 32).

    Idempotent: submitting an already submitted case, or reusing an Idempotency-Key, returns the
    case the first call produced.
    """
    if idempotency_key:
        used = SubmissionKey.objects.filter(user=actor, key=idempotency_key).select_related("case")
        if (previous := used.first()) is not None:
            return previous.case
    if case.status != CaseStatus.DRAFT and case.submitted_at is not None:
        return case  # a double click or a retry after the first submission went through
    missing = _missing_required(case)
    if missing:
        raise CaseError(_("以下必需材料尚未上传:%(names)s") % {"names": "、".join(missing)})
    now = now or clock.now()
    dates = deadlines.intake_dates(clock.local_date(now))
    try:
        transition(
            case,
            allowed_from=[CaseStatus.DRAFT],
            to=CaseStatus.SUBMITTED,
            actor=actor,
            action="submitted",
            now=now,
            submitted_at=now,
            received_on=dates.received_on,
            intake_due=dates.intake_due,
            due_provisional=dates.provisional,
            number=case_number_next(region_code=case.region.code, day=clock.local_date(now)),
            query_code=query_code_new(),
        )
    except ConcurrentChange:
        case.refresh_from_db()
        if case.submitted_at is not None:
            return case
        raise
    if idempotency_key:
        SubmissionKey.objects.create(user=actor, key=idempotency_key, case=case)
    return case


@transaction.atomic
def case_withdraw(
    *, case: Case, actor: Any, reason: str = "", now: dt.datetime | None = None
) -> Case:
    """The applicant withdraws before a decision is made."""
    transition(
        case,
        allowed_from=WITHDRAWABLE,
        to=CaseStatus.WITHDRAWN,
        actor=actor,
        action="withdrawn",
        reason=reason,
        now=now,
        closed_at=now or clock.now(),
    )
    Commitment.objects.filter(case=case, status=CommitmentStatus.OPEN).update(
        status=CommitmentStatus.CANCELLED, closed_at=now or clock.now()
    )
    return case


@transaction.atomic
def case_resubmit(*, case: Case, actor: Any, now: dt.datetime | None = None) -> Case:
    """The applicant answers the correction notice; the intake period starts again on receipt."""
    missing = _missing_required(case)
    if missing:
        raise CaseError(_("以下必需材料尚未上传:%(names)s") % {"names": "、".join(missing)})
    now = now or clock.now()
    dates = deadlines.intake_dates(clock.local_date(now))
    transition(
        case,
        allowed_from=[CaseStatus.CORRECTION],
        to=CaseStatus.SUBMITTED,
        actor=actor,
        action="resubmitted",
        now=now,
        received_on=dates.received_on,
        intake_due=dates.intake_due,
        due_provisional=dates.provisional,
    )
    case.materials.filter(status__in=[MaterialStatus.MISSING, MaterialStatus.DEFECTIVE]).update(
        status=MaterialStatus.PENDING
    )
    CorrectionNotice.objects.filter(case=case, answered_at__isnull=True).update(answered_at=now)
    return case


# --- intake decisions ------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialFinding:
    """The clerk's finding on one checklist line of a correction notice."""

    case_material_id: int
    problem: str  # MaterialStatus.MISSING or MaterialStatus.DEFECTIVE
    remark: str


def _notice_issue(
    case: Case, *, kind: str, actor: Any, now: dt.datetime, content: dict[str, Any]
) -> Notice:
    sequence = case.notices.filter(kind=kind).count() + 1
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


def _require_intake_rights(case: Case, actor: Any) -> None:
    # Object-level: the clerk's department must be the case's (views check and log first).
    if not has_perm(actor, Perm.CASE_INTAKE) or actor.department_id != case.department_id:
        raise CaseError(_("您无权受理该部门的办件。"))


def _decision_fields(case: Case, accepted_on: dt.date) -> dict[str, Any]:
    version = case.item_version
    dates = deadlines.decision_dates(
        accepted_on, committed_days=version.committed_days, statutory_days=version.statutory_days
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
    """Accept (受理). With ``tolerated_material_ids`` this is 容缺受理 (DOMAIN-RULES G2)."""
    _require_intake_rights(case, actor)
    now = now or clock.now()
    tolerated = set(tolerated_material_ids or [])
    lines = {line.pk: line for line in case.materials.select_related("material")}
    _check_tolerance(case, lines, tolerated)
    fields = _decision_fields(case, clock.local_date(now))
    if tolerated:
        # G2: the supplement is due no later than the committed limit.
        latest = fields["decision_due"]
        due = commitment_due or latest
        if due > latest or due <= clock.local_date(now):
            raise CaseError(
                _("补齐材料期限须晚于今天且不得晚于承诺办结期限 %(d)s。") % {"d": latest}
            )
    transition(
        case,
        allowed_from=AWAITING_INTAKE,
        to=CaseStatus.ACCEPTED,
        actor=actor,
        action="accepted_tolerated" if tolerated else "accepted",
        now=now,
        **fields,
    )
    for pk, line in lines.items():
        line.status = MaterialStatus.TOLERATED if pk in tolerated else MaterialStatus.OK
    CaseMaterial.objects.bulk_update(lines.values(), ["status"])
    if tolerated:
        _tolerated_commitments(case, [lines[pk] for pk in tolerated], due, now)
        flag_raise(case, kind=FlagKind.TOLERATED_ACCEPTANCE, now=now)
    _notice_issue(
        case,
        kind=NoticeKind.TOLERATED if tolerated else NoticeKind.ACCEPTANCE,
        actor=actor,
        now=now,
        content=_acceptance_content(case, lines, tolerated),
    )
    return case


def _check_tolerance(case: Case, lines: dict[int, CaseMaterial], tolerated: set[int]) -> None:
    unknown = tolerated - set(lines)
    if unknown:
        raise CaseError(_("容缺材料不属于本办件。"))
    core = [lines[pk].material.name for pk in tolerated if lines[pk].material.is_core]
    if core:
        # G2: core (主要) materials must be complete; only non-core ones may be missing.
        raise CaseError(_("主要材料不得容缺:%(names)s") % {"names": "、".join(core)})
    missing = [
        line.material.name
        for pk, line in lines.items()
        if pk not in tolerated and line.material.required and not line.files.exists()
    ]
    if missing:
        raise CaseError(_("以下必需材料缺失,不能受理:%(names)s") % {"names": "、".join(missing)})
    if not tolerated:
        return
    limit = _tolerance_limit(case.item_version)
    if len(tolerated) > limit:
        raise CaseError(
            _(
                "该事项属于“%(cat)s”,最多可容缺 %(n)s 项次要材料,本次申请容缺 %(m)s 项,不能容缺受理。"
            )
            % {
                "cat": case.item_version.get_tolerance_category_display(),
                "n": limit,
                "m": len(tolerated),
            }
        )


def _tolerated_commitments(
    case: Case, lines: list[CaseMaterial], due: dt.date, now: dt.datetime
) -> None:
    provisional = get_calendar().is_provisional(clock.local_date(now), due)
    Commitment.objects.bulk_create(
        Commitment(
            case=case,
            kind=CommitmentKind.TOLERATED,
            material=line.material,
            text=_("申请人承诺于 %(d)s 前补齐“%(m)s”,逾期未补齐的,本办件终止办理。")
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
        "committed_days": case.item_version.committed_days,
        "statutory_days": case.item_version.statutory_days,
        "deemed": case.deemed_accepted,
        "tolerated": [{"material": lines[pk].material.name} for pk in sorted(tolerated)],
        "commitment_due": _commitment_due(case),
    }


def _commitment_due(case: Case) -> str:
    due = (
        case.commitments.filter(kind=CommitmentKind.TOLERATED)
        .values_list("due_on", flat=True)
        .first()
    )
    return due.isoformat() if due else ""


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
        if sign_off_by is None or not has_perm(sign_off_by, Perm.CORRECTION_SIGN_OFF):
            raise CaseError(_("同一办件第二次补正告知须经监察人员签批。"))
        if not sign_off_reason.strip():
            raise CaseError(_("请填写第二次补正告知的签批理由。"))
    now = now or clock.now()
    transition(
        case,
        allowed_from=AWAITING_INTAKE,
        to=CaseStatus.CORRECTION,
        actor=actor,
        action="correction_requested",
        now=now,
        correction_count=sequence,
    )
    for finding in findings:
        line = lines[finding.case_material_id]
        line.status, line.remark = finding.problem, finding.remark.strip()
    CaseMaterial.objects.bulk_update(
        [lines[f.case_material_id] for f in findings], ["status", "remark"]
    )
    notice = _notice_issue(
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
    )
    _notice_issue(
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


# --- periodic jobs ---------------------------------------------------------------------------


def cases_accept_deemed(*, today: dt.date | None = None, batch: int = 200) -> int:
    """ALL Art. 32: no intake decision within the intake period → accepted from the day of receipt.

    Claims one case at a time in short transactions, so it is safe beside web requests and in
    several workers (the conditional UPDATE in ``transition`` lets only one of them win).
    """
    today = today or clock.today()
    done = 0
    ids = list(
        Case.objects.filter(status__in=AWAITING_INTAKE, intake_due__lt=today)
        .order_by("intake_due")
        .values_list("pk", flat=True)[:batch]
    )
    for pk in ids:
        try:
            with transaction.atomic():
                case = Case.objects.select_related("item_version", "department", "applicant").get(
                    pk=pk
                )
                _accept_deemed(case)
                done += 1
        except (ConcurrentChange, CaseError, Case.DoesNotExist):
            continue
    return done


def _accept_deemed(case: Case) -> None:
    now = clock.now()
    assert case.received_on is not None
    fields = _decision_fields(case, case.received_on)
    transition(
        case,
        allowed_from=AWAITING_INTAKE,
        to=CaseStatus.ACCEPTED,
        actor=None,
        action="accepted_deemed",
        now=now,
        deemed_accepted=True,
        reason=_("受理期限 %(d)s 届满未作出受理决定,依法自收到申请材料之日起视为受理。")
        % {"d": case.intake_due},
        **fields,
    )
    flag_raise(case, kind=FlagKind.DEEMED_ACCEPTANCE, now=now)
    _notice_issue(
        case,
        kind=NoticeKind.ACCEPTANCE,
        actor=None,
        now=now,
        content=_acceptance_content(case, {}, set()),
    )


def commitments_terminate_overdue(*, today: dt.date | None = None, batch: int = 200) -> int:
    """G2: a tolerated material not supplied by its due date terminates the case, with a notice."""
    today = today or clock.today()
    case_ids = list(
        Commitment.objects.filter(
            kind=CommitmentKind.TOLERATED, status=CommitmentStatus.OPEN, due_on__lt=today
        )
        .values_list("case_id", flat=True)
        .distinct()[:batch]
    )
    done = 0
    for pk in case_ids:
        try:
            with transaction.atomic():
                case = Case.objects.select_related("item_version", "department", "applicant").get(
                    pk=pk
                )
                _terminate_for_commitment(case, today)
                done += 1
        except (ConcurrentChange, CaseError):
            continue
    return done


def _terminate_for_commitment(case: Case, today: dt.date) -> None:
    now = clock.now()
    overdue = list(
        case.commitments.filter(
            kind=CommitmentKind.TOLERATED, status=CommitmentStatus.OPEN, due_on__lt=today
        ).select_related("material")
    )
    names = "、".join(c.material.name for c in overdue if c.material)
    reason = _("容缺受理承诺的材料(%(m)s)未在承诺期限内补齐,本办件终止办理。") % {"m": names}
    transition(
        case,
        allowed_from=[CaseStatus.ACCEPTED],
        to=CaseStatus.TERMINATED,
        actor=None,
        action="terminated_commitment_overdue",
        reason=reason,
        now=now,
        closed_at=now,
    )
    Commitment.objects.filter(pk__in=[c.pk for c in overdue]).update(
        status=CommitmentStatus.OVERDUE, closed_at=now
    )
    flag_raise(case, kind=FlagKind.COMMITMENT_OVERDUE, now=now, note=names)
    _notice_issue(
        case, kind=NoticeKind.TERMINATION, actor=None, now=now, content={"reasons": reason}
    )
