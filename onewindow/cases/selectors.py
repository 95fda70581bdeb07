"""Reads of cases that check access in the same call; refusals are logged and answered 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from onewindow.accounts.roles import Perm, has_perm
from onewindow.cases.models import AWAITING_INTAKE, Case, CaseStatus
from onewindow.core.access import deny


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related(
        "item_version", "item_version__item", "department", "region", "applicant", "agent"
    )


def cases_of_applicant(user: Any) -> QuerySet[Case]:
    """Cases the user filed for themselves or handles as the applicant's agent."""
    return _cases().filter(Q(applicant=user) | Q(agent=user))


def case_get_for_applicant(request: HttpRequest, *, case_id: int) -> Case:
    """The case if the signed-in user is its applicant or agent; otherwise a logged 404."""
    user = request.user
    case = cases_of_applicant(user).filter(pk=case_id).first() if user.is_authenticated else None
    if case is None or not has_perm(user, Perm.CASE_APPLY):
        raise deny(request, target=f"case:{case_id}", reason="not applicant or agent")
    return case


def intake_queue(user: Any) -> QuerySet[Case]:
    """Submitted cases waiting for the clerk's department, the nearest intake deadline first."""
    if not has_perm(user, Perm.CASE_INTAKE) or user.department_id is None:
        return Case.objects.none()
    return (
        _cases()
        .filter(department_id=user.department_id, status__in=AWAITING_INTAKE)
        .order_by("intake_due", "submitted_at")
    )


def case_get_for_clerk(request: HttpRequest, *, case_id: int) -> Case:
    """A non-draft case of the clerk's own department; otherwise a logged 404."""
    user: Any = request.user
    case = None
    department_id = getattr(user, "department_id", None)
    if has_perm(user, Perm.CASE_INTAKE) and department_id is not None:
        case = (
            _cases()
            .filter(pk=case_id, department_id=department_id)
            .exclude(status=CaseStatus.DRAFT)
            .first()
        )
    if case is None:
        raise deny(request, target=f"case:{case_id}", reason="not a clerk of the case's department")
    return case


def case_get_for_reader(request: HttpRequest, *, case_id: int) -> Case:
    """Read access: the applicant/agent, staff of the case's department, or a supervisor."""
    user: Any = request.user
    case = _cases().filter(pk=case_id).exclude(status=CaseStatus.DRAFT).first()
    allowed = (
        case is not None
        and user.is_authenticated
        and (
            case.applicant_id == user.pk
            or case.agent_id == user.pk
            or has_perm(user, Perm.CASE_READ_ALL)
            or (
                getattr(user, "is_staff_member", False) and user.department_id == case.department_id
            )
        )
    )
    if not allowed or case is None:
        raise deny(request, target=f"case:{case_id}", reason="no read access")
    return case
