"""Writes to accounts: registration, staff accounts and roles, credit-code confirmation, tokens.

Every service validates everything first and raises one ``ValidationError`` whose dict names the
fields at fault (the registration forms and the API map it onto their own fields), then writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import Token

from onewindow.accounts.models import ApplicantKind, User, person_username
from onewindow.accounts.roles import (
    ADMIN_SITE_ROLES,
    ADMINISTRATOR_ROLES,
    DEPARTMENT_ROLES,
    REGION_ROLES,
    STAFF_ROLES,
    Perm,
    Role,
)
from onewindow.accounts.selectors import walk_in_record_find
from onewindow.accounts.signals import security_event_send
from onewindow.accounts.validators import (
    citizen_id_available,
    citizen_id_clean,
    credit_code_available,
    credit_code_clean,
    full_name_clean,
    mobile_clean,
    password_check,
)
from onewindow.core import clock

if TYPE_CHECKING:  # accounts sits below catalog: the names are for the type hints only
    from onewindow.catalog.models import Department, Region, Window

__all__ = [
    "applicant_register_enterprise",
    "applicant_register_person",
    "auth_token_issue",
    "auth_token_revoke",
    "credit_code_confirm",
    "user_admin_save",
    "user_create",
    "user_set_role",
]

P = ParamSpec("P")
T = TypeVar("T")


class _Errors:
    """Collects field errors so one submission reports every problem at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def check(self, field: str, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            self.add(field, exc)
            return None

    def add(self, field: str, exc: ValidationError) -> None:
        self.by_field.setdefault(field, []).extend(exc.error_list)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)  # type: ignore[arg-type]


# --- applicants register themselves (docs/product.md §C2) -----------------------------------------
@transaction.atomic
def applicant_register_person(
    *, full_name: str, id_number: str, phone: str, password: str, email: str = ""
) -> User:
    """A natural person's account. The login name is the ID number (F1-checked, unique)."""
    errors = _Errors()
    name = errors.check("full_name", full_name_clean, full_name)
    number = errors.check("id_number", citizen_id_clean, id_number)
    record = walk_in_record_find(field="id_number", number=number or "")
    if number and record is None:
        errors.check("id_number", citizen_id_available, number)
    if record is not None:
        return _walk_in_claim(
            record,
            errors=errors,
            field="id_number",
            given=_Claim(name=name, phone=errors.check("phone", mobile_clean, phone)),
            email=errors.check("email", _email_clean, email),
            password=password,
        )
    user = User(
        username=person_username(number or ""),
        role=Role.APPLICANT,
        applicant_kind=ApplicantKind.PERSON,
        full_name=name or "",
        id_number=number or "",
        phone=errors.check("phone", mobile_clean, phone) or "",
        email=errors.check("email", _email_clean, email) or "",
    )
    errors.check("password", password_check, password, user)
    errors.raise_if_any()
    user.set_password(password)
    _insert(user, field="id_number", message=_("该身份证号已注册。"))
    return user


@transaction.atomic
def applicant_register_enterprise(
    *,
    full_name: str,
    credit_code: str,
    legal_representative: str,
    phone: str,
    password: str,
    email: str = "",
    confirm_credit_code: bool = False,
) -> User:
    """An enterprise's account. The login name is the credit code (F2-checked, unique).

    A code that fails only its check digit is accepted when the applicant confirms it matches
    the business licence (``confirm_credit_code``); the account is then flagged for staff.
    """
    errors = _Errors()
    name = errors.check("full_name", full_name_clean, full_name)
    cleaned = errors.check(
        "credit_code", credit_code_clean, credit_code, confirmed=confirm_credit_code
    )
    code, check_failed = cleaned or ("", False)
    record = walk_in_record_find(field="credit_code", number=code)
    if code and record is None:
        errors.check("credit_code", credit_code_available, code)
    representative = " ".join(legal_representative.split())
    if not representative:
        errors.add("legal_representative", ValidationError(_("请填写法定代表人姓名。"), "required"))
    if record is not None:
        return _walk_in_claim(
            record,
            errors=errors,
            field="credit_code",
            given=_Claim(
                name=name,
                phone=errors.check("phone", mobile_clean, phone),
                representative=representative or None,
            ),
            email=errors.check("email", _email_clean, email),
            password=password,
        )
    user = User(
        username=code,
        role=Role.APPLICANT,
        applicant_kind=ApplicantKind.ENTERPRISE,
        full_name=name or "",
        credit_code=code,
        credit_code_check_failed=check_failed,
        legal_representative=representative,
        phone=errors.check("phone", mobile_clean, phone) or "",
        email=errors.check("email", _email_clean, email) or "",
    )
    errors.check("password", password_check, password, user)
    errors.raise_if_any()
    user.set_password(password)
    _insert(user, field="credit_code", message=_("该统一社会信用代码已注册。"))
    return user


# --- claiming a record made at the window ---------------------------------------------------
# A clerk registering a walk-in application creates the applicant without a password
# (cases.services.applicant_for_window). When that person registers online with the same ID
# number or credit code, they take that record over — keeping its cases — instead of being told
# the number is taken. The number alone is no secret, so the name as recorded must match, and
# the mobile number too when the window recorded one (for an enterprise, also the legal
# representative). Only records that never had a usable password qualify
# (``selectors.walk_in_record_find``).
WALK_IN_MISMATCH = {
    "id_number": gettext_lazy(
        "该身份证号已在服务中心窗口登记办件。开通网上账号须填写与窗口登记一致的姓名和手机号码"
        "（窗口未登记手机号码的，姓名须一致）。如登记信息有误或已变更，请携带身份证件到窗口核实。"
    ),
    "credit_code": gettext_lazy(
        "该统一社会信用代码已在服务中心窗口登记办件。开通网上账号须填写与窗口登记一致的企业名称、"
        "法定代表人和手机号码（窗口未登记手机号码的，名称须一致）。如登记信息有误或已变更，"
        "请携带营业执照到窗口核实。"
    ),
}
TAKEN = {
    "id_number": gettext_lazy("该身份证号已注册。"),
    "credit_code": gettext_lazy("该统一社会信用代码已注册。"),
}


@dataclass(frozen=True)
class _Claim:
    """What the registering person entered, None where the entry itself was invalid."""

    name: str | None
    phone: str | None
    representative: str | None = None


def _claim_matches(record: User, given: _Claim) -> bool:
    if given.name != " ".join(record.full_name.split()):
        return False
    if record.phone and given.phone != record.phone:
        return False
    recorded_rep = " ".join(record.legal_representative.split())
    return not (
        recorded_rep and given.representative is not None and given.representative != recorded_rep
    )


def _walk_in_claim(
    record: User,
    *,
    errors: _Errors,
    field: str,
    given: _Claim,
    email: str | None,
    password: str,
) -> User:
    """Give the window's record a password, phone and email; the cases stay with it."""
    user = User.objects.select_for_update().get(pk=record.pk)
    if walk_in_record_find(field=field, number=getattr(user, field)) is None:
        # claimed (or changed by staff) a moment ago
        errors.add(field, ValidationError(str(TAKEN[field]), code=f"{field}_taken"))
    elif given.name is not None and given.phone is not None and not _claim_matches(user, given):
        errors.add(field, ValidationError(str(WALK_IN_MISMATCH[field]), code="walk_in_mismatch"))
    errors.check("password", password_check, password, user)
    errors.raise_if_any()
    user.username = person_username(user.id_number) if field == "id_number" else user.credit_code
    user.phone = given.phone or user.phone
    user.email = email or ""
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save(update_fields=["username", "phone", "email", "password"])
    except IntegrityError as exc:  # the login name is someone else's username
        raise ValidationError(
            {field: ValidationError(str(TAKEN[field]), f"{field}_taken")}
        ) from exc
    return user


def _email_clean(value: str) -> str:
    email = value.strip()
    if email:
        validate_email(email)
    return email


def _insert(user: User, *, field: str, message: str) -> None:
    """Save a new user; a concurrent registration of the same number loses cleanly."""
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ValidationError({field: ValidationError(message, code=f"{field}_taken")}) from exc


# --- staff and agents, created by the center administrator -----------------------------------
@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: Role,
    full_name: str = "",
    department: Department | None = None,
    windows: Iterable[Window] = (),
    phone: str = "",
    email: str = "",
    region: Region | None = None,
    actor: User | None = None,
) -> User:
    """A staff member's or agent's account (applicants register themselves)."""
    errors = _Errors()
    if role == Role.APPLICANT:
        errors.add("role", ValidationError(_("申请人请通过注册页面自行注册。"), "applicant"))
    errors.check("department", _role_department_check, role, department)
    errors.check("region", _role_region_check, role, region)
    username = username.strip()
    if not username:
        errors.add("username", ValidationError(_("请填写用户名。"), "required"))
    elif User.objects.filter(username=username).exists():
        errors.add("username", ValidationError(_("该用户名已被使用。"), "username_taken"))
    user = User(
        username=username,
        role=role,
        full_name=" ".join(full_name.split()),
        department=department,
        region=region if role in REGION_ROLES else None,
        phone=phone.strip(),
        email=email.strip(),
    )
    windows = list(windows)
    errors.check("windows", _windows_check, role, windows)
    errors.check("password", password_check, password, user)
    errors.raise_if_any()
    user.is_staff = _admin_site_access(user)
    user.set_password(password)
    _insert(user, field="username", message=_("该用户名已被使用。"))
    user.windows.set(windows)
    security_event_send("account_created", actor=actor, target=user, detail=str(role))
    return user


@transaction.atomic
def user_set_role(
    *,
    user: User,
    role: Role,
    department: Department | None = None,
    windows: Iterable[Window] | None = None,
    region: Region | None = None,
) -> User:
    """Give ``user`` a role (and the department or region it needs). Only the admin role gets
    is_staff."""
    windows = None if windows is None else list(windows)
    errors = _Errors()
    errors.check("department", _role_department_check, role, department)
    errors.check("region", _role_region_check, role, region)
    if windows is not None:
        errors.check("windows", _windows_check, role, windows)
    if user.is_superuser and role != Role.ADMIN:
        errors.add("role", ValidationError(SUPERUSER_ROLE, "superuser"))
    errors.raise_if_any()
    user.role = role
    user.department = department
    user.region = region if role in REGION_ROLES else None
    user.is_staff = _admin_site_access(user)
    user.save(update_fields=["role", "department", "region", "is_staff"])
    if windows is not None:
        user.windows.set(windows)
    elif role not in STAFF_ROLES:
        user.windows.clear()
    return user


@transaction.atomic
def user_admin_save(*, user: User, actor: User) -> User:
    """Save a user edited in the Django admin, after the checks the admin form cannot express.

    Only a superuser may make a superuser; ``is_staff`` follows the role; an identity number is
    checked again (F1/F2); a changed credit code needs confirming again.
    """
    before = User.objects.filter(pk=user.pk).first() if user.pk else None
    errors = _Errors()
    errors.check("role", _administrator_role_check, user, before, actor)
    if user.is_superuser and user.role != Role.ADMIN:
        errors.add("is_superuser", ValidationError(SUPERUSER_ROLE, "superuser"))
    errors.check("department", _role_department_check, user.role, user.department)
    if user.is_superuser and not actor.is_superuser and not (before and before.is_superuser):
        errors.add("is_superuser", ValidationError(_("只有超级管理员可以设置超级管理员。"), "su"))
    if user.id_number:
        user.id_number = errors.check("id_number", citizen_id_clean, user.id_number) or ""
    if user.credit_code:
        _admin_credit_code(user, before, errors)
    errors.raise_if_any()
    user.is_staff = _admin_site_access(user)
    user.save()
    if before is None:
        security_event_send("account_created", actor=actor, target=user, detail=str(user.role))
    if before is not None and before.is_active and not user.is_active:
        security_event_send("account_disabled", actor=actor, target=user)
        sessions_end(user=user, actor=actor)  # docs/decisions.md §S7: every session ends at once
    return user


# docs/decisions.md §S9 (and the constraint user_superuser_is_system_admin)
SUPERUSER_ROLE = gettext_lazy("只有系统管理员（中心管理员）可以是超级用户。")


def _administrator_role_check(user: User, before: User | None, actor: User) -> None:
    """docs/decisions.md §S9 in the system administrator's user admin: no administrator role is
    granted or taken away there, nobody changes their own role, and the security and audit
    administrators' accounts are not edited there at all."""
    old_role = before.role if before else None
    if before is not None and before.role in (Role.SECURITY_ADMIN, Role.AUDITOR):
        raise ValidationError(_("安全管理员和审计管理员的账号由安全管理员管理。"), "separation")
    if old_role == user.role:
        return
    if before is not None and before.pk == actor.pk:
        raise ValidationError(_("不能更改自己的角色。"), "own_role")
    if user.role in ADMINISTRATOR_ROLES or old_role in ADMINISTRATOR_ROLES:
        raise ValidationError(administrator_role_message(), "separation")


def administrator_role_message() -> str:
    return _("系统管理员、安全管理员和审计管理员角色只能由安全管理员分配或撤销（三员分立）。")


@transaction.atomic
def user_role_assign(
    *,
    user: User,
    role: Role,
    actor: User,
    department: Department | None = None,
    windows: Iterable[Window] | None = None,
    region: Region | None = None,
) -> User:
    """The security administrator gives a staff account a role (docs/decisions.md §S9).

    Any staff role, the three administrator roles included, but never on their own account, and
    never the applicant role (applicants register themselves). The account's sessions and token
    end: it signs in again with its new rights.
    """
    if not actor.can(Perm.SECURITY_MANAGE):
        raise PermissionDenied(_("只有安全管理员可以分配角色。"))
    errors = _Errors()
    if user.pk == actor.pk:
        errors.add("role", ValidationError(_("不能更改自己的角色。"), "own_role"))
    if role in (Role.APPLICANT, Role.AGENCY):
        errors.add("role", ValidationError(_("该角色不能由安全管理员分配。"), "role"))
    if user.role in (Role.APPLICANT,):
        errors.add("role", ValidationError(_("申请人账号不能改为工作人员账号。"), "applicant"))
    errors.raise_if_any()
    old_role = user.role
    if user.is_superuser and role != Role.ADMIN:
        user.is_superuser = False  # only a system administrator (docs/decisions.md §S9)
        user.save(update_fields=["is_superuser"])
    user = user_set_role(
        user=user,
        role=role,
        department=department,
        windows=windows if windows is not None else [],
        region=region,
    )
    security_event_send("role_assigned", actor=actor, target=user, detail=f"{old_role} → {role}")
    sessions_end(user=user, actor=actor)
    return user


def _admin_credit_code(user: User, before: User | None, errors: _Errors) -> None:
    cleaned = errors.check("credit_code", credit_code_clean, user.credit_code, confirmed=True)
    if cleaned is None:
        return
    user.credit_code, user.credit_code_check_failed = cleaned
    if before is None or before.credit_code != user.credit_code:
        user.credit_code_confirmed = False
        user.credit_code_confirmed_at = None
        user.credit_code_confirmed_by = None


def _role_department_check(role: str, department: Department | None) -> None:
    if role in DEPARTMENT_ROLES and department is None:
        raise ValidationError(
            _("“%(role)s”必须指定所属部门。") % {"role": Role(role).label}, code="department"
        )


def _role_region_check(role: str, region: Region | None) -> None:
    """docs/rules/delegation.md §V4: a region administrator or a community point's staff member
    works for one region (the district, or the point)."""
    if role in REGION_ROLES and region is None:
        raise ValidationError(
            _("“%(role)s”必须指定所属区域。") % {"role": Role(role).label}, code="region"
        )


def _windows_check(role: str, windows: list[Window]) -> None:
    if windows and role not in STAFF_ROLES:
        raise ValidationError(_("只有工作人员可以分配窗口。"), code="windows")


def _admin_site_access(user: User) -> bool:
    return user.role in ADMIN_SITE_ROLES or user.is_superuser


# --- F2 confirmation by staff -----------------------------------------------------------------
@transaction.atomic
def credit_code_confirm(*, user: User, confirmed_by: User) -> User:
    """Staff confirm a credit code that failed its check digit matches the business licence."""
    if not (confirmed_by.is_superuser or confirmed_by.can(Perm.USER_MANAGE)):
        raise PermissionDenied(_("您无权确认统一社会信用代码。"))
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.credit_code_pending:
        raise ValidationError(_("该账号的统一社会信用代码无需确认。"), code="not_pending")
    user.credit_code_confirmed = True
    user.credit_code_confirmed_at = clock.now()
    user.credit_code_confirmed_by = confirmed_by
    user.save(
        update_fields=[
            "credit_code_confirmed",
            "credit_code_confirmed_at",
            "credit_code_confirmed_by",
        ]
    )
    return user


# --- API tokens -------------------------------------------------------------------------------
@transaction.atomic
def auth_token_issue(*, user: User) -> Token:
    """The user's API token (one per user, shared by their clients until revoked)."""
    if not user.is_active:
        raise PermissionDenied(_("该账号已停用。"))
    token, _created = Token.objects.get_or_create(user=user)
    return token


@transaction.atomic
def sessions_end(*, user: User, actor: User | None = None) -> None:
    """End every session and API token of ``user`` now (docs/decisions.md §S7).

    Sessions are not enumerated (the cache backend cannot): each carries its sign-in time, and
    ``middleware.staff_session`` ends any signed in before ``sessions_revoked_at``.
    """
    user.sessions_revoked_at = clock.now()
    User.objects.filter(pk=user.pk).update(sessions_revoked_at=user.sessions_revoked_at)
    auth_token_revoke(user=user)
    security_event_send("sessions_ended", actor=actor, target=user)


@transaction.atomic
def auth_token_revoke(*, user: User) -> bool:
    """Sign every API client of ``user`` out. True when there was a token to delete."""
    deleted, _details = Token.objects.filter(user=user).delete()
    return deleted > 0
