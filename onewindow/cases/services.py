"""Writes on cases: application, submission and the intake decisions (ALL Art. 32, DOMAIN-RULES B1, G).

Every service is atomic, takes keyword arguments, checks the current state through
``transitions.transition`` and records an event. Views and API handlers only call these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import ForeignKey
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.accounts.models import ApplicantKind, User
from onewindow.accounts.roles import DEPARTMENT_ROLES, Perm, Role, has_perm
from onewindow.accounts.validators import citizen_id_clean, credit_code_clean, mobile_clean
from onewindow.calendars.selectors import get_calendar
from onewindow.cases import deadlines, selectors
from onewindow.cases import fields as form_fields
from onewindow.cases.errors import CaseError, ConcurrentChange, WrongStatus
from onewindow.cases.models import (
    AWAITING_INTAKE,
    WITHDRAWABLE,
    ApplicationField,
    ApprovalRoute,
    Case,
    CaseFile,
    CaseMaterial,
    CaseStatus,
    Channel,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    CorrectionNotice,
    FalseCommitmentRecord,
    FlagKind,
    Mandate,
    MaterialStatus,
    Notice,
    NoticeKind,
    SubmissionKey,
)
from onewindow.cases.numbers import case_number_next, query_code_new
from onewindow.cases.transitions import event_record, flag_raise, transition
from onewindow.cases.uploads import (
    WrittenFile,
    case_file_remove,
    case_file_reuse,
    case_files_attach,
    files_delete,
    files_write,
    stored_file_discard_if_orphan,
    uploads_check,
)
from onewindow.catalog.models import Item, ItemVersion, PublishedVersionError, Region, VersionStatus
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
    now: dt.datetime | None = None,
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
    event_record(
        case,
        actor=created_by,
        action="draft_created",
        new=CaseStatus.DRAFT,
        public=False,
        now=now,
    )
    return case


def _tolerance_limit(version: ItemVersion) -> int:
    return selectors.tolerance_limit(version)


def _missing_required(case: Case) -> list[str]:
    """Required lines without a file that stop a submission.

    G2: an applicant may leave out non-core materials up to the item category's tolerance and
    ask for 容缺受理; core materials, and anything beyond the tolerance, must be there.
    """
    # One query for the required lines without any file (name, is_core), in the catalog's order.
    empty = list(
        case.materials.filter(material__required=True, files__isnull=True).values_list(
            "material__name", "material__is_core"
        )
    )
    non_core = [name for name, is_core in empty if not is_core]
    # The tolerance only matters when a non-core material is missing: no query otherwise.
    if non_core and len(non_core) <= _tolerance_limit(case.item_version):
        empty = [(name, is_core) for name, is_core in empty if is_core]
    return [name for name, _is_core in empty]


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
    return _draft_submit(case=case, actor=actor, idempotency_key=idempotency_key, now=now)


def _draft_submit(*, case: Case, actor: Any, idempotency_key: str, now: dt.datetime | None) -> Case:
    """The submission proper, in the caller's transaction, once the key and status are checked.

    ALL Art. 32 / G2: the required materials must be there (within the tolerance) before the
    case gets its number, receipt date and intake deadline.
    """
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
    _review_cancel(case, now or clock.now())
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


def notice_issue(
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


def _intake_window_id(case: Case, actor: Any) -> int | None:
    """The clerk's window serving the case's department (else their first): window scores."""
    windows = actor.windows.filter(is_active=True).order_by("number")
    serving = windows.filter(departments=case.department_id).values_list("pk", flat=True)
    return serving.first() or windows.values_list("pk", flat=True).first()


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
        intake_window_id=_intake_window_id(case, actor),
        **fields,
    )
    for pk, line in lines.items():
        line.status = MaterialStatus.TOLERATED if pk in tolerated else MaterialStatus.OK
    CaseMaterial.objects.bulk_update(lines.values(), ["status"])
    if tolerated:
        _tolerated_commitments(case, [lines[pk] for pk in tolerated], due, now)
        flag_raise(case, kind=FlagKind.TOLERATED_ACCEPTANCE, now=now)
    _review_open(case, actor, now)
    notice_issue(
        case,
        kind=NoticeKind.TOLERATED if tolerated else NoticeKind.ACCEPTANCE,
        actor=actor,
        now=now,
        content=_acceptance_content(case, lines, tolerated),
    )
    return case


def _review_open(case: Case, actor: Any, now: dt.datetime) -> None:
    """§C5 / DOMAIN-RULES C1: on acceptance the review opens in every department at once."""
    from onewindow.review.services import review_open

    review_open(case=case, now=now, actor=actor)


def _review_cancel(case: Case, now: dt.datetime) -> None:
    """A withdrawn or terminated case owes no department opinion any more."""
    from onewindow.review.services import review_cancel

    review_cancel(case=case, now=now)


def _departments_involved(case: Case) -> list[str]:
    """DOMAIN-RULES C1: the acceptance notice lists every department of the review."""
    from onewindow.catalog.models import Department
    from onewindow.review.deadlines import process_plan

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
        "departments": _departments_involved(case),
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
    representative of the case's own department, with a reason (DOMAIN-RULES D1)."""
    if signer is None or not has_perm(signer, Perm.CORRECTION_SIGN_OFF):
        raise CaseError(_("同一办件第二次补正告知须经监察人员签批。"))
    if signer.pk == getattr(actor, "pk", None):
        raise CaseError(_("第二次补正告知须由经办人以外的人员签批。"))
    if signer.role in DEPARTMENT_ROLES and signer.department_id != case.department_id:
        raise CaseError(_("签批人不是本办件受理部门的人员,不能签批。"))
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


# --- periodic jobs ---------------------------------------------------------------------------


def cases_accept_deemed(
    *, today: dt.date | None = None, batch: int = 200, now: dt.datetime | None = None
) -> int:
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
                _accept_deemed(case, now)
                done += 1
        except (ConcurrentChange, CaseError, Case.DoesNotExist):
            continue
    return done


def _accept_deemed(case: Case, now: dt.datetime | None = None) -> None:
    now = now or clock.now()
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
    _review_open(case, None, now)
    notice_issue(
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
        allowed_from=[CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED],
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
    _review_cancel(case, now)
    flag_raise(case, kind=FlagKind.COMMITMENT_OVERDUE, now=now, note=names)
    notice_issue(
        case, kind=NoticeKind.TERMINATION, actor=None, now=now, content={"reasons": reason}
    )


# --- 容缺 commitments: the material arrives (DOMAIN-RULES G2) ---------------------------------


def commitment_fulfil(
    *, commitment: Commitment, actor: Any, upload: UploadedFile, now: dt.datetime | None = None
) -> Commitment:
    """The clerk records that a tolerated material arrived: the file joins its checklist line,
    the line becomes conforming and the commitment is fulfilled.

    The file is checked and written before the transaction and deleted again if the rows cannot
    be written, so a refusal leaves no orphan file.
    """
    written = files_write(uploads_check([upload]))
    try:
        with transaction.atomic():
            return _fulfil(commitment, actor, written, now)
    except BaseException:
        files_delete(w.path for w in written)
        raise


def _fulfil(
    commitment: Commitment, actor: Any, written: list[WrittenFile], now: dt.datetime | None
) -> Commitment:
    now = now or clock.now()
    case = Case.objects.select_for_update().get(pk=commitment.case_id)
    _require_intake_rights(case, actor)
    # Lock only the commitment row: its material is a nullable join, which PostgreSQL refuses
    # to lock FOR UPDATE.
    fresh = (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("material")
        .get(pk=commitment.pk)
    )
    _check_fulfillable(case, fresh, clock.local_date(now))
    line = case.materials.select_related("material", "case").get(material=fresh.material)
    attached, duplicates = case_files_attach(line=line, written=written, actor=actor, now=now)
    if duplicates:
        raise CaseError(_("该文件与本材料已有的文件相同,请上传申请人补交的材料。"))
    CaseMaterial.objects.filter(pk=line.pk).update(status=MaterialStatus.OK, remark="")
    updated = Commitment.objects.filter(pk=fresh.pk, status=CommitmentStatus.OPEN).update(
        status=CommitmentStatus.FULFILLED, closed_at=now
    )
    if updated != 1:
        raise ConcurrentChange(_("该承诺刚刚已被他人处理,请刷新后查看最新状态。"))
    material = fresh.material.name if fresh.material else ""
    event_record(
        case,
        actor=actor,
        action="commitment_fulfilled",
        old=case.status,
        reason=_("容缺材料“%(m)s”已补齐。") % {"m": material},
        now=now,
        data={
            "material": material,
            "file": attached[0].stored.original_name,
            "commitment": fresh.pk,
        },
    )
    fresh.status, fresh.closed_at = CommitmentStatus.FULFILLED, now
    return fresh


def _check_fulfillable(case: Case, commitment: Commitment, today: dt.date) -> None:
    if commitment.kind != CommitmentKind.TOLERATED or commitment.material_id is None:
        raise CaseError(_("只有容缺后补的材料承诺可以登记补齐。"))
    if commitment.status != CommitmentStatus.OPEN:
        raise WrongStatus(
            _("该承诺当前状态为“%(s)s”,不能再登记补齐。")
            % {"s": CommitmentStatus(commitment.status).label}
        )
    if case.status not in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED):
        raise WrongStatus(
            _("办件当前状态为“%(s)s”,不能登记补齐材料。") % {"s": CaseStatus(case.status).label}
        )
    if commitment.due_on is not None and today > commitment.due_on:
        # G2: nothing by the due date terminates the case; a late file cannot save it.
        raise CaseError(
            _("补齐期限 %(d)s 已过,不能再登记补齐,本办件将依法终止办理。")
            % {"d": commitment.due_on}
        )


# --- walk-in registration at the window (PRODUCT.md §C4) --------------------------------------


@dataclass(frozen=True)
class WalkInApplicant:
    """Who the walk-in applicant is, as the clerk read it from their ID card or licence."""

    kind: str  # ApplicantKind
    full_name: str
    id_number: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    phone: str = ""
    # F2: the clerk checked the business licence for a code that fails its check digit.
    confirm_credit_code: bool = False


def applicant_for_window(*, data: WalkInApplicant) -> User:
    """The existing applicant account, or a new applicant record without a password.

    Raises ``ValidationError`` naming the fields at fault (F1/F2 checks, a name that does not
    match the record). A record made here has no password: the applicant signs in later only
    after setting one through the account pages.
    """
    if data.kind == ApplicantKind.PERSON:
        number = _field_clean("id_number", citizen_id_clean, data.id_number)
        check_failed = False
    elif data.kind == ApplicantKind.ENTERPRISE:
        number, check_failed = _field_clean(
            "credit_code", credit_code_clean, data.credit_code, confirmed=data.confirm_credit_code
        )
    else:
        raise ValidationError({"kind": _("请选择申请人类型。")})
    existing = _identity_holder(data.kind, number)
    if existing is not None:
        return _matching(existing, data)
    return _applicant_record_create(data, number, check_failed)


def _field_clean(field: str, fn: Any, value: str, **kwargs: Any) -> Any:
    try:
        return fn(value, **kwargs)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from exc


def _identity_holder(kind: str, number: str) -> User | None:
    field = "id_number" if kind == ApplicantKind.PERSON else "credit_code"
    holder = User.objects.filter(**{field: number}).first()
    if holder is not None and holder.role not in (Role.APPLICANT, Role.AGENT):
        raise ValidationError({field: _("该证件号码属于工作人员账号,不能作为申请人办件。")})
    return holder


def _matching(user: User, data: WalkInApplicant) -> User:
    name = " ".join(data.full_name.split())
    if name and name != user.full_name:
        raise ValidationError(
            {
                "full_name": _(
                    "该证件号码已登记的名称为“%(name)s”,与填写的“%(given)s”不一致,请核对证件。"
                )
                % {"name": user.full_name, "given": name}
            }
        )
    return user


def _applicant_record_create(data: WalkInApplicant, number: str, check_failed: bool) -> User:
    errors: dict[str, Any] = {}
    name = " ".join(data.full_name.split())
    if not name:
        errors["full_name"] = _("请填写申请人姓名或名称。")
    representative = " ".join(data.legal_representative.split())
    if data.kind == ApplicantKind.ENTERPRISE and not representative:
        errors["legal_representative"] = _("请填写法定代表人姓名。")
    try:
        phone = mobile_clean(data.phone)
    except ValidationError as exc:
        errors["phone"] = exc.error_list
        phone = ""
    if errors:
        raise ValidationError(errors)
    person = data.kind == ApplicantKind.PERSON
    user = User(
        username=number,
        role=Role.APPLICANT,
        applicant_kind=data.kind,
        full_name=name,
        id_number=number if person else "",
        credit_code="" if person else number,
        credit_code_check_failed=check_failed,
        legal_representative="" if person else representative,
        phone=phone,
    )
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def _walk_in_create(
    *,
    item_version: ItemVersion,
    region: Region,
    clerk: Any,
    applicant: WalkInApplicant,
    form_data: dict[str, Any],
    files: dict[int, list[WrittenFile]],
    idempotency_key: str,
    now: dt.datetime | None,
) -> tuple[Case, list[WrittenFile]]:
    user = applicant_for_window(data=applicant)
    case = case_create_draft(
        item_version=item_version,
        applicant=user,
        created_by=clerk,
        region=region,
        channel=Channel.WINDOW,
        form_data=form_data,
        now=now,
    )
    lines = {line.material_id: line for line in case.materials.select_related("material", "case")}
    if set(files) - set(lines):
        raise CaseError(_("上传的材料不属于该事项的材料清单。"))
    duplicates: list[WrittenFile] = []
    for material_id, written in files.items():
        _attached, same = case_files_attach(
            line=lines[material_id], written=written, actor=clerk, now=now
        )
        duplicates += same
    case = case_submit(case=case, actor=clerk, idempotency_key=idempotency_key, now=now)
    return case, duplicates


def case_register_walk_in(
    *,
    item_version: ItemVersion,
    region: Region,
    clerk: Any,
    applicant: WalkInApplicant,
    form_data: dict[str, Any] | None = None,
    files: dict[int, list[UploadedFile]] | None = None,
    idempotency_key: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """A clerk registers an application handed in at the window and submits it (channel window).

    All or nothing: the applicant record, the case, its files and the submission are written in
    one transaction; every file is checked before any is written, and on any refusal the files
    already stored are deleted again. Repeating the call with the same ``idempotency_key`` (a
    double click) returns the first case.
    """
    if (
        not has_perm(clerk, Perm.CASE_INTAKE)
        or clerk.department_id != item_version.item.department_id
    ):
        raise CaseError(_("只能登记本部门的事项。"))
    if idempotency_key and (previous := _keyed_case(clerk, idempotency_key)) is not None:
        return previous
    checked = {material_id: uploads_check(ups) for material_id, ups in (files or {}).items()}
    written: dict[int, list[WrittenFile]] = {}
    try:
        for material_id, uploads in checked.items():
            written[material_id] = files_write(uploads)
        case, duplicates = _walk_in_create(
            item_version=item_version,
            region=region,
            clerk=clerk,
            applicant=applicant,
            form_data=form_data or {},
            files=written,
            idempotency_key=idempotency_key,
            now=now,
        )
    except IntegrityError as exc:
        files_delete(w.path for ws in written.values() for w in ws)
        if idempotency_key and (previous := _keyed_case(clerk, idempotency_key)) is not None:
            return previous  # the same form submitted twice at once: the first one won
        raise ConcurrentChange(_("保存时与另一项操作冲突,请重新提交。")) from exc
    except BaseException:
        files_delete(w.path for ws in written.values() for w in ws)
        raise
    files_delete(w.path for w in duplicates)
    return case


def _keyed_case(user: Any, key: str) -> Case | None:
    used = SubmissionKey.objects.filter(user=user, key=key).select_related("case").first()
    return used.case if used else None


# --- online application (网上申报 §C3, 告知承诺制 G1) ------------------------------------------


def _locked(case: Case, related: tuple[str, ...] = ()) -> Case:
    """Lock the case row until the end of the transaction and reload ``case`` from it.

    One query (SELECT … FOR UPDATE OF the case row only, which returns the row as it is once the
    lock is held). Unlike ``refresh_from_db`` it keeps the related objects already loaded with
    the case unless the row now points elsewhere; ``related`` (select_related paths) are loaded
    in the same query when the caller did not have them yet.
    """
    rows = Case.objects.select_for_update(of=("self",)).order_by()
    fresh = (rows.select_related(*related) if related else rows).get(pk=case.pk)
    for field in Case._meta.concrete_fields:
        value = getattr(fresh, field.attname)
        moved = case.__dict__.get(field.attname) != value  # a foreign key now points elsewhere
        if isinstance(field, ForeignKey) and moved and field.is_cached(case):
            field.delete_cached_value(case)
        setattr(case, field.attname, value)
    for name in dict.fromkeys(path.split("__")[0] for path in related):
        relation = cast(ForeignKey, Case._meta.get_field(name))
        if not relation.is_cached(case):
            relation.set_cached_value(case, relation.get_cached_value(fresh))
    for reverse in Case._meta.related_objects:  # reverse one-to-one caches, as refresh_from_db
        if reverse.is_cached(case):
            reverse.delete_cached_value(case)
    case._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    return case


# What submitting reads besides the case row: the schema and tolerance (version; the item for
# the default form), the number (region), the notification (applicant, agent, department).
SUBMIT_RELATED = ("item_version__item", "department", "region", "applicant", "agent")


def _acting_check(case: Case, actor: Any, today: dt.date | None = None) -> None:
    """The applicant themself, or their agent under a mandate still in force for the item."""
    if actor.pk == case.applicant_id and has_perm(actor, Perm.CASE_APPLY):
        return
    if case.agent_id is not None and actor.pk == case.agent_id:
        if selectors.mandate_covers(
            agent=actor,
            applicant_id=case.applicant_id,
            item_id=case.item_version.item_id,
            today=today or clock.today(),
        ):
            return
        raise CaseError(_("您对该申请人的代办委托已失效、已撤销或不包括该事项,不能继续代为办理。"))
    raise CaseError(_("您无权办理该办件。"))


def _commitment_check(version: ItemVersion, applicant: Any) -> None:
    """G1: not for items that do not allow it, nor for applicants with a false-commitment record."""
    if not version.commitment_allowed:
        raise CaseError(_("该事项不适用告知承诺制,请按一般程序提交证明材料。"))
    if selectors.has_false_commitment(applicant):
        raise CaseError(_("申请人有虚假承诺记录,依法不再适用告知承诺制,请按一般程序提交证明材料。"))


@transaction.atomic
def application_start(
    *,
    item_version: ItemVersion,
    actor: Any,
    region: Region,
    applicant: Any = None,
    route: str = ApprovalRoute.STANDARD,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Open an online draft: an applicant for themself, or an agent for a mandating applicant."""
    today = today or clock.today()
    agent = None
    if has_perm(actor, Perm.CASE_APPLY_FOR_OTHERS):
        if applicant is None or applicant.pk == actor.pk:
            raise CaseError(_("代办员须选择委托您办理的申请人。"))
        if not selectors.mandate_covers(
            agent=actor, applicant_id=applicant.pk, item_id=item_version.item_id, today=today
        ):
            raise CaseError(
                _("您没有“%(a)s”有效的代办委托(或委托不包括该事项),不能代为申报。")
                % {"a": applicant}
            )
        agent = actor
    elif has_perm(actor, Perm.CASE_APPLY):
        if applicant is not None and applicant.pk != actor.pk:
            raise CaseError(_("只能以本人名义申报;代他人申报须由代办员在委托范围内办理。"))
        applicant = actor
    else:
        raise CaseError(_("只有申请人或代办员可以网上申报。"))
    if route not in ApprovalRoute.values:
        raise CaseError(_("审批方式无效。"))
    if not selectors.implementing_regions(item_version).filter(pk=region.pk).exists():
        raise CaseError(_("该事项不在“%(r)s”办理,请在事项的实施区域中选择。") % {"r": region.name})
    if route == ApprovalRoute.COMMITMENT:
        _commitment_check(item_version, applicant)
    return case_create_draft(
        item_version=item_version,
        applicant=applicant,
        created_by=actor,
        region=region,
        agent=agent,
        channel=Channel.ONLINE,
        route=route,
        now=now,
    )


@dataclass
class ApplicationChanges:
    """What one save of the application form or API call changes on a case.

    ``form_data`` None leaves the form as it is; with ``merge`` the given values are merged into
    the stored ones (API PATCH), otherwise they replace them (the page posts every field).
    ``uploads`` and ``reuse`` are keyed by checklist line (CaseMaterial) id.
    """

    form_data: dict[str, Any] | None = None
    merge: bool = False
    route: str | None = None
    uploads: dict[int, list[Any]] = dataclass_field(default_factory=dict)
    reuse: dict[int, list[int]] = dataclass_field(default_factory=dict)

    def is_empty(self) -> bool:
        return (
            self.form_data is None
            and self.route is None
            and not any(self.uploads.values())
            and not any(self.reuse.values())
        )


@dataclass(frozen=True)
class SaveResult:
    case: Case
    attached: int  # files newly attached (uploaded or reused)
    duplicates: list[str]  # names of uploads identical to a file already on the line


def application_save(
    *, case: Case, actor: Any, changes: ApplicationChanges, now: dt.datetime | None = None
) -> SaveResult:
    """Save a draft's form and route, and attach uploaded or reused files, all or nothing.

    Every upload is checked (type by content, size, not empty) before anything is written; the
    files are written under generated names and deleted again if any row cannot be written, so
    a refused save leaves the case exactly as it was and no file behind.
    """
    checked = {line_id: uploads_check(files) for line_id, files in changes.uploads.items() if files}
    written: list[WrittenFile] = []
    duplicates: list[WrittenFile] = []
    try:
        with transaction.atomic():
            case = _locked(case)
            _acting_check(case, actor)
            _save_form(case, actor, changes, now or clock.now())
            wanted = set(checked) | {line_id for line_id, ids in changes.reuse.items() if ids}
            lines = _lines_of(case, wanted)
            by_line: dict[int, list[WrittenFile]] = {}
            for line_id, files in checked.items():
                by_line[line_id] = files_write(files)
                written += by_line[line_id]
            attached, duplicates = _attach_all(case, actor, lines, by_line, changes.reuse)
    except BaseException:
        files_delete(w.path for w in written)
        raise
    files_delete(w.path for w in duplicates)
    return SaveResult(case, attached, [w.upload.name for w in duplicates])


def _save_form(case: Case, actor: Any, changes: ApplicationChanges, now: dt.datetime) -> None:
    if case.status not in (CaseStatus.DRAFT, CaseStatus.CORRECTION):
        raise WrongStatus(
            _("办件当前状态为“%(s)s”,不能再修改。") % {"s": CaseStatus(case.status).label}
        )
    if changes.form_data is None and changes.route in (None, case.route):
        return
    if case.status != CaseStatus.DRAFT:
        raise CaseError(_("补正阶段只需补充材料,申请表内容和审批方式不能再修改。"))
    data = case.form_data
    if changes.form_data is not None:
        merged = {**case.form_data, **changes.form_data} if changes.merge else changes.form_data
        data = form_fields.validate(form_fields.fields_for(case.item_version), merged, partial=True)
    route = changes.route or case.route
    if route not in ApprovalRoute.values:
        raise CaseError(_("审批方式无效。"))
    if route == ApprovalRoute.COMMITMENT and route != case.route:
        _commitment_check(case.item_version, case.applicant)
    if data == case.form_data and route == case.route:
        return
    Case.objects.filter(pk=case.pk).update(form_data=data, route=route, updated_at=now)
    case.form_data, case.route = data, route
    event_record(case, actor=actor, action="draft_saved", public=False, now=now)


def _lines_of(case: Case, line_ids: set[int]) -> dict[int, CaseMaterial]:
    lines = {
        line.pk: line for line in case.materials.select_related("material").filter(pk__in=line_ids)
    }
    if set(lines) != line_ids:
        raise CaseError(_("所选材料不属于本办件。"))
    for line in lines.values():
        line.case = case
    return lines


def _attach_all(
    case: Case,
    actor: Any,
    lines: dict[int, CaseMaterial],
    written: dict[int, list[WrittenFile]],
    reuse: dict[int, list[int]],
) -> tuple[int, list[WrittenFile]]:
    count, duplicates = 0, []
    for line_id, files in written.items():
        attached, skipped = case_files_attach(line=lines[line_id], written=files, actor=actor)
        count += len(attached)
        duplicates += skipped
    wanted = {pk for ids in reuse.values() for pk in ids}
    reusable = {f.pk: f for f in selectors.reusable_files(case).filter(pk__in=wanted)}
    for line_id, ids in reuse.items():
        for pk in dict.fromkeys(ids):
            if pk not in reusable:
                raise CaseError(_("所选的已有材料不存在,或不能在本办件中复用。"))
            case_file_reuse(case_material=lines[line_id], stored=reusable[pk], actor=actor)
            count += 1
    return count, duplicates


@dataclass(frozen=True)
class CommitmentSignature:
    """The applicant's ticked box and typed full name under the 告知承诺书 (G1)."""

    agreed: bool
    signature: str


@dataclass(frozen=True)
class Submission:
    """The submitted case; ``created`` is False when an earlier call had already submitted it."""

    case: Case
    created: bool


def _key_for_another_case() -> CaseError:
    return CaseError(_("该幂等键(Idempotency-Key)已用于另一办件,请为每次提交生成新的键。"))


def _already_sent(case: Case, actor: Any, key: str) -> Submission | None:
    previous = selectors.submission_for_key(actor, key)
    if previous is None:
        return None
    if previous.pk != case.pk:
        raise _key_for_another_case()
    return Submission(previous, False)


def _already_sent_locked(case: Case, actor: Any, key: str) -> Submission | None:
    """``_already_sent`` for a case just reloaded under its row lock: the key's case is ``case``
    itself (already fresh), so only its id is read."""
    previous_id = selectors.submission_key_case_id(actor, key)
    if previous_id is None:
        return None
    if previous_id != case.pk:
        raise _key_for_another_case()
    return Submission(case, False)


@transaction.atomic
def application_submit(
    *,
    case: Case,
    actor: Any,
    idempotency_key: str = "",
    commitment: CommitmentSignature | None = None,
    now: dt.datetime | None = None,
) -> Submission:
    """Submit an online draft once: form complete, materials present, commitment signed if chosen.

    The case row is locked first, so of two simultaneous submissions (a double click, a retry,
    two API calls with one Idempotency-Key) the second waits and then finds the case submitted.
    """
    case = _locked(case, SUBMIT_RELATED)
    if (done := _already_sent_locked(case, actor, idempotency_key)) is not None:
        return done
    if case.submitted_at is not None and case.status != CaseStatus.DRAFT:
        return Submission(case, False)
    _acting_check(case, actor)
    form_fields.validate(form_fields.fields_for(case.item_version), case.form_data)
    signature = ""
    if case.route == ApprovalRoute.COMMITMENT:
        _commitment_check(case.item_version, case.applicant)
        signature = _signature_check(case, commitment)
    now = now or clock.now()
    # The key and the status were checked above under the row lock: submit without asking again.
    _draft_submit(case=case, actor=actor, idempotency_key=idempotency_key, now=now)
    if signature:
        _commitment_record(case, actor, signature, now)
    return Submission(case, True)


def _signature_check(case: Case, commitment: CommitmentSignature | None) -> str:
    if commitment is None or not commitment.agreed:
        raise CaseError(_("选择告知承诺制的,请阅读告知承诺书并勾选“我已阅读并作出上述承诺”。"))
    applicant = case.applicant
    names = {n.strip() for n in (applicant.full_name, applicant.legal_representative) if n.strip()}
    signature = commitment.signature.strip()
    if signature not in names:
        raise CaseError(
            _("请在告知承诺书上签署申请人姓名(名称)“%(n)s”。")
            % {"n": applicant.full_name or applicant.username}
        )
    return signature


def _commitment_record(case: Case, actor: Any, signature: str, now: dt.datetime) -> None:
    statement = selectors.commitment_statement(case.item_version)
    Commitment.objects.create(
        case=case,
        kind=CommitmentKind.NOTIFICATION,
        text=statement.text,
        liability=statement.liability,
        signed_at=now,
    )
    notice_issue(
        case,
        kind=NoticeKind.COMMITMENT,
        actor=actor,
        now=now,
        content={
            "conditions": statement.conditions,
            "text": statement.text,
            "liability": statement.liability,
            "signed_by": signature,
            "signed_at": now.isoformat(),
        },
    )
    event_record(case, actor=actor, action="commitment_signed", now=now, data={"by": signature})


@transaction.atomic
def application_resubmit(
    *, case: Case, actor: Any, idempotency_key: str = "", now: dt.datetime | None = None
) -> Submission:
    """Answer the correction notice once; a repeated key returns the earlier answer."""
    case = _locked(case)
    if (done := _already_sent(case, actor, idempotency_key)) is not None:
        return done
    _acting_check(case, actor)
    case_resubmit(case=case, actor=actor, now=now)
    if idempotency_key:
        SubmissionKey.objects.create(user=actor, key=idempotency_key, case=case)
    return Submission(case, True)


def application_save_and_send(
    *,
    case: Case,
    actor: Any,
    changes: ApplicationChanges,
    idempotency_key: str,
    commitment: CommitmentSignature | None = None,
    resubmit: bool = False,
    now: dt.datetime | None = None,
) -> Submission:
    """The page's submit button: save what the form carries, then submit (or resubmit), once.

    The form's one-time token is the idempotency key: a reload or double click finds the key
    used and gets the same case; identical files sent twice are attached once.
    """
    if (done := _already_sent(case, actor, idempotency_key)) is not None:
        return done
    try:
        if not changes.is_empty():
            application_save(case=case, actor=actor, changes=changes, now=now)
    except WrongStatus:
        # The double click's first request won the race and has submitted meanwhile.
        if (done := _already_sent(case, actor, idempotency_key)) is not None:
            return done
        raise
    if resubmit:
        return application_resubmit(
            case=case, actor=actor, idempotency_key=idempotency_key, now=now
        )
    return application_submit(
        case=case, actor=actor, idempotency_key=idempotency_key, commitment=commitment, now=now
    )


@transaction.atomic
def application_withdraw(
    *, case: Case, actor: Any, reason: str = "", now: dt.datetime | None = None
) -> Case:
    """The applicant (or their agent) withdraws before a decision."""
    case = _locked(case)
    _acting_check(case, actor)
    reason = reason.strip()
    if len(reason) > 500:
        raise CaseError(_("撤回理由最多 500 个字。"))
    return case_withdraw(case=case, actor=actor, reason=reason, now=now)


@transaction.atomic
def application_file_remove(*, case: Case, case_file: CaseFile, actor: Any) -> None:
    """Take a file off a line; a file nothing else uses is deleted too (no orphan on disk)."""
    case = _locked(case)
    _acting_check(case, actor)
    if case_file.case_material.case_id != case.pk:
        raise CaseError(_("该文件不属于本办件。"))
    stored = case_file.stored
    case_file_remove(case_file=case_file, actor=actor)
    stored_file_discard_if_orphan(stored)


# --- per-item form fields, mandates, false commitments ----------------------------------------


@transaction.atomic
def application_fields_set(
    *, version: ItemVersion, specs: list[form_fields.FieldSpec]
) -> list[ApplicationField]:
    """Replace the extra form fields of a draft version (frozen once it is published)."""
    status = (
        ItemVersion.objects.select_for_update()
        .filter(pk=version.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status != VersionStatus.DRAFT:
        raise PublishedVersionError(_("已发布的版本不可修改,请创建新的草稿版本。"))
    problems = [problem for spec in specs for problem in form_fields.spec_check(spec)]
    names = [spec.name for spec in specs]
    problems += [
        _("字段标识“%(n)s”重复。") % {"n": name}
        for name in sorted(set(names))
        if names.count(name) > 1
    ]
    if problems:
        raise ValidationError({"fields": problems})
    ApplicationField.objects.filter(version=version).delete()
    return [
        ApplicationField.objects.create(
            version=version,
            sort=sort,
            name=spec.name,
            label=spec.label.strip(),
            type=spec.type,
            required=spec.required,
            choices=[str(c).strip() for c in spec.choices],
            help=spec.help,
            min_length=spec.min_length,
            max_length=spec.max_length,
            min_value=spec.min_value,
            max_value=spec.max_value,
            text_format=spec.text_format,
        )
        for sort, spec in enumerate(specs, start=1)
    ]


def application_fields_copy(*, source: ItemVersion, draft: ItemVersion) -> list[ApplicationField]:
    """Carry a version's own form fields over to its next draft (call after creating the draft)."""
    specs = [form_fields.spec_from_row(row) for row in source.application_fields.all()]
    return application_fields_set(version=draft, specs=specs) if specs else []


@transaction.atomic
def mandate_record(
    *,
    agent: Any,
    applicant: Any,
    valid_until: dt.date,
    recorded_by: Any,
    item: Item | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> Mandate:
    """Record an applicant's mandate for an agent: for every item, or for one item only."""
    today = today or clock.today()
    mandate_check(
        agent=agent,
        applicant=applicant,
        valid_until=valid_until,
        recorded_by=recorded_by,
        item=item,
        today=today,
    )
    return Mandate.objects.create(
        agent=agent,
        applicant=applicant,
        item=item,
        valid_until=valid_until,
        recorded_by=recorded_by,
        note=note.strip()[:300],
    )


def mandate_check(
    *,
    agent: Any,
    applicant: Any,
    valid_until: dt.date,
    recorded_by: Any,
    item: Item | None = None,
    today: dt.date,
) -> None:
    """Every rule ``mandate_record`` enforces, for forms that must answer before saving."""
    if not has_perm(agent, Perm.CASE_APPLY_FOR_OTHERS):
        raise CaseError(_("受托人不是代办员,不能登记代办委托。"))
    if applicant.role != Role.APPLICANT:
        raise CaseError(_("委托人须为申请人。"))
    if recorded_by.pk != applicant.pk and not has_perm(recorded_by, Perm.USER_MANAGE):
        raise CaseError(_("代办委托须由申请人本人或中心管理员登记。"))
    if valid_until < today:
        raise CaseError(_("委托有效期不能早于今天。"))
    _mandate_scope_check(
        agent=agent, applicant=applicant, item=item, valid_until=valid_until, today=today
    )


# §C8: a mandate is a scoped, time-limited authorisation; two years is the longest we record,
# after which the applicant renews it (an open-ended power of attorney is not a mandate).
MANDATE_LONGEST_YEARS = 2


def mandate_latest_end(today: dt.date) -> dt.date:
    """The last day a mandate recorded ``today`` may run to (29 February → 28 February)."""
    year = today.year + MANDATE_LONGEST_YEARS
    return (
        today.replace(year=year, day=28)
        if (today.month, today.day) == (2, 29)
        else today.replace(year=year)
    )


def _mandate_scope_check(
    *, agent: Any, applicant: Any, item: Item | None, valid_until: dt.date, today: dt.date
) -> None:
    if agent.pk == applicant.pk:
        raise CaseError(_("不能委托自己。"))
    if valid_until > mandate_latest_end(today):
        raise CaseError(
            _("委托有效期最长 %(n)s 年,请选择 %(d)s 或更早的日期。")
            % {"n": MANDATE_LONGEST_YEARS, "d": mandate_latest_end(today).isoformat()}
        )
    if item is not None and item.published_version_id is None:
        raise CaseError(_("该事项尚未发布,不能委托办理。"))
    in_force = Mandate.objects.filter(
        agent_id=agent.pk, applicant_id=applicant.pk, revoked_at__isnull=True, item=item
    ).filter(valid_until__gte=today)
    if in_force.exists():
        raise CaseError(
            _("您已有一份相同范围、仍在有效期内的委托给该代办员;如需变更有效期,请先撤销原委托。")
        )


@transaction.atomic
def mandate_revoke(*, mandate: Mandate, now: dt.datetime | None = None) -> Mandate:
    """End a mandate at once; the agent can no longer act on the applicant's cases."""
    Mandate.objects.filter(pk=mandate.pk, revoked_at__isnull=True).update(
        revoked_at=now or clock.now()
    )
    mandate.refresh_from_db()
    return mandate


@transaction.atomic
def false_commitment_record(
    *,
    applicant: Any,
    note: str,
    recorded_by: Any,
    case: Case | None = None,
    now: dt.datetime | None = None,
) -> FalseCommitmentRecord:
    """G1: record a false commitment; the applicant may no longer choose 告知承诺制."""
    if not any(
        has_perm(recorded_by, perm)
        for perm in (Perm.CASE_INTAKE, Perm.TASK_APPROVE, Perm.SUPERVISE)
    ):
        raise CaseError(_("您无权登记虚假承诺记录。"))
    if not note.strip():
        raise CaseError(_("请说明虚假承诺的情况。"))
    if case is not None and case.applicant_id != applicant.pk:
        raise CaseError(_("办件的申请人与记录对象不一致。"))
    return FalseCommitmentRecord.objects.create(
        applicant=applicant,
        case=case,
        recorded_at=now or clock.now(),
        recorded_by=recorded_by,
        note=note.strip(),
    )
