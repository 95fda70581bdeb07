"""Material requests through the window: a department asks, the applicant answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import staff_in_department
from onewindow.cases.errors import CaseError, ConcurrentChange, WrongStatus
from onewindow.cases.models import Case, CaseStatus, NoticeKind, StoredFile
from onewindow.cases.selectors import agent_may_act
from onewindow.cases.services import notice_issue
from onewindow.cases.transitions import event_record
from onewindow.cases.uploads import (
    MAX_FILES_PER_MATERIAL,
    WrittenFile,
    files_delete,
    files_write,
    uploads_check,
)
from onewindow.catalog.deadlines import case_decision_due, shift, working_days_between
from onewindow.core import clock
from onewindow.review.models import MaterialAnswerFile, MaterialRequest, Task, TaskStatus
from onewindow.review.services.tasks import (
    TaskNotAllowed,
    _check,
    _claim,
    _fresh,
    _lock_case,
    _long,
    _revision,
    _text,
)


# --- material requests (through the window) ---------------------------------------------------
@transaction.atomic
def task_material_request(
    *, task: Task, actor: Any, text: str, revision: int | None, now: dt.datetime | None = None
) -> MaterialRequest:
    """Ask the applicant for more material. Whether this branch's clock stops is the item's
    setting (``material_request_pauses``), recorded on the request either way."""
    now = now or clock.now()
    text = _text(text)
    _long(text)
    if not text:
        raise CaseError(_("请写明需要申请人补充的材料及要求。"))
    task = _fresh(task, revision)
    _check(task, actor, revision, statuses=(TaskStatus.OPEN,))
    today = clock.local_date(now)
    _claim(task, _revision(task, revision), status=TaskStatus.WAITING_MATERIAL)
    pauses = bool(task.case.item_version.material_request_pauses)
    request = MaterialRequest.objects.create(
        task=task, text=text, pauses_clock=pauses, requested_by=actor, requested_on=today
    )
    notice_issue(
        task.case,
        kind=NoticeKind.MATERIAL_REQUEST,
        actor=actor,
        now=now,
        content={
            "requesting_department": task.department.name,
            "text": text,
            "pauses_clock": pauses,
            "requested_on": today.isoformat(),
            "task_due": task.due.isoformat(),
            "request": request.pk,
        },
    )
    event_record(
        task.case,
        actor=actor,
        action="material_requested",
        old=task.case.status,
        reason=_("%(d)s要求补充材料：%(t)s") % {"d": task.department.name, "t": text},
        public=True,
        now=now,
        data={"task": task.pk, "request": request.pk, "pauses_clock": pauses},
    )
    return request


def _may_answer(request: MaterialRequest, actor: Any) -> bool:
    case = request.task.case
    if has_perm(actor, Perm.CASE_APPLY) and (
        actor.pk == case.applicant_id or agent_may_act(actor, case)
    ):
        return True
    # Recorded at the window by a clerk of the accepting department.
    return has_perm(actor, Perm.CASE_INTAKE) and staff_in_department(actor, case.department_id)


def material_request_answer(
    *,
    request: MaterialRequest,
    actor: Any,
    answer: str,
    files: Sequence[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> MaterialRequest:
    """The applicant answers (or the clerk records their answer, with the scanned files): the
    task reopens; a stopped clock moves the task's due date, and the case's if it is now the
    critical path, by the working days it stood still.

    An answer has text, files or both. Every file goes through the application's upload checks
    (``cases.uploads``: type by content, size limit, no empty file) before any is written; the
    files are written under generated names before the transaction and deleted again if the rows
    cannot be written, so a refusal leaves neither a half-recorded answer nor an orphan file.
    """
    answer = _text(answer)
    _long(answer)
    if not answer and not files:
        raise CaseError(_("请填写补充说明或上传补充的材料文件。"))
    if len(files) > MAX_FILES_PER_MATERIAL:
        raise CaseError(_("一次最多上传 %(n)s 个文件。") % {"n": MAX_FILES_PER_MATERIAL})
    written = files_write(uploads_check(files))
    try:
        with transaction.atomic():
            answered, duplicates = _answer(request, actor, answer, written, now or clock.now())
    except BaseException:
        files_delete(w.path for w in written)
        raise
    # The same file chosen twice is kept once.
    files_delete(w.path for w in duplicates)
    return answered


def _answer(
    request: MaterialRequest, actor: Any, answer: str, written: list[WrittenFile], now: dt.datetime
) -> tuple[MaterialRequest, list[WrittenFile]]:
    # Two branches answered at once must not both move the case deadline from a stale view.
    _lock_case(request.task.case_id)
    request = MaterialRequest.objects.select_related(
        "task", "task__case", "task__case__item_version", "task__department"
    ).get(pk=request.pk)
    task, case = request.task, request.task.case
    if not _may_answer(request, actor):
        raise TaskNotAllowed(_("您无权答复该补充材料要求。"))
    if request.answered_on is not None or task.status != TaskStatus.WAITING_MATERIAL:
        raise ConcurrentChange(_("该补充材料要求已答复，无需重复提交。"))
    if case.status not in (CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED):
        raise WrongStatus(
            _("办件当前状态为“%(s)s”，不能答复补充材料要求。")
            % {"s": CaseStatus(case.status).label}
        )
    today = clock.local_date(now)
    paused = working_days_between(request.requested_on, today) if request.pauses_clock else 0
    moved = shift(task.due, paused) if paused else None
    fields: dict[str, Any] = {"status": TaskStatus.OPEN}
    if moved is not None:
        fields.update(
            due=moved.date,
            due_provisional=task.due_provisional or moved.provisional,
            paused_days=task.paused_days + paused,
        )
    _claim(task, task.revision, **fields)
    answered = MaterialRequest.objects.filter(pk=request.pk, answered_on__isnull=True).update(
        answered_on=today, answer=answer, paused_days=paused
    )
    if answered != 1:
        raise ConcurrentChange(_("该补充材料要求已答复，无需重复提交。"))
    request.answered_on, request.answer, request.paused_days = today, answer, paused
    names, duplicates = _answer_files_attach(request, case, actor, written)
    case_due = _case_due_after_pause(case) if paused else None
    # The reviewing department is emailed that its branch runs again (the kind's message).
    event_record(
        case,
        actor=actor,
        action="material_answered",
        old=case.status,
        reason=answer or _("已提交补充材料文件 %(n)s 个。") % {"n": len(names)},
        public=True,
        now=now,
        data={
            "task": task.pk,
            "request": request.pk,
            "paused_days": paused,
            "task_due": task.due.isoformat(),
            "decision_due": case_due.isoformat() if case_due else None,
            "files": names,
        },
    )
    return request, duplicates


def _answer_files_attach(
    request: MaterialRequest, case: Case, actor: Any, written: list[WrittenFile]
) -> tuple[list[str], list[WrittenFile]]:
    """Record the written files on the answer, owned by the case's applicant (as the case's
    materials are). Returns the names attached and the duplicates to delete after commit."""
    seen: set[str] = set()
    rows, names, duplicates = [], [], []
    for file in written:
        if file.upload.sha256 in seen:
            duplicates.append(file)
            continue
        seen.add(file.upload.sha256)
        stored = StoredFile.objects.create(
            owner_id=case.applicant_id,
            path=file.path,
            original_name=file.upload.name,
            content_type=file.upload.mime,
            size=len(file.upload.content),
            sha256=file.upload.sha256,
            uploaded_by=actor,
        )
        rows.append(MaterialAnswerFile(request=request, stored=stored))
        names.append(stored.original_name)
    MaterialAnswerFile.objects.bulk_create(rows)
    return names, duplicates


def _case_due_after_pause(case: Case) -> dt.date | None:
    """The case deadline moves only when the paused branch is now past the critical path (C3)."""
    dues = list(case.tasks.exclude(status=TaskStatus.CANCELLED).values_list("due", flat=True))
    if not dues or case.decision_due is None:
        return None
    candidate = case_decision_due(dues, case.item_version.consolidation_days)
    if candidate.date <= case.decision_due:
        return None
    Case.objects.filter(pk=case.pk).update(
        decision_due=candidate.date, due_provisional=case.due_provisional or candidate.provisional
    )
    case.decision_due = candidate.date
    return candidate.date
