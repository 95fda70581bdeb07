"""Periodic jobs: deemed acceptance and termination for overdue 容缺 commitments."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.cases.errors import CaseError, ConcurrentChange
from onewindow.cases.models import (
    AWAITING_INTAKE,
    Case,
    CaseStatus,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    FlagKind,
    NoticeKind,
)
from onewindow.cases.services.intake import (
    _acceptance_content,
    _decision_fields,
    notice_issue,
)
from onewindow.cases.transitions import flag_raise, transition
from onewindow.core import clock

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
        reason=_("受理期限 %(d)s 届满未作出受理决定，依法自收到申请材料之日起视为受理。")
        % {"d": case.intake_due},
        **fields,
    )
    flag_raise(case, kind=FlagKind.DEEMED_ACCEPTANCE, now=now)
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
    reason = _("容缺受理承诺的材料（%(m)s）未在承诺期限内补齐，本办件终止办理。") % {"m": names}
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
    flag_raise(case, kind=FlagKind.COMMITMENT_OVERDUE, now=now, note=names)
    notice_issue(
        case, kind=NoticeKind.TERMINATION, actor=None, now=now, content={"reasons": reason}
    )
