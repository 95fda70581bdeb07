"""Staff accounts, roles, the admin-site flag, credit-code confirmation and API tokens."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from rest_framework.authtoken.models import Token

from onewindow.accounts import services
from onewindow.accounts.models import User
from onewindow.accounts.roles import REGION_ROLES, Role
from onewindow.catalog.models import Region, RegionLevel
from onewindow.lib.idnumbers import make_credit_code
from onewindow.testing import PASSWORD, Personas

pytestmark = pytest.mark.django_db


def staff(personas: Personas, **changes: Any) -> User:
    data: dict[str, Any] = {
        "username": "new_clerk",
        "password": PASSWORD,
        "role": Role.CLERK,
        "full_name": "新 窗口",
        "department": personas.dept_a,
        "windows": [personas.window],
    } | changes
    return services.user_create(**data)


def test_a_clerk_is_created_with_department_and_window(personas: Personas) -> None:
    clerk = staff(personas)
    assert clerk.department == personas.dept_a
    assert list(clerk.windows.all()) == [personas.window]
    assert clerk.full_name == "新 窗口"
    assert not clerk.is_staff
    assert clerk.check_password(PASSWORD)


@pytest.mark.parametrize(
    "role", [Role.CLERK, Role.HANDLER, Role.REVIEWER, Role.APPROVER, Role.CHIEF]
)
def test_department_roles_need_a_department(personas: Personas, role: Role) -> None:
    with pytest.raises(ValidationError) as exc:
        staff(personas, role=role, department=None, windows=[])
    assert exc.value.message_dict == {"department": [f"“{role.label}”必须指定所属部门。"]}
    assert not User.objects.filter(username="new_clerk").exists()


def test_the_database_also_refuses_a_department_role_without_department() -> None:
    with pytest.raises(IntegrityError):
        User.objects.create(username="x", role=Role.REVIEWER)


def test_applicants_are_not_created_by_staff(personas: Personas) -> None:
    with pytest.raises(ValidationError) as exc:
        staff(personas, role=Role.APPLICANT, department=None, windows=[])
    assert exc.value.message_dict == {"role": ["申请人请通过注册页面自行注册。"]}


def test_windows_are_for_staff_only(personas: Personas) -> None:
    with pytest.raises(ValidationError) as exc:
        staff(personas, role=Role.AGENT, department=None)
    assert exc.value.message_dict == {"windows": ["只有工作人员可以分配窗口。"]}


def test_usernames_are_unique(personas: Personas) -> None:
    with pytest.raises(ValidationError) as exc:
        staff(personas, username="clerk")
    assert exc.value.message_dict == {"username": ["该用户名已被使用。"]}


@pytest.mark.parametrize("role", list(Role))
def test_only_the_admin_role_gets_the_admin_site(personas: Personas, role: Role) -> None:
    department = personas.dept_a if role != Role.APPLICANT else None
    region = Region.objects.create(code="420704", name="鄂城区", level=RegionLevel.DISTRICT)
    user = services.user_set_role(
        user=personas.outsider, role=role, department=department, region=region
    )
    user.refresh_from_db()
    assert user.is_staff == (role == Role.ADMIN)
    assert user.region == (region if role in REGION_ROLES else None)


@pytest.mark.parametrize("role", sorted(REGION_ROLES))
def test_a_region_role_without_a_region_is_refused_and_nothing_changes(
    personas: Personas, role: Role
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.user_set_role(user=personas.outsider, role=role)
    assert "必须指定所属区域" in str(exc.value.message_dict["region"])
    personas.outsider.refresh_from_db()
    assert personas.outsider.role == Role.APPLICANT
    with pytest.raises(ValidationError):
        services.user_create(username="point_x", password=PASSWORD, role=role)
    assert not User.objects.filter(username="point_x").exists()


def test_losing_the_admin_role_loses_the_admin_site(personas: Personas) -> None:
    services.user_set_role(user=personas.admin, role=Role.SUPERVISOR)
    personas.admin.refresh_from_db()
    assert not personas.admin.is_staff


def test_a_superuser_is_a_system_administrator(personas: Personas) -> None:
    """docs/decisions.md §S9: a superuser holds every admin permission, so no other role."""
    root = User.objects.create_superuser("root", "root@example.cn", PASSWORD)
    assert root.role == Role.ADMIN and root.is_staff
    with pytest.raises(ValidationError):
        services.user_set_role(user=root, role=Role.AUDITOR)
    root.refresh_from_db()
    assert root.role == Role.ADMIN


def test_set_role_checks_the_department(personas: Personas) -> None:
    with pytest.raises(ValidationError):
        services.user_set_role(user=personas.supervisor, role=Role.REVIEWER)
    personas.supervisor.refresh_from_db()
    assert personas.supervisor.role == Role.SUPERVISOR


def test_leaving_staff_roles_clears_windows(personas: Personas) -> None:
    services.user_set_role(user=personas.clerk, role=Role.AGENT)
    assert not personas.clerk.windows.exists()


# --- the admin save path ----------------------------------------------------------------------
def test_admin_save_derives_is_staff_from_the_role(personas: Personas) -> None:
    user = personas.supervisor
    user.is_staff = True
    services.user_admin_save(user=user, actor=personas.admin)
    user.refresh_from_db()
    assert not user.is_staff


def test_only_a_superuser_makes_a_superuser(personas: Personas) -> None:
    user = services.user_create(username="admin2", password=PASSWORD, role=Role.ADMIN)
    user.is_superuser = True
    with pytest.raises(ValidationError) as exc:
        services.user_admin_save(user=user, actor=personas.admin)
    assert "is_superuser" in exc.value.message_dict
    user.refresh_from_db()
    assert not user.is_superuser
    root = User.objects.create_superuser("root", "root@example.cn", PASSWORD)
    user.is_superuser = True
    services.user_admin_save(user=user, actor=root)
    user.refresh_from_db()
    assert user.is_superuser and user.is_staff


def test_admin_save_rechecks_identity_numbers(personas: Personas) -> None:
    user = personas.outsider
    user.id_number = "110105194912310021"
    with pytest.raises(ValidationError) as exc:
        services.user_admin_save(user=user, actor=personas.admin)
    assert list(exc.value.message_dict) == ["id_number"]


def test_changing_a_credit_code_in_the_admin_needs_confirming_again(personas: Personas) -> None:
    user = services.applicant_register_enterprise(
        full_name="校验位异常公司",
        credit_code="91110000600037341M",
        confirm_credit_code=True,
        legal_representative="李四",
        phone="13800138000",
        password=PASSWORD,
    )
    services.credit_code_confirm(user=user, confirmed_by=personas.admin)
    user.refresh_from_db()
    user.credit_code = "91110000600037342m"  # another code failing its check digit
    services.user_admin_save(user=user, actor=personas.admin)
    user.refresh_from_db()
    assert user.credit_code == "91110000600037342M"
    assert user.credit_code_pending
    assert user.credit_code_confirmed_by is None


# --- F2 confirmation --------------------------------------------------------------------------
@pytest.fixture
def flagged(personas: Personas) -> User:
    return services.applicant_register_enterprise(
        full_name="校验位异常公司",
        credit_code="91110000600037341M",
        confirm_credit_code=True,
        legal_representative="李四",
        phone="13800138000",
        password=PASSWORD,
    )


def test_staff_confirm_a_flagged_credit_code(personas: Personas, flagged: User) -> None:
    services.credit_code_confirm(user=flagged, confirmed_by=personas.admin)
    flagged.refresh_from_db()
    assert flagged.credit_code_confirmed
    assert not flagged.credit_code_pending
    assert flagged.credit_code_confirmed_by == personas.admin
    assert flagged.credit_code_confirmed_at is not None


@pytest.mark.parametrize("name", ["clerk", "supervisor", "auditor", "enterprise"])
def test_only_user_managers_confirm(personas: Personas, flagged: User, name: str) -> None:
    with pytest.raises(PermissionDenied):
        services.credit_code_confirm(user=flagged, confirmed_by=personas.get(name))
    flagged.refresh_from_db()
    assert flagged.credit_code_pending


def test_a_valid_code_needs_no_confirmation(personas: Personas) -> None:
    with pytest.raises(ValidationError):
        services.credit_code_confirm(user=personas.enterprise, confirmed_by=personas.admin)


# --- tokens -----------------------------------------------------------------------------------
def test_a_token_is_issued_once_per_user_and_revoked(personas: Personas) -> None:
    first = services.auth_token_issue(user=personas.applicant)
    assert services.auth_token_issue(user=personas.applicant) == first
    assert services.auth_token_revoke(user=personas.applicant)
    assert not Token.objects.filter(user=personas.applicant).exists()
    assert not services.auth_token_revoke(user=personas.applicant)


def test_an_inactive_user_gets_no_token(personas: Personas) -> None:
    personas.outsider.is_active = False
    with pytest.raises(PermissionDenied):
        services.auth_token_issue(user=personas.outsider)


def test_generated_credit_codes_fit_the_registration(personas: Personas) -> None:
    code = make_credit_code("91420700MA4K00009")
    user = services.applicant_register_enterprise(
        full_name="又一家公司",
        credit_code=code,
        legal_representative="王五",
        phone="13800138000",
        password=PASSWORD,
    )
    assert user.username == code
