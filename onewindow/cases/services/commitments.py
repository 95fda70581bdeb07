"""容缺 commitments: the clerk records that a tolerated material arrived."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.cases.errors import CaseError, ConcurrentChange, WrongStatus
from onewindow.cases.models import (
    Case,
    CaseMaterial,
    CaseStatus,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    MaterialStatus,
)
from onewindow.cases.services.intake import _require_intake_rights
from onewindow.cases.transitions import event_record
from onewindow.cases.uploads import (
    WrittenFile,
    case_files_attach,
    files_delete,
    files_write,
    uploads_check,
)
from onewindow.core import clock

# --- 容缺 commitments: the material arrives (docs/rules/licensing.md §G2) ---------------------------


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
        raise CaseError(_("该文件与本材料已有的文件相同，请上传申请人补交的材料。"))
    CaseMaterial.objects.filter(pk=line.pk).update(status=MaterialStatus.OK, remark="")
    updated = Commitment.objects.filter(pk=fresh.pk, status=CommitmentStatus.OPEN).update(
        status=CommitmentStatus.FULFILLED, closed_at=now
    )
    if updated != 1:
        raise ConcurrentChange(_("该承诺刚刚已被他人处理，请刷新后查看最新状态。"))
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
            _("该承诺当前状态为“%(s)s”，不能再登记补齐。")
            % {"s": CommitmentStatus(commitment.status).label}
        )
    if case.status not in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED):
        raise WrongStatus(
            _("办件当前状态为“%(s)s”，不能登记补齐材料。") % {"s": CaseStatus(case.status).label}
        )
    if commitment.due_on is not None and today > commitment.due_on:
        # G2: nothing by the due date terminates the case; a late file cannot save it.
        raise CaseError(
            _("补齐期限 %(d)s 已过，不能再登记补齐，本办件将依法终止办理。")
            % {"d": commitment.due_on}
        )
