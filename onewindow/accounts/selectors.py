"""Reads with permission checks, reused by every app's views and API handlers.

``require_perm`` and ``require_department_perm`` fetch-and-check in one call: they return the
signed-in user or raise the logged 404 of ``core.access.deny`` (an outsider must not learn that
an object exists). Views that need a sign-in page for anonymous visitors wrap themselves in
``login_required`` first.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from rest_framework.request import Request

from onewindow.accounts.models import User, identity_q
from onewindow.accounts.roles import DEPARTMENT_ROLES, Perm, Role, has_perm
from onewindow.accounts.validators import mobile_clean
from onewindow.core.access import deny
from onewindow.lib.idnumbers import normalise

__all__ = [
    "require_department_perm",
    "require_perm",
    "staff_in_department",
    "target_label",
    "user_find_for_login",
    "users_pending_credit_code",
    "walk_in_record_find",
]


def target_label(target: Any) -> str:
    """How an access-denied row names its target: ``app.model:pk`` for a model instance."""
    if isinstance(target, Model):
        return f"{target._meta.label_lower}:{target.pk}"
    return "" if target is None else str(target)


def require_perm(request: HttpRequest | Request, perm: Perm, *, target: Any = None) -> User:
    """The signed-in user when their role grants ``perm``; else log the attempt and raise 404.

    Takes a Django request or a DRF one (whose token-authenticated user it uses).
    """
    user = request.user
    if not has_perm(user, perm):
        reason = f"missing permission {perm}"
        raise _deny(request, target=target_label(target) or str(perm), reason=reason)
    return cast(User, user)


def _deny(request: HttpRequest | Request, *, target: str, reason: str) -> Exception:
    if isinstance(request, Request):  # DRF copies the authenticated user onto the wrapped one
        return deny(request._request, target=target, reason=reason)
    return deny(request, target=target, reason=reason)


def staff_in_department(user: Any, department_id: int | None) -> bool:
    """True for an active department-role member (clerk … chief) of that department."""
    return bool(
        department_id is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in DEPARTMENT_ROLES
        and user.department_id == department_id
    )


def require_department_perm(
    request: HttpRequest | Request, perm: Perm, *, department_id: int | None, target: Any = None
) -> User:
    """``require_perm`` plus membership of ``department_id`` (another department's case: 404)."""
    user = require_perm(request, perm, target=target)
    if not staff_in_department(user, department_id):
        reason = f"not in department {department_id}"
        raise _deny(request, target=target_label(target) or str(perm), reason=reason)
    return user


def user_find_for_login(identifier: str) -> User | None:
    """The account a login name points at, or None.

    Anyone signs in with their username. Applicants may also use their ID number or credit code
    (any letter case, full-width digits allowed) or their mobile number, the last only while
    exactly one applicant has it (a person and their company may share one phone).
    """
    identifier = identifier.strip()
    if not identifier:
        return None
    user = User.objects.filter(username=identifier).first()
    if user is not None:
        return user
    applicants = User.objects.filter(role=Role.APPLICANT)
    number = normalise(identifier)
    by_number = applicants.filter(
        identity_q("id_number", number) | identity_q("credit_code", number)
    ).first()
    if by_number is not None:
        return by_number
    return _only_applicant_with_phone(applicants, identifier)


def _only_applicant_with_phone(applicants: QuerySet[User], identifier: str) -> User | None:
    try:
        phone = mobile_clean(identifier)
    except ValidationError:
        return None
    matches = list(applicants.filter(identity_q("phone", phone))[:2])
    return matches[0] if len(matches) == 1 else None


def users_pending_credit_code() -> QuerySet[User]:
    """Enterprise accounts whose credit code failed its check digit and awaits staff (F2)."""
    return User.objects.filter(credit_code_check_failed=True, credit_code_confirmed=False)


def walk_in_record_find(*, field: str, number: str) -> User | None:
    """The applicant record a window clerk made for this ID number or credit code, if unclaimed.

    ``field`` is ``id_number`` or ``credit_code``. Only an active applicant account that has
    never had a usable password qualifies: no password (the clerk's record) and never signed in.
    A registered account, or one whose password was later disabled, is not claimable.
    """
    if field not in ("id_number", "credit_code") or not number:
        return None
    record = User.objects.filter(
        identity_q(field, number), role=Role.APPLICANT, is_active=True
    ).first()
    if record is None or record.has_usable_password() or record.last_login is not None:
        return None
    return record
