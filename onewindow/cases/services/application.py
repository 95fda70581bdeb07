"""Drafts, submission, withdrawal and resubmission of an application (ALL Art. 32)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.cases import selectors
from onewindow.cases.errors import CaseError, ConcurrentChange
from onewindow.cases.models import (
    WITHDRAWABLE,
    ApprovalRoute,
    Case,
    CaseMaterial,
    CaseStatus,
    Channel,
    Commitment,
    CommitmentStatus,
    CorrectionNotice,
    MaterialStatus,
    SubmissionKey,
)
from onewindow.cases.numbers import case_number_next, query_code_new
from onewindow.cases.transitions import event_record, transition
from onewindow.catalog import deadlines
from onewindow.catalog.delegation import checklist_materials, routed_department_id
from onewindow.catalog.models import ItemVersion, Region, VersionStatus
from onewindow.core import clock

# Other apps' rules on submitting a case, registered by their AppConfig.ready (subscription,
# not a cases → app import): each gets the case and the day of submission and raises CaseError
# with the reason to refuse it (certificates: a renewal applied for too late, ALL Art. 50).
SUBMIT_CHECKS: list[Callable[[Case, dt.date], None]] = []

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
        raise CaseError(_("该事项版本未发布，不能申报。"))
    if route == ApprovalRoute.COMMITMENT and not item_version.commitment_allowed:
        raise CaseError(_("该事项不适用告知承诺制。"))
    case = Case.objects.create(
        item_version=item_version,
        # docs/rules/delegation.md §V1: a delegated item goes to the district's bureau.
        department_id=routed_department_id(
            item_id=item_version.item_id,
            department_id=item_version.item.department_id,
            region=region,
        ),
        region=region,
        applicant=applicant,
        agent=agent,
        created_by=created_by,
        channel=channel,
        route=route,
        form_data=form_data or {},
    )
    # docs/rules/delegation.md §V5: the checklist of the district bureau the case is routed to,
    # fixed now; a later change of the district's deviations does not touch it.
    checklist = checklist_materials(item_version, case.department.region_id)
    CaseMaterial.objects.bulk_create(
        CaseMaterial(case=case, material=material) for material in checklist
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
        raise CaseError(_("以下必需材料尚未上传：%(names)s") % {"names": "、".join(missing)})
    now = now or clock.now()
    for check in SUBMIT_CHECKS:
        check(case, clock.local_date(now))
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
        raise CaseError(_("以下必需材料尚未上传：%(names)s") % {"names": "、".join(missing)})
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
