"""Reads of the parallel review that check access in the same call.

A reviewer sees the tasks of their own department only; another department's task is a logged
404 (``core.access.deny``). Supervisors (Perm.CASE_READ_ALL) read every task and change nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from onewindow.accounts.roles import Perm, Role, has_perm
from onewindow.audit.access import AccessKind, case_access_record
from onewindow.calendars.selectors import add_working_days
from onewindow.cases.models import Case, CaseFile, CaseMaterial
from onewindow.cases.selectors import agent_may_act
from onewindow.catalog.models import Item
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.core.pagination import KeysetPage, count_bounded, keyset_page_html
from onewindow.lib.prepared import Prepared
from onewindow.lib.workdays import Due
from onewindow.review.dues import task_due, task_paused, task_paused_q, with_paused
from onewindow.review.models import (
    TASK_PENDING,
    CurrentStepRole,
    MaterialRequest,
    Opinion,
    StepRecord,
    Task,
    TaskStatus,
    task_pending_q,
)

# One prepared read (onewindow/lib/prepared.py) serves both lines of the public progress page:
# the case's tasks that were not cancelled, lead first, each with its department's name and
# whether its clock stands still.
_CASE_TASKS: Prepared[Task] = Prepared(
    lambda p: (
        with_paused(Task.objects.filter(case_id=p.case).exclude(status=TaskStatus.CANCELLED))
        .select_related("department")
        .order_by("-is_lead", "pk")
    ),
    case=int,
)


def departments_holding(case: Case) -> list[str]:
    """docs/product.md §C9 "department holding it": the departments whose review is still
    pending."""
    tasks = _CASE_TASKS.all(case=case.pk)
    return [task.department.name for task in tasks if task.status in TASK_PENDING]


def public_task_dues(case: Case) -> list[tuple[str, Due, str]]:
    """docs/product.md §C9 "each stage's due date": every department's review deadline and where it
    stands, as (label, due, note) for the progress page (``due`` paused during a special
    procedure)."""
    label = str(gettext_lazy("审查期限：%(d)s"))
    return [
        (label % {"d": task.department.name}, task_due(task), str(TaskStatus(task.status).label))
        for task in _CASE_TASKS.all(case=case.pk)
    ]


# docs/rules/supervision.md §D2 (inbox colours): yellow from two working days before the due date.
SOON_WORKING_DAYS = 2
STATUS_FILTERS = ("pending", "all", *TaskStatus.values)
URGENCY_FILTERS = ("", "overdue", "soon")


def _tasks() -> QuerySet[Task]:
    # What the inbox row and the task actions read; the task page loads the rest lazily.
    return Task.objects.select_related(
        "case", "case__item_version", "case__applicant", "department"
    )


def reads_all(user: Any) -> bool:
    return has_perm(user, Perm.CASE_READ_ALL)


def tasks_visible(user: Any) -> QuerySet[Task]:
    """Every task the user may read: their department's, or all for a supervisor."""
    if reads_all(user):
        return _tasks()
    if not has_perm(user, Perm.TASK_HANDLE) or getattr(user, "department_id", None) is None:
        return Task.objects.none()
    return _tasks().filter(department_id=user.department_id)


def inbox_items(user: Any) -> QuerySet[Item]:
    """The items the inbox can be filtered by: those a process branch of the user's department
    reviews (every item with a branch for a supervisor). Read from the catalog, not from the
    tasks: the department's tasks of all years are millions of rows (docs/rules/scale.md §Y4)."""
    items = Item.objects.filter(versions__process_branches__isnull=False)
    if not reads_all(user):
        department_id = getattr(user, "department_id", None)
        if not has_perm(user, Perm.TASK_HANDLE) or department_id is None:
            return Item.objects.none()
        items = items.filter(versions__process_branches__department_id=department_id)
    return items.select_related("published_version").distinct().order_by("code")


def soon_limit(today: dt.date) -> dt.date:
    """The last due date that counts as "due soon" (within two working days of today)."""
    return add_working_days(today, SOON_WORKING_DAYS).date


# docs/decisions.md §O2: the handler's inbox held every task of the department, also those at the
# reviewer's and approver's steps. A handler, reviewer or approver now finds in the pending
# inbox the tasks whose current step is done by their own role (承办 / 审核 / 批准, the
# branch's steps); the chief, who may do any step, and supervisors see them all. Finished
# tasks (the "all", "done", ... filters) are not filtered by step.
STEP_ROLES = (Role.HANDLER, Role.REVIEWER, Role.APPROVER)
PENDING_FILTERS = ("pending", *TASK_PENDING)


def at_own_step(user: Any, tasks: QuerySet[Task]) -> QuerySet[Task]:
    """The tasks whose current step is the user's to do, for a handler, reviewer or approver."""
    if reads_all(user) or getattr(user, "role", None) not in STEP_ROLES:
        return tasks
    return tasks.alias(step_role=CurrentStepRole()).filter(step_role=user.role)


@dataclass(frozen=True)
class InboxFilters:
    status: str = "pending"
    urgency: str = ""  # "", "overdue", "soon"
    item_id: int | None = None
    number: str = ""
    department_id: int | None = None  # supervisors only


def tasks_for_inbox(
    user: Any, filters: InboxFilters | None = None, *, today: dt.date | None = None
) -> QuerySet[Task]:
    """The department's inbox, the nearest due date first."""
    filters = filters or InboxFilters()
    today = today or clock.today()
    tasks = tasks_visible(user)
    if filters.status in PENDING_FILTERS:
        tasks = at_own_step(user, tasks)
    if filters.status == "pending":
        tasks = tasks.filter(task_pending_q())
    elif filters.status in TaskStatus.values:
        tasks = tasks.filter(status=filters.status)
    if filters.urgency == "overdue":
        tasks = tasks.filter(task_pending_q(), due__lt=today).exclude(task_paused_q())
    elif filters.urgency == "soon":
        tasks = tasks.filter(task_pending_q(), due__gte=today, due__lte=soon_limit(today)).exclude(
            task_paused_q()
        )
    if filters.item_id:
        tasks = tasks.filter(case__item_version__item_id=filters.item_id)
    if filters.number.strip():
        tasks = tasks.filter(case__number__icontains=filters.number.strip())
    if filters.department_id and reads_all(user):
        tasks = tasks.filter(department_id=filters.department_id)
    # Key-project cases first (docs/rules/projects.md §H4), then by due date.
    return tasks.order_by("-case__priority", "due", "pk")


# The inbox in pages by keyset (docs/rules/scale.md §Y2). The default view (pending, no item or
# number filter) is read in due order from the partial index task_pending_dept_due (one
# department) or task_pending_due (a supervisor's, every department): key-project cases are
# not lifted there (their priority lives on the case, and ordering by a joined column sorts
# every pending task of the department for each page); the filtered views keep them first.
INBOX_ORDER: tuple[str, ...] = ("-case__priority", "due", "pk")
INBOX_DEFAULT_ORDER: tuple[str, ...] = ("due", "pk")


def inbox_ordering(filters: InboxFilters) -> tuple[str, ...]:
    default = filters.status == "pending" and not filters.item_id and not filters.number.strip()
    return INBOX_DEFAULT_ORDER if default else INBOX_ORDER


def inbox_rows(user: Any, filters: InboxFilters, *, today: dt.date | None = None) -> QuerySet[Task]:
    """``tasks_for_inbox`` with what each row shows (paused or not) in the same query.

    A row shows none of the sealed columns (the application form, the applicant's identity
    number and phone): they are left unread, not decrypted fifty times a page."""
    rows = tasks_for_inbox(user, filters, today=today).defer(*INBOX_UNREAD)
    return with_paused(rows)


INBOX_UNREAD = ("case__form_data", "case__applicant__id_number", "case__applicant__phone")


def inbox_page(
    user: Any,
    filters: InboxFilters,
    *,
    cursor: str | None,
    size: int,
    today: dt.date | None = None,
) -> KeysetPage:
    """One page of the inbox for a web page (a bad cursor shows the first page)."""
    rows = inbox_rows(user, filters, today=today)
    return keyset_page_html(rows, inbox_ordering(filters), cursor=cursor, size=size)


def inbox_counts(user: Any, *, today: dt.date | None = None) -> dict[str, int]:
    """Pending, overdue, due soon and waiting-for-material counts, each up to COUNT_LIMIT + 1."""
    today = today or clock.today()
    pending = at_own_step(user, tasks_visible(user).filter(task_pending_q()))
    running = ~task_paused_q()  # B4: a paused task is neither overdue nor due soon
    # Bounded counts (docs/rules/scale.md §Y3): each reads at most COUNT_LIMIT + 1 index entries,
    # so a department with 100,000 pending tasks costs what one with 1,000 does ("1000+").
    return {
        "pending": count_bounded(pending),
        "overdue": count_bounded(pending.filter(Q(due__lt=today) & running)),
        "soon": count_bounded(
            pending.filter(Q(due__gte=today, due__lte=soon_limit(today)) & running)
        ),
        # Not from ``pending``: SQLite would walk the pending index's every entry of the
        # department to find the few waiting ones; task_dept_status_due finds them directly.
        "waiting": count_bounded(
            at_own_step(user, tasks_visible(user).filter(status=TaskStatus.WAITING_MATERIAL))
        ),
    }


def urgency(task: Task, *, today: dt.date | None = None) -> str:
    """``overdue`` (red), ``soon`` (yellow, due within two working days), ``paused`` (the clock
    stands still, docs/rules/licensing.md §B4: neither) or ``""``."""
    if task.status not in TASK_PENDING:
        return ""
    if task_paused(task):
        return "paused"
    today = today or clock.today()
    if task.due < today:
        return "overdue"
    if task.due <= soon_limit(today):
        return "soon"
    return ""


# tasks_visible(user).filter(pk=…).first(), compiled once (onewindow/lib/prepared.py).
_ANY_TASK: Prepared[Task] = Prepared(
    lambda p: _tasks().filter(pk=p.task).order_by("pk")[:1], task=int
)
_DEPARTMENT_TASK: Prepared[Task] = Prepared(
    lambda p: _tasks().filter(pk=p.task, department_id=p.department).order_by("pk")[:1],
    task=int,
    department=int,
)


def task_get_for_staff(request: HttpRequest, *, task_id: int) -> Task:
    """A task of the user's department (or any, for a supervisor); otherwise a logged 404."""
    user: Any = request.user
    task = None
    if reads_all(user):
        task = _ANY_TASK.first(task=task_id)
    elif has_perm(user, Perm.TASK_HANDLE) and getattr(user, "department_id", None) is not None:
        task = _DEPARTMENT_TASK.first(task=task_id, department=user.department_id)
    if task is None:
        raise deny(request, target=f"review.task:{task_id}", reason="not the task's department")
    case_access_record(request, task.case)  # docs/rules/audit.md §Z11
    return task


def task_get_for_action(request: HttpRequest, *, task_id: int) -> Task:
    """A task the user may act on: a supervisor (who reads every task) or anyone outside the
    task's department gets a logged 404 instead of a refusal later (docs/rules/supervision.md §D13:
    supervisors change no case, and their attempts are logged)."""
    task = task_get_for_staff(request, task_id=task_id)
    if not task_may_act(request.user, task):
        raise deny(request, target=f"review.task:{task_id}", reason="read-only access to task")
    return task


def task_may_act(user: Any, task: Task) -> bool:
    """Whether the user could act on the task at all (supervisors read only)."""
    return (
        has_perm(user, Perm.TASK_HANDLE)
        and getattr(user, "department_id", None) == task.department_id
    )


def task_steps(task: Task) -> QuerySet[StepRecord]:
    return task.step_records.select_related("actor").order_by("at", "pk")


def task_requests(task: Task) -> QuerySet[MaterialRequest]:
    return task.material_requests.select_related("requested_by").order_by("requested_on", "pk")


def open_request(task: Task) -> MaterialRequest | None:
    return task.material_requests.filter(answered_on__isnull=True).first()


def case_material_lines(case: Case) -> QuerySet[CaseMaterial]:
    return case.materials.select_related("material").prefetch_related(
        Prefetch("files", queryset=CaseFile.objects.select_related("stored"))
    )


def task_file_get(request: HttpRequest, *, task: Task, file_id: int) -> CaseFile:
    """A material file of the task's case; anything else is a logged 404."""
    attached = (
        CaseFile.objects.select_related("stored")
        .filter(pk=file_id, case_material__case_id=task.case_id)
        .first()
    )
    if attached is None:
        raise deny(request, target=f"review.task:{task.pk}:file:{file_id}", reason="not on case")
    case_access_record(
        request, task.case, kind=AccessKind.FILE, detail=attached.stored.original_name
    )
    return attached


# --- opinions (used by the decision) ----------------------------------------------------------
def case_opinions_complete(case: Case) -> bool:
    """Every department of the case has answered (given or deemed); cancelled tasks don't count."""
    counts = _ANSWERED.first(case=case.pk)
    return counts is not None and bool(counts[0]) and not counts[1]


# case_opinions_complete's counts (no row: the case has no task), compiled once
# (onewindow/lib/prepared.py, docs/decisions.md §O4).
_ANSWERED: Prepared[tuple[int, int]] = Prepared(
    lambda p: (
        Task.objects.filter(case_id=p.case)
        .exclude(status=TaskStatus.CANCELLED)
        .order_by()
        .values("case_id")
        .annotate(total=Count("pk"), pending=Count("pk", filter=Q(status__in=TASK_PENDING)))
        .values_list("total", "pending")
    ),
    case=int,
)


def case_opinions(case: Case) -> list[Opinion]:
    """The opinions given so far, the lead department's first (each with task and department)."""
    return list(
        Opinion.objects.filter(task__case_id=case.pk)
        .select_related("task", "task__department", "actor")
        .order_by("-task__is_lead", "task__department__name", "pk")
    )


def other_opinions(task: Task) -> list[Opinion]:
    """The other departments' opinions once given (parallel review is independent: nothing of
    theirs is shown before they answer)."""
    return [o for o in case_opinions(task.case) if o.task_id != task.pk]


def open_requests_of_case(case: Case) -> list[MaterialRequest]:
    """Material requests the applicant still has to answer."""
    return list(
        MaterialRequest.objects.filter(
            task__case_id=case.pk,
            answered_on__isnull=True,
            task__status=TaskStatus.WAITING_MATERIAL,
        )
        .select_related("task__department")
        .order_by("requested_on", "pk")
    )


def open_requests_by_case(case_ids: list[int]) -> dict[int, list[MaterialRequest]]:
    """``open_requests_of_case`` for a page of cases in one query (no query per row)."""
    found: dict[int, list[MaterialRequest]] = {pk: [] for pk in case_ids}
    rows = (
        MaterialRequest.objects.filter(
            task__case_id__in=case_ids,
            answered_on__isnull=True,
            task__status=TaskStatus.WAITING_MATERIAL,
        )
        .select_related("task__department")
        .order_by("requested_on", "pk")
    )
    for row in rows:
        found[row.task.case_id].append(row)
    return found


def material_request_get_for_answer(request: HttpRequest, *, request_id: int) -> MaterialRequest:
    """A request the user may answer: the case's applicant, their agent while a mandate covers
    the case (docs/product.md §C8), or a clerk of the accepting department; anyone else gets a
    logged 404."""
    user: Any = request.user
    found = (
        MaterialRequest.objects.select_related(
            "task", "task__case", "task__case__item_version", "task__department"
        )
        .filter(pk=request_id)
        .first()
    )
    allowed = False
    if found is not None and user.is_authenticated:
        case = found.task.case
        allowed = (
            has_perm(user, Perm.CASE_APPLY)
            and (user.pk == case.applicant_id or agent_may_act(user, case))
        ) or (has_perm(user, Perm.CASE_INTAKE) and user.department_id == case.department_id)
    if found is None or not allowed:
        raise deny(request, target=f"review.materialrequest:{request_id}", reason="not the case's")
    return found
