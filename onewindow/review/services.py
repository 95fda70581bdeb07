"""Writes of the parallel review (并联审批, PRODUCT.md §C5; DOMAIN-RULES C1–C3).

- ``review_open``: on acceptance one task per department opens at the same moment (C1).
- ``task_step_complete`` / ``task_return`` / ``task_opinion_give`` / ``task_material_request``:
  a department's reviewers move their task; every change is a conditional UPDATE on
  (pk, revision), so two reviewers deciding the same task at once give exactly one result and the
  other a ``TaskConflict``.
- ``material_request_answer``: the applicant (or the window clerk for them) answers a request.
- ``tasks_deem_consent``: the periodic job recording silence as consent (C2).
- ``review_cancel``: a withdrawn or terminated case cancels its pending tasks.

Every service validates first and raises a ``CaseError`` with a Chinese message (nothing is
written), then writes task rows, an event on the case and, where the applicant must act, a notice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, Role, has_perm
from onewindow.accounts.selectors import staff_in_department
from onewindow.cases.errors import CaseError, ConcurrentChange, WrongStatus
from onewindow.cases.models import Case, CaseEvent, CaseStatus, FlagKind, NoticeKind, StoredFile
from onewindow.cases.selectors import agent_may_act
from onewindow.cases.transitions import event_record, flag_raise, transition
from onewindow.cases.uploads import (
    MAX_FILES_PER_MATERIAL,
    WrittenFile,
    files_delete,
    files_write,
    uploads_check,
)
from onewindow.catalog.models import Department
from onewindow.core import clock
from onewindow.notifications.models import Channel, OutboxMessage
from onewindow.notifications.services import case_event_notify, outbox_deliver
from onewindow.review.deadlines import (
    branch_due,
    case_decision_due,
    process_plan,
    shift,
    working_days_between,
)
from onewindow.review.models import (
    TASK_PENDING,
    MaterialAnswerFile,
    MaterialRequest,
    Opinion,
    OpinionKind,
    StepRecord,
    Task,
    TaskStatus,
)

log = logging.getLogger("onewindow.review")

TEXT_MAX = 4000
# A department role may do the steps of its own rank and below (the chief does anything in the
# department; an approver may also handle and review; a reviewer may also handle).
ROLE_RANK = {Role.CLERK: 1, Role.HANDLER: 1, Role.REVIEWER: 2, Role.APPROVER: 3, Role.CHIEF: 4}
GIVEN_KINDS = (OpinionKind.AGREE, OpinionKind.AGREE_CONDITIONS, OpinionKind.DISAGREE)
# The event a case gets once when its last department has answered (the join of the branches).
OPINIONS_COMPLETE = "opinions_complete"


class TaskConflict(ConcurrentChange):
    """Someone else changed the task between reading and writing it."""

    code = "conflict"


class TaskNotAllowed(CaseError):
    """The user's department or role may not act on this task or step."""

    code = "forbidden"


class OpinionRefused(CaseError):
    """DOMAIN-RULES C2: a 不同意 without reasons (or conditions without text) is not accepted."""

    code = "reasons_required"


CONFLICT_MESSAGE = "该审查任务刚刚已被他人处理,请刷新后查看最新状态。"


def _conflict() -> TaskConflict:
    return TaskConflict(_("该审查任务刚刚已被他人处理,请刷新后查看最新状态。"))


def _text(value: str | None) -> str:
    return (value or "").strip()


def _long(text: str) -> None:
    if len(text) > TEXT_MAX:
        raise CaseError(_("意见最多 %(n)s 个字。") % {"n": TEXT_MAX})


# --- opening the review (DOMAIN-RULES C1, C3) -------------------------------------------------
def review_open(*, case: Case, now: dt.datetime | None = None, actor: Any = None) -> list[Task]:
    """Open one task per department of the item's process, all on the acceptance date.

    Runs inside the acceptance's transaction (``cases.services``). For a deemed acceptance the
    acceptance date is the receipt date (ALL Art. 32), so the branch dues count from it.
    """
    now = now or clock.now()
    if case.status != CaseStatus.ACCEPTED:
        raise WrongStatus(
            _("办件当前状态为“%(s)s”,不能开始审查。") % {"s": CaseStatus(case.status).label}
        )
    version = case.item_version
    opened_on = case.accepted_on or clock.local_date(now)
    tasks = []
    for plan in process_plan(version):
        due = branch_due(opened_on, plan.allotted_days)
        tasks.append(
            Task(
                case=case,
                branch_id=plan.branch_id,
                department_id=plan.department_id,
                is_lead=plan.is_lead,
                steps=plan.steps,
                allotted_days=plan.allotted_days,
                opened_on=opened_on,
                due=due.date,
                due_provisional=due.provisional,
            )
        )
    Task.objects.bulk_create(tasks)
    # C3: latest branch plus consolidation, never the sum — and never past the committed limit
    # the acceptance notice already promised.
    critical = case_decision_due([t.due for t in tasks], version.consolidation_days)
    decision_due = min(critical.date, case.decision_due) if case.decision_due else critical.date
    provisional = (
        case.due_provisional or critical.provisional or any(t.due_provisional for t in tasks)
    )
    departments = dict(
        Department.objects.filter(pk__in=[t.department_id for t in tasks]).values_list("pk", "name")
    )
    names = [departments[t.department_id] for t in tasks]
    opened = transition(
        case,
        allowed_from=(CaseStatus.ACCEPTED,),
        to=CaseStatus.IN_REVIEW,
        actor=actor,
        action="review_opened",
        reason=_("并联审查开始,审查部门:%(d)s。") % {"d": "、".join(names)},
        now=now,
        data={"departments": names, "decision_due": decision_due.isoformat()},
        decision_due=decision_due,
        due_provisional=provisional,
    )
    # The applicant was just told of the acceptance (with the departments and the deadline) in
    # this same transaction; a second email/SMS for the review starting would only be noise.
    OutboxMessage.objects.filter(event=opened).delete()
    for task in tasks:
        _department_notify(case, task, departments[task.department_id], now)
    return tasks


def _department_notify(case: Case, task: Task, name: str, now: dt.datetime) -> None:
    """抄告相关 (C1): an event per department and an email to its reviewing staff."""
    event = event_record(
        case,
        actor=None,
        action="task_opened",
        old=case.status,
        reason=_("已抄告%(d)s,审查期限 %(due)s。") % {"d": name, "due": task.due},
        public=False,
        now=now,
        data={"task": task.pk, "department": name, "due": task.due.isoformat()},
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("新审查任务:办件 %(n)s") % {"n": case.number or ""}
        body = _(
            "%(d)s:办件 %(n)s(事项:%(item)s)已受理,请于 %(due)s 前完成本部门审查并提出意见。"
            "请登录政务服务平台“部门审查”栏目办理。"
        ) % {"d": name, "n": case.number, "item": case.item_version.name, "due": task.due}
    _staff_email(case, task.department_id, event, subject, body, now)


def _staff_email(
    case: Case, department_id: int, event: Any, subject: str, body: str, now: dt.datetime
) -> None:
    """An outbox email to the department's reviewing staff, sent after commit."""
    staff = User.objects.filter(
        department_id=department_id,
        is_active=True,
        role__in=(Role.HANDLER, Role.REVIEWER, Role.APPROVER, Role.CHIEF),
    ).exclude(email="")
    rows = [
        OutboxMessage(
            channel=Channel.EMAIL,
            recipient=user.email,
            user=user,
            subject=subject[:200],
            body=body,
            case=case,
            event=event,
            next_attempt_at=now,
            created_at=now,
        )
        for user in staff
    ]
    if rows:
        created = OutboxMessage.objects.bulk_create(rows)
        ids = [row.pk for row in created]
        transaction.on_commit(lambda: outbox_deliver(ids=ids), robust=True)


def review_cancel(*, case: Case, now: dt.datetime | None = None) -> int:
    """A withdrawn or terminated case: its pending tasks are cancelled (no opinion is owed)."""
    now = now or clock.now()
    return Task.objects.filter(case=case, status__in=TASK_PENDING).update(
        status=TaskStatus.CANCELLED, revision=F("revision") + 1, closed_at=now
    )


# --- checks shared by the task actions --------------------------------------------------------
def _fresh(task: Task, revision: int | None) -> Task:
    """The task as it is now. The caller's object is trusted when its revision is the one the
    user acted on: every change of a task bumps its revision, and the conditional UPDATE that
    follows re-checks it, so an object of that revision holds the row's current state."""
    if revision is not None and revision == task.revision and "case" in task._state.fields_cache:
        return task
    return Task.objects.select_related("case", "case__item_version", "department").get(pk=task.pk)


def may_do_step(actor: Any, task: Task, step: int | None = None) -> bool:
    """A member of the task's department whose role reaches the step's role."""
    if not staff_in_department(actor, task.department_id):
        return False
    if not has_perm(actor, Perm.TASK_HANDLE):
        return False
    steps = task.steps or []
    index = task.step if step is None else step
    if index >= len(steps):
        return False
    needed = steps[index].get("role", "")
    if actor.role == needed:
        return True
    return ROLE_RANK.get(actor.role, 0) > ROLE_RANK.get(needed, 9)


def _check(task: Task, actor: Any, revision: int | None, *, statuses: tuple[str, ...]) -> None:
    if not staff_in_department(actor, task.department_id):
        raise TaskNotAllowed(_("您不是该审查部门的工作人员,不能办理此任务。"))
    if revision is not None and revision != task.revision:
        raise _conflict()
    if task.case.status == CaseStatus.SUSPENDED:
        raise WrongStatus(_("办件正在特别程序中(暂停计时),暂不能办理审查任务。"))
    if task.case.status != CaseStatus.IN_REVIEW:
        raise WrongStatus(
            _("办件当前状态为“%(s)s”,不能办理审查任务。")
            % {"s": CaseStatus(task.case.status).label}
        )
    if task.status not in statuses:
        raise WrongStatus(
            _("审查任务当前状态为“%(s)s”,不能执行此操作。") % {"s": TaskStatus(task.status).label}
        )
    if not may_do_step(actor, task):
        role = (task.steps[task.step] or {}).get("role", "") if task.step < len(task.steps) else ""
        label = Role(role).label if role in Role.values else role
        raise TaskNotAllowed(_("当前环节须由“%(r)s”办理,您的角色不能办理。") % {"r": label})


def _claim(task: Task, revision: int, **fields: Any) -> None:
    """The conditional UPDATE: only the first of two concurrent writers matches the row."""
    updated = Task.objects.filter(pk=task.pk, revision=revision).update(
        revision=F("revision") + 1, **fields
    )
    if updated != 1:
        raise _conflict()
    task.revision = revision + 1
    for name, value in fields.items():
        setattr(task, name, value)


def _step_kind(task: Task, index: int) -> str:
    return str((task.steps[index] or {}).get("kind", "")) if index < len(task.steps) else ""


def _record(
    task: Task, actor: Any, index: int, outcome: str, comment: str, now: dt.datetime
) -> StepRecord:
    return StepRecord.objects.create(
        task=task,
        step=index,
        kind=_step_kind(task, index),
        actor=actor,
        actor_role=actor.role,
        outcome=outcome,
        comment=comment,
        at=now,
    )


def _revision(task: Task, revision: int | None) -> int:
    return task.revision if revision is None else revision


# --- steps ------------------------------------------------------------------------------------
@transaction.atomic
def task_step_complete(
    *,
    task: Task,
    actor: Any,
    comment: str = "",
    revision: int | None,
    now: dt.datetime | None = None,
) -> StepRecord:
    """Pass a non-final step (承办 → 审核 → 批准) on to the next one."""
    now = now or clock.now()
    comment = _text(comment)
    _long(comment)
    task = _fresh(task, revision)
    _check(task, actor, revision, statuses=(TaskStatus.OPEN,))
    if task.step >= len(task.steps) - 1:
        raise CaseError(_("已是最后一个环节,请直接提出部门审查意见。"))
    index = task.step
    _claim(task, _revision(task, revision), step=index + 1)
    record = _record(task, actor, index, "pass", comment, now)
    _task_event(task, actor, "task_step_completed", comment, now, step=index)
    return record


@transaction.atomic
def task_return(
    *, task: Task, actor: Any, comment: str, revision: int | None, now: dt.datetime | None = None
) -> StepRecord:
    """Send the task back one step, with the reason."""
    now = now or clock.now()
    comment = _text(comment)
    _long(comment)
    if not comment:
        raise CaseError(_("退回须说明理由。"))
    task = _fresh(task, revision)
    _check(task, actor, revision, statuses=(TaskStatus.OPEN,))
    if task.step == 0:
        raise CaseError(_("已是第一个环节,不能再退回。"))
    index = task.step
    _claim(task, _revision(task, revision), step=index - 1)
    record = _record(task, actor, index, "return", comment, now)
    _task_event(task, actor, "task_returned", comment, now, step=index)
    return record


def _task_event(
    task: Task, actor: Any, action: str, reason: str, now: dt.datetime, **data: Any
) -> CaseEvent:
    return event_record(
        task.case,
        actor=actor,
        action=action,
        old=task.case.status,
        reason=reason,
        public=False,
        now=now,
        data={"task": task.pk, "department": task.department.name, **data},
    )


# --- the department's opinion (DOMAIN-RULES C2) -----------------------------------------------
def _opinion_text_check(kind: str, text: str) -> None:
    if kind not in GIVEN_KINDS:
        raise CaseError(_("请选择“同意”“附条件同意”或“不同意”。"))
    _long(text)
    if kind == OpinionKind.DISAGREE and not text:
        # DOMAIN-RULES C2: a 不同意 without reasons is not accepted.
        raise OpinionRefused(_("提出“不同意”意见必须说明理由,请填写不同意的理由。"))
    if kind == OpinionKind.AGREE_CONDITIONS and not text:
        raise OpinionRefused(_("提出“附条件同意”意见必须写明所附条件。"))


@transaction.atomic
def task_opinion_give(
    *,
    task: Task,
    actor: Any,
    kind: str,
    text: str = "",
    revision: int | None,
    now: dt.datetime | None = None,
) -> Opinion:
    """The department's answer at its last step: agree, agree with conditions, or disagree."""
    now = now or clock.now()
    text = _text(text)
    _opinion_text_check(kind, text)
    status = _lock_case(task.case_id)
    task = _fresh(task, revision)
    task.case.status = status or task.case.status  # as it is under the lock
    _check(task, actor, revision, statuses=(TaskStatus.OPEN,))
    if task.step < len(task.steps) - 1:
        raise CaseError(
            _("部门审查意见须在最后一个环节(%(k)s)提出,请先完成当前环节。")
            % {"k": _step_label(_step_kind(task, len(task.steps) - 1))}
        )
    _claim(task, _revision(task, revision), status=TaskStatus.DONE, closed_at=now)
    _record(task, actor, task.step, "pass", text, now)
    opinion = Opinion.objects.create(task=task, kind=kind, text=text, actor=actor, at=now)
    _task_event(
        task,
        actor,
        "opinion_given",
        text,
        now,
        kind=kind,
        kind_label=str(OpinionKind(kind).label),
    )
    _join_if_complete(task.case, now)
    return opinion


def _step_label(kind: str) -> str:
    return {"handle": _("承办"), "review": _("审核"), "approve": _("批准")}.get(kind, kind)


def _lock_case(case_id: int) -> str | None:
    """Serialise the answers of one case's departments so exactly one of them writes the join;
    returns the case's status read under the lock.

    FOR NO KEY UPDATE: event rows of the same case (foreign keys) may still be inserted.
    """
    locked = Case.objects.select_for_update(no_key=True).filter(pk=case_id)
    return locked.values_list("status", flat=True).first()


def _join_if_complete(case: Case, now: dt.datetime) -> bool:
    """The join of the parallel branches: once every department has answered, the case is ready
    for the lead's decision (C1). Called under the case lock; written once."""
    from onewindow.review.selectors import case_opinions_complete

    if not case_opinions_complete(case):
        return False
    if CaseEvent.objects.filter(case=case, action=OPINIONS_COMPLETE).exists():
        return False
    event_record(
        case,
        actor=None,
        action=OPINIONS_COMPLETE,
        old=case.status,
        reason=_("各审查部门意见已齐备,由牵头部门汇总并作出决定。"),
        public=True,
        now=now,
    )
    return True


# --- material requests (through the window) ---------------------------------------------------
@transaction.atomic
def task_material_request(
    *, task: Task, actor: Any, text: str, revision: int | None, now: dt.datetime | None = None
) -> MaterialRequest:
    """Ask the applicant for more material. Whether this branch's clock stops is the item's
    setting (``material_request_pauses``), recorded on the request either way."""
    from onewindow.cases.services import notice_issue

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
    event = event_record(
        task.case,
        actor=actor,
        action="material_requested",
        old=task.case.status,
        reason=_("%(d)s要求补充材料:%(t)s") % {"d": task.department.name, "t": text},
        public=True,
        now=now,
        data={"task": task.pk, "request": request.pk, "pauses_clock": pauses},
    )
    case_event_notify(case=task.case, event=event)
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
        raise ConcurrentChange(_("该补充材料要求已答复,无需重复提交。"))
    if case.status not in (CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED):
        raise WrongStatus(
            _("办件当前状态为“%(s)s”,不能答复补充材料要求。") % {"s": CaseStatus(case.status).label}
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
        raise ConcurrentChange(_("该补充材料要求已答复,无需重复提交。"))
    request.answered_on, request.answer, request.paused_days = today, answer, paused
    names, duplicates = _answer_files_attach(request, case, actor, written)
    case_due = _case_due_after_pause(case) if paused else None
    event = event_record(
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
    # The reviewing department learns that its branch runs again (and until when).
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("补充材料已提交:办件 %(n)s") % {"n": case.number or ""}
        body = _(
            "%(d)s:办件 %(n)s(事项:%(item)s)的申请人已答复本部门的补充材料要求,"
            "审查继续,本部门审查期限 %(due)s。请登录政务服务平台“部门审查”栏目办理。"
        ) % {
            "d": task.department.name,
            "n": case.number,
            "item": case.item_version.name,
            "due": task.due if moved is None else moved.date,
        }
    _staff_email(case, task.department_id, event, subject, body, now)
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


# --- deemed consent (DOMAIN-RULES C2) ---------------------------------------------------------
def _deemable(today: dt.date) -> Any:
    paused = MaterialRequest.objects.filter(
        task=OuterRef("pk"), answered_on__isnull=True, pauses_clock=True
    )
    return Task.objects.filter(
        status__in=TASK_PENDING, due__lt=today, case__status=CaseStatus.IN_REVIEW
    ).filter(~Exists(paused))


def tasks_deem_consent(
    *, today: dt.date | None = None, batch: int = 500, now: dt.datetime | None = None
) -> int:
    """A department silent past its due date (due < today) is recorded as 默许同意 and the case
    gets a red-card flag (C2). Claimed with one conditional UPDATE per batch: rows another worker
    holds are skipped (PostgreSQL) or already changed (SQLite serialises writers), and the
    ``Opinion`` one-per-task constraint backs it up. Returns how many tasks were deemed."""
    if not settings.DEEMED_CONSENT:
        return 0
    today = today or clock.today()
    done = 0
    while True:
        claimed = _deem_batch(today, batch, now)
        if not claimed:
            break
        done += len(claimed)
        for case_id in sorted({case_id for _pk, case_id in claimed}):
            with transaction.atomic():
                _lock_case(case_id)
                _join_if_complete(Case.objects.get(pk=case_id), now or clock.now())
        if len(claimed) < batch:
            break
    return done


@transaction.atomic
def _deem_batch(
    today: dt.date, batch: int, now: dt.datetime | None = None
) -> list[tuple[int, int]]:
    now = now or clock.now()
    rows = list(
        _deemable(today)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("due", "pk")
        .values_list("pk", "case_id")[:batch]
    )
    if not rows:
        return []
    ids = [pk for pk, _case_id in rows]
    updated = (
        Task.objects.filter(pk__in=ids, status__in=TASK_PENDING)
        .filter(Q(due__lt=today))
        .update(status=TaskStatus.DEEMED, revision=F("revision") + 1, closed_at=now)
    )
    if updated != len(ids):  # another worker changed some of them under us: retry later
        transaction.set_rollback(True)
        return []
    tasks = list(Task.objects.filter(pk__in=ids).select_related("case", "department"))
    Opinion.objects.bulk_create(
        [
            Opinion(
                task=task,
                kind=OpinionKind.DEEMED_CONSENT,
                text=_("审查期限 %(d)s 届满未提出意见,视为同意。") % {"d": task.due},
                actor=None,
                at=now,
            )
            for task in tasks
        ]
    )
    for task in tasks:
        note = _("%(dep)s 审查期限 %(d)s 届满未回复,视为同意(默许同意)。") % {
            "dep": task.department.name,
            "d": task.due,
        }
        event_record(
            task.case,
            actor=None,
            action="deemed_consent",
            old=task.case.status,
            reason=note,
            public=False,
            now=now,
            data={"task": task.pk, "department": task.department.name, "due": task.due.isoformat()},
        )
        flag_raise(task.case, kind=FlagKind.DEEMED_CONSENT, note=note, now=now)
    log.info("deemed consent recorded on %s task(s)", len(tasks))
    return rows
