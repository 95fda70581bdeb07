"""Reads around material requests that check access in the same call (docs/product.md §C5: a
department asks the applicant for more material through the window).

- ``material_requests_for_window``: the open requests the clerk's window has to pass on.
- ``answer_files``: the files handed in with an answer.
- ``material_file_get``: one answer file, for the applicant, their mandated agent, staff of the
  case's departments (the accepting one and every reviewing one) and supervisors; anyone else
  gets a logged 404 (``core.access.deny``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import staff_in_department
from onewindow.audit.access import AccessKind, case_access_record
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.selectors import agent_may_act
from onewindow.core.access import deny
from onewindow.review.models import MaterialAnswerFile, MaterialRequest, Task, TaskStatus

# A request the applicant can still answer (the answer service refuses any other case status).
ANSWERABLE_CASE_STATUSES = (CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED)


def material_requests_for_window(user: Any) -> QuerySet[MaterialRequest]:
    """Open material requests on cases accepted by the clerk's department, oldest first.

    The window passes each request on to the applicant and records the answer with the files
    they bring. Empty for anyone without Perm.CASE_INTAKE or a department.
    """
    department_id = getattr(user, "department_id", None)
    if not has_perm(user, Perm.CASE_INTAKE) or department_id is None:
        return MaterialRequest.objects.none()
    return (
        MaterialRequest.objects.filter(
            task__case__department_id=department_id,
            task__case__status__in=ANSWERABLE_CASE_STATUSES,
            task__status=TaskStatus.WAITING_MATERIAL,
            answered_on__isnull=True,
        )
        .select_related(
            "task",
            "task__department",
            "task__case",
            "task__case__applicant",
            "task__case__item_version",
        )
        .order_by("requested_on", "pk")
    )


def answer_files(request: MaterialRequest) -> QuerySet[MaterialAnswerFile]:
    return request.answer_files.select_related("stored").order_by("pk")


def may_read_case_files(user: Any, case: Case) -> bool:
    """The applicant, their agent while a mandate covers the case, supervisors, and staff of the
    accepting department or of any department reviewing the case."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if has_perm(user, Perm.CASE_APPLY) and (
        user.pk == case.applicant_id or agent_may_act(user, case)
    ):
        return True
    if has_perm(user, Perm.CASE_READ_ALL):
        return True
    department_id: int | None = getattr(user, "department_id", None)
    if department_id is None or not staff_in_department(user, department_id):
        return False
    return department_id == case.department_id or (
        Task.objects.filter(case_id=case.pk, department_id=department_id).exists()
    )


def material_file_get(request: HttpRequest, *, file_id: int) -> MaterialAnswerFile:
    """One file of an answer to a material request, if the user may read the case's files;
    otherwise a logged 404."""
    found = (
        MaterialAnswerFile.objects.select_related(
            "stored", "request__task__case", "request__task__case__item_version"
        )
        .filter(pk=file_id)
        .first()
    )
    if found is None or not may_read_case_files(request.user, found.request.task.case):
        raise deny(
            request, target=f"review.materialfile:{file_id}", reason="no access to the case files"
        )
    # docs/rules/audit.md §Z11 (staff only)
    case_access_record(
        request, found.request.task.case, kind=AccessKind.FILE, detail=found.stored.original_name
    )
    return found
