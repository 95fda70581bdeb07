"""A department's task: shared checks, the steps and the department's opinion (C1, C2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.accounts.roles import Perm, Role, has_perm
from onewindow.accounts.selectors import staff_in_department
from onewindow.cases.errors import CaseError, WrongStatus
from onewindow.cases.models import Case, CaseEvent, CaseStatus
from onewindow.cases.transitions import event_record
from onewindow.catalog.models import StepKind
from onewindow.core import clock
from onewindow.lib.prepared import Prepared
from onewindow.review.errors import OpinionRefused, TaskConflict, TaskNotAllowed
from onewindow.review.models import TASK_MACHINE, Opinion, OpinionKind, StepRecord, Task, TaskStatus
from onewindow.review.selectors import case_opinions_complete

TEXT_MAX = 4000
# A department role may do the steps of its own rank and below (the chief does anything in the
# department; an approver may also handle and review; a reviewer may also handle).
ROLE_RANK = {Role.CLERK: 1, Role.HANDLER: 1, Role.REVIEWER: 2, Role.APPROVER: 3, Role.CHIEF: 4}
GIVEN_KINDS = (OpinionKind.AGREE, OpinionKind.AGREE_CONDITIONS, OpinionKind.DISAGREE)
# The event a case gets once when its last department has answered (the join of the branches).
OPINIONS_COMPLETE = "opinions_complete"


CONFLICT_MESSAGE = "该审查任务刚刚已被他人处理，请刷新后查看最新状态。"


def _conflict() -> TaskConflict:
    return TaskConflict(_("该审查任务刚刚已被他人处理，请刷新后查看最新状态。"))


def _text(value: str | None) -> str:
    return (value or "").strip()


def _long(text: str) -> None:
    if len(text) > TEXT_MAX:
        raise CaseError(_("意见最多 %(n)s 个字。") % {"n": TEXT_MAX})


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
        raise TaskNotAllowed(_("您不是该审查部门的工作人员，不能办理此任务。"))
    if revision is not None and revision != task.revision:
        raise _conflict()
    if task.case.status == CaseStatus.SUSPENDED:
        raise WrongStatus(_("办件正在特别程序中（暂停计时），暂不能办理审查任务。"))
    if task.case.status != CaseStatus.IN_REVIEW:
        raise WrongStatus(
            _("办件当前状态为“%(s)s”，不能办理审查任务。")
            % {"s": CaseStatus(task.case.status).label}
        )
    if task.status not in statuses:
        raise WrongStatus(
            _("审查任务当前状态为“%(s)s”，不能执行此操作。") % {"s": TaskStatus(task.status).label}
        )
    if not may_do_step(actor, task):
        role = (task.steps[task.step] or {}).get("role", "") if task.step < len(task.steps) else ""
        label = Role(role).label if role in Role.values else role
        raise TaskNotAllowed(_("当前环节须由“%(r)s”办理，您的角色不能办理。") % {"r": label})


def _claim(task: Task, revision: int, **fields: Any) -> None:
    """The conditional UPDATE (``TASK_MACHINE``): only the first of two concurrent writers
    matches the row; ``status`` among ``fields`` must be a declared transition."""
    if revision != task.revision:
        raise _conflict()
    to = fields.pop("status", None)
    if to is None:
        TASK_MACHINE.write(task, **fields)
    else:
        TASK_MACHINE.move(task, to=to, **fields)


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
        raise CaseError(_("已是最后一个环节，请直接提出部门审查意见。"))
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
        raise CaseError(_("已是第一个环节，不能再退回。"))
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


# --- the department's opinion (docs/rules/licensing.md §C2) ---------------------------------------
def _opinion_text_check(kind: str, text: str) -> None:
    if kind not in GIVEN_KINDS:
        raise CaseError(_("请选择“同意”“附条件同意”或“不同意”。"))
    _long(text)
    if kind == OpinionKind.DISAGREE and not text:
        # docs/rules/licensing.md §C2: a 不同意 without reasons is not accepted.
        raise OpinionRefused(_("提出“不同意”意见必须说明理由，请填写不同意的理由。"))
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
            _("部门审查意见须在最后一个环节（%(k)s）提出，请先完成当前环节。")
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
    return StepKind.label_of(kind)


def _lock_case(case_id: int) -> str | None:
    """Serialise the answers of one case's departments so exactly one of them writes the join;
    returns the case's status read under the lock.

    FOR NO KEY UPDATE: event rows of the same case (foreign keys) may still be inserted.
    """
    row = _CASE_LOCK.first(case=case_id)
    return row[0] if row else None


# The reads of every opinion, compiled once (onewindow/lib/prepared.py, docs/decisions.md §O4).
_CASE_LOCK: Prepared[tuple[str]] = Prepared(
    lambda p: (
        Case.objects.select_for_update(no_key=True)
        .filter(pk=p.case)
        .order_by()
        .values_list("status")[:1]
    ),
    case=int,
)
_JOINED = Prepared.existence(
    lambda p: CaseEvent.objects.filter(case_id=p.case, action=OPINIONS_COMPLETE), case=int
)


def _join_if_complete(case: Case, now: dt.datetime) -> bool:
    """The join of the parallel branches: once every department has answered, the case is ready
    for the lead's decision (C1). Called under the case lock; written once."""
    if not case_opinions_complete(case):
        return False
    if _JOINED.exists(case=case.pk):
        return False
    event_record(
        case,
        actor=None,
        action=OPINIONS_COMPLETE,
        old=case.status,
        reason=_("各审查部门意见已齐备，由牵头部门汇总并作出决定。"),
        public=True,
        now=now,
    )
    return True
