"""Opening the review on acceptance (C1, C3) and cancelling it for a closed case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from onewindow.cases.errors import WrongStatus
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.transitions import event_record, transition
from onewindow.catalog.deadlines import branch_due, case_decision_due, process_plan
from onewindow.catalog.delegation import routed_department_ids
from onewindow.catalog.models import Department
from onewindow.core import clock
from onewindow.review.models import TASK_MACHINE, Task, TaskStatus


# --- opening the review (docs/rules/licensing.md §C1, §C3) ----------------------------------------
def review_open(*, case: Case, now: dt.datetime | None = None, actor: Any = None) -> list[Task]:
    """Open one task per department of the item's process, all on the acceptance date.

    Runs inside the acceptance's transaction (subscribed to entering ACCEPTED in
    ``review.events``). For a deemed acceptance the acceptance date is the receipt date (ALL
    Art. 32), so the branch dues count from it. The applicant was told of the acceptance (with the
    departments and the deadline) in this same transaction; the ``review_opened`` kind asks for
    no second message.
    """
    now = now or clock.now()
    if case.status != CaseStatus.ACCEPTED:
        raise WrongStatus(
            _("办件当前状态为“%(s)s”，不能开始审查。") % {"s": CaseStatus(case.status).label}
        )
    version = case.item_version
    opened_on = case.accepted_on or clock.local_date(now)
    tasks = []
    plans = process_plan(version)
    # docs/rules/delegation.md §V1: a delegated case is reviewed by the district's bureaus.
    reviewing = routed_department_ids(
        item_id=version.item_id, region=case.region, ids=[p.department_id for p in plans]
    )
    for plan in plans:
        due = branch_due(opened_on, plan.allotted_days)
        tasks.append(
            Task(
                case=case,
                branch_id=plan.branch_id,
                department_id=reviewing[plan.department_id],
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
    transition(
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
    for task in tasks:
        _department_notify(case, task, departments[task.department_id], now)
    return tasks


def _department_notify(case: Case, task: Task, name: str, now: dt.datetime) -> None:
    """抄告相关 (C1): an event per department (its kind emails the department's staff)."""
    event_record(
        case,
        actor=None,
        action="task_opened",
        old=case.status,
        reason=_("已抄告%(d)s，审查期限 %(due)s。") % {"d": name, "due": task.due},
        public=False,
        now=now,
        data={
            "task": task.pk,
            "department": name,
            "department_id": task.department_id,
            "due": task.due.isoformat(),
        },
    )


def review_cancel(*, case: Case, now: dt.datetime | None = None) -> int:
    """A withdrawn or terminated case: its pending tasks are cancelled (no opinion is owed)."""
    now = now or clock.now()
    # One set-based UPDATE over the case's tasks, from the statuses TASK_MACHINE declares.
    pending = TASK_MACHINE.allowed_from(TaskStatus.CANCELLED)
    return Task.objects.filter(case=case, status__in=pending).update(
        status=TaskStatus.CANCELLED, revision=F("revision") + 1, closed_at=now
    )
