"""Permission-checking reads of supervision letters (督办函).

A letter is read by the staff of its department and by supervisors (Perm.SUPERVISE); anyone
else gets a 404 and an AccessDenied row (onewindow.core.access.deny).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework.request import Request

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import require_perm, staff_in_department
from onewindow.core.access import deny
from onewindow.supervision.models import SupervisionLetter
from onewindow.supervision.selectors import _django

TARGET = "supervision.letter"


def _letters() -> QuerySet[SupervisionLetter]:
    return SupervisionLetter.objects.select_related(
        "department", "case", "card", "issued_by", "responded_by", "closed_by"
    )


def letters_for_supervisor(
    request: HttpRequest | Request, *, status: str = "", department_id: int | None = None
) -> QuerySet[SupervisionLetter]:
    """Every letter (Perm.SUPERVISE), optionally by status and department."""
    require_perm(request, Perm.SUPERVISE, target=TARGET)
    letters = _letters()
    if status:
        letters = letters.filter(status=status)
    if department_id:
        letters = letters.filter(department_id=department_id)
    return letters


def letters_for_department(
    request: HttpRequest | Request, *, status: str = ""
) -> QuerySet[SupervisionLetter]:
    """The signed-in department member's department's letters, newest first."""
    user = request.user
    department_id = getattr(user, "department_id", None)
    if department_id is None or not staff_in_department(user, department_id):
        raise deny(_django(request), target=TARGET, reason="not department staff")
    letters = _letters().filter(department_id=department_id)
    return letters.filter(status=status) if status else letters


def letter_get(request: HttpRequest | Request, pk: int) -> tuple[SupervisionLetter, User]:
    """One letter for its department's staff or a supervisor; else 404 and logged."""
    user = request.user
    letter = _letters().filter(pk=pk).first()
    target = f"{TARGET}:{pk}"
    if letter is None:
        raise deny(_django(request), target=target, reason="no such letter")
    if not (has_perm(user, Perm.SUPERVISE) or staff_in_department(user, letter.department_id)):
        raise deny(_django(request), target=target, reason="not the letter's department")
    return letter, user  # type: ignore[return-value]
