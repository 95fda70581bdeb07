"""Opening the review on acceptance (C1, C3) and cancelling it for a closed case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases.errors import WrongStatus
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.transitions import event_record, transition
from onewindow.catalog.deadlines import branch_due, case_decision_due, process_plan
from onewindow.catalog.models import Department
from onewindow.core import clock
from onewindow.notifications.models import Channel, OutboxMessage
from onewindow.notifications.services import outbox_deliver
from onewindow.review.models import TASK_MACHINE, Task, TaskStatus


# --- opening the review (docs/rules/licensing.md §C1, §C3) ----------------------------------------
def review_open(*, case: Case, now: dt.datetime | None = None, actor: Any = None) -> list[Task]:
    """Open one task per department of the item's process, all on the acceptance date.

    Runs inside the acceptance's transaction (``cases.services``). For a deemed acceptance the
    acceptance date is the receipt date (ALL Art. 32), so the branch dues count from it.
    """
    now = now or clock.now()
    if case.status != CaseStatus.ACCEPTED:
        raise WrongStatus(
            _("办件当前状态为“%(s)s”，不能开始审查。") % {"s": CaseStatus(case.status).label}
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
        reason=_("并联审查开始，审查部门：%(d)s。") % {"d": "、".join(names)},
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
        reason=_("已抄告%(d)s，审查期限 %(due)s。") % {"d": name, "due": task.due},
        public=False,
        now=now,
        data={"task": task.pk, "department": name, "due": task.due.isoformat()},
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("新审查任务：办件 %(n)s") % {"n": case.number or ""}
        body = _(
            "%(d)s：办件 %(n)s（事项：%(item)s）已受理，请于 %(due)s 前完成本部门审查并提出意见。"
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
    # One set-based UPDATE over the case's tasks, from the statuses TASK_MACHINE declares.
    pending = TASK_MACHINE.allowed_from(TaskStatus.CANCELLED)
    return Task.objects.filter(case=case, status__in=pending).update(
        status=TaskStatus.CANCELLED, revision=F("revision") + 1, closed_at=now
    )
