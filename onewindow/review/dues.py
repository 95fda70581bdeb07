"""Review due dates as the value pages and the API show (docs/rules/workdays.md §A5).

A pending task's clock stands still (``paused``) while its case is in a special procedure
(docs/rules/licensing.md §B4, ALL Art. 45: the time does not count and every pending due date moves
by the working days spent when it ends) or while it waits for material under a request that stops
the branch's clock (the item's setting). A paused task is neither due nor overdue: pages show
暂停计时, the supervision sweep issues no deadline card for it (the special procedure's own
overrun rule, ``suspension_overdue``, still applies) and deemed consent waits.
"""

from __future__ import annotations

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from onewindow.calendars.selectors import stored_due
from onewindow.cases.models import CaseStatus
from onewindow.lib.workdays import Due
from onewindow.review.models import TASK_PENDING, Decision, MaterialRequest, Task, TaskStatus


def task_paused_q() -> Q:
    """The pending tasks whose clock stands still, as a filter (one indexed query)."""
    pausing = MaterialRequest.objects.filter(
        task=OuterRef("pk"), answered_on__isnull=True, pauses_clock=True
    )
    waiting = Q(Q(status=TaskStatus.WAITING_MATERIAL), Exists(pausing))
    return Q(status__in=TASK_PENDING) & (Q(case__status=CaseStatus.SUSPENDED) | waiting)


def task_paused(task: Task) -> bool:
    """``task_paused_q`` for one task; uses the ``clock_paused`` annotation when present."""
    annotated = getattr(task, "clock_paused", None)
    if annotated is not None:
        return bool(annotated)
    if task.status not in TASK_PENDING:
        return False
    if task.case.status == CaseStatus.SUSPENDED:
        return True
    return (
        task.status == TaskStatus.WAITING_MATERIAL
        and task.material_requests.filter(answered_on__isnull=True, pauses_clock=True).exists()
    )


def with_paused(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Annotate ``clock_paused`` so a list of tasks needs no query per row."""
    return tasks.annotate(clock_paused=ExpressionWrapper(task_paused_q(), BooleanField()))


def task_due(task: Task) -> Due:
    """The department's review deadline, counted from the day its task opened."""
    due = stored_due(
        task.due,
        counted_from=task.opened_on,
        provisional=task.due_provisional,
        paused=task_paused(task),
    )
    assert due is not None  # a task always has a due date
    return due


def certificate_due(decision: Decision | None) -> Due | None:
    """ALL Art. 44 (B3): ten working days from the grant (no flag stored: the calendar says)."""
    if decision is None:
        return None
    return stored_due(decision.certificate_due, counted_from=decision.decided_on)
