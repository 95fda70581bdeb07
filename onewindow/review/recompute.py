"""Review deadlines counted again after a calendar change (docs/rules/workdays.md §A4).

Registered with ``calendars.recompute`` by ``ReviewConfig.ready``:

* a pending task's ``due`` — its allotted days (plus paused and special-procedure days, carried
  in the count) after ``opened_on`` (C1, B4); an internal date: a non-public event on the case;
* a granted case's ``Decision.certificate_due`` — 10 working days after ``decided_on`` (ALL
  Art. 44, B3); the grant notice told the applicant, so a change is public and notified.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import F
from django.utils.translation import gettext as _

from onewindow.calendars.recompute import CalendarChange
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.recompute import DateChange, deadline_event_record
from onewindow.cases.transitions import event_record
from onewindow.review.models import TASK_PENDING, Decision, Task


def tasks_recompute(change: CalendarChange) -> int:
    """Every pending task whose counting touched the changed days; tasks changed."""
    ids = list(
        Task.objects.filter(
            status__in=TASK_PENDING, opened_on__lte=change.last, due__gte=change.first
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    def recompute(chunk: Sequence[int]) -> int:
        tasks = (
            Task.objects.select_for_update(of=("self",))
            .select_related("case", "department")
            .filter(pk__in=chunk, status__in=TASK_PENDING)
            .order_by("pk")
        )
        return sum(_task_recompute(task, change) for task in tasks)

    return change.in_batches("review_tasks", ids, recompute)


def _task_recompute(task: Task, change: CalendarChange) -> int:
    due = change.moved(task.opened_on, task.due)
    if (due.date, due.provisional) == (task.due, task.due_provisional):
        return 0
    Task.objects.filter(pk=task.pk).update(
        due=due.date, due_provisional=due.provisional, revision=F("revision") + 1
    )
    event_record(
        task.case,
        actor=None,
        action="task_due_recomputed",
        old=task.case.status,
        reason=_("%(why)s，%(d)s审查期限由 %(old)s 调整为 %(new)s%(mark)s。")
        % {
            "why": change.reason,
            "d": task.department.name,
            "old": task.due,
            "new": due.date,
            "mark": _("（临时计算）") if due.provisional else "",
        },
        public=False,
        now=change.now,
        data={
            "task": task.pk,
            "old": task.due.isoformat(),
            "new": due.date.isoformat(),
            "provisional": due.provisional,
        },
    )
    return 1


def certificate_dues_recompute(change: CalendarChange) -> int:
    """B3: the certificate due date of every granted, not yet completed case it touches."""
    ids = list(
        Decision.objects.filter(
            case__status=CaseStatus.GRANTED,
            certificate_due__gte=change.first,
            decided_on__lte=change.last,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    def recompute(chunk: Sequence[int]) -> int:
        decisions = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("case__applicant", "case__agent", "case__item_version")
            .filter(pk__in=chunk)
            .order_by("pk")
        )
        return sum(_certificate_due_recompute(d, change) for d in decisions)

    return change.in_batches("review_certificate_dues", ids, recompute)


def _certificate_due_recompute(decision: Decision, change: CalendarChange) -> int:
    if decision.certificate_due is None:
        return 0
    due = change.moved(decision.decided_on, decision.certificate_due)
    if due.date == decision.certificate_due:
        return 0  # no provisional mark is stored for this date
    Decision.objects.filter(pk=decision.pk).update(certificate_due=due.date)
    case: Case = decision.case
    moved = DateChange("certificate_due", _("发证送达期限"), decision.certificate_due, due.date)
    deadline_event_record(case, change=change, moved=[moved], provisional=due.provisional)
    return 1
