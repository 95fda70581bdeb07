"""三员分立: the system, security and audit administrators (docs/decisions.md §S9)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from rest_framework.authtoken.models import Token

from onewindow.accounts import services
from onewindow.accounts.models import User
from onewindow.accounts.roles import ROLE_PERMISSIONS, Perm, Role, permissions_of
from onewindow.core.models import AccessDenied
from onewindow.testing import Personas

pytestmark = pytest.mark.django_db

# What each administrator's duty consists of; a role may touch at most one of the three.
DUTIES = {
    "system": {Perm.CATALOG_EDIT, Perm.CALENDAR_EDIT, Perm.USER_MANAGE, Perm.RULES_EDIT},
    "security": {Perm.SECURITY_MANAGE},
    "audit": {Perm.AUDIT_READ},
}
CONSOLE = "/accounts/security/"
API = "/api/v1/security/accounts/"


def client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("role", list(Role))
def test_no_role_holds_two_administrators_duties(role: Role) -> None:
    perms = ROLE_PERMISSIONS.get(role, frozenset())
    held = [name for name, duty in DUTIES.items() if perms & duty]
    assert len(held) <= 1, (role, held)


def test_each_duty_has_its_own_role() -> None:
    assert DUTIES["system"] <= ROLE_PERMISSIONS[Role.ADMIN]
    assert DUTIES["security"] <= ROLE_PERMISSIONS[Role.SECURITY_ADMIN]
    assert DUTIES["audit"] <= ROLE_PERMISSIONS[Role.AUDITOR]


@pytest.mark.parametrize("name", ["security", "auditor", "clerk"])
def test_only_a_system_administrator_can_be_a_superuser(personas: Personas, name: str) -> None:
    """A superuser holds every Django admin permission: the database refuses one of any other
    role, so the security or audit administrator cannot also be the system's."""
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=personas.get(name).pk).update(is_superuser=True)


def test_a_role_change_replaces_the_old_duty(personas: Personas) -> None:
    """One account, one role: the system administrator made auditor loses user management."""
    services.user_role_assign(user=personas.admin, role=Role.AUDITOR, actor=personas.security)
    personas.admin.refresh_from_db()
    perms = permissions_of(personas.admin)
    assert Perm.AUDIT_READ in perms and Perm.USER_MANAGE not in perms
    assert not personas.admin.is_staff  # out of the Django admin


# --- the system administrator's user admin ----------------------------------------------------
@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SECURITY_ADMIN, Role.ADMIN])
def test_the_system_administrator_grants_no_administrator_role(
    personas: Personas, role: Role
) -> None:
    clerk = personas.clerk
    clerk.role, clerk.department = role, None
    with pytest.raises(ValidationError) as refused:
        services.user_admin_save(user=clerk, actor=personas.admin)
    assert "三员分立" in str(refused.value)
    clerk.refresh_from_db()
    assert clerk.role == Role.CLERK


def test_the_system_administrator_does_not_change_their_own_role(personas: Personas) -> None:
    admin = personas.admin
    admin.role = Role.SUPERVISOR
    with pytest.raises(ValidationError, match="不能更改自己的角色"):
        services.user_admin_save(user=admin, actor=admin)


def test_the_admin_site_does_not_list_or_open_the_other_two(personas: Personas) -> None:
    admin = client(personas.admin)
    listing = admin.get("/admin/accounts/user/").content.decode()
    assert "王芳" in listing and "徐丽" not in listing and "沈卫" not in listing
    for name in ("auditor", "security"):
        url = f"/admin/accounts/user/{personas.get(name).pk}/change/"
        assert admin.get(url).status_code in (302, 404)
        password = f"/admin/accounts/user/{personas.get(name).pk}/password/"
        assert admin.get(password).status_code in (302, 404)
    add_form = admin.get("/admin/accounts/user/add/").content.decode()
    assert 'value="auditor"' not in add_form and 'value="security_admin"' not in add_form


# --- the security administrator's console -----------------------------------------------------
def test_the_security_administrator_assigns_a_role_and_the_sessions_end(
    personas: Personas,
) -> None:
    reviewer = client(personas.reviewer_a)
    token = Token.objects.create(user=personas.reviewer_a)
    security = client(personas.security)
    url = f"{CONSOLE}users/{personas.reviewer_a.pk}/"
    assert "分配角色" in security.get(url).content.decode()
    response = security.post(url + "role/", {"role": "auditor"})
    assert response.status_code == 302
    personas.reviewer_a.refresh_from_db()
    assert personas.reviewer_a.role == Role.AUDITOR and personas.reviewer_a.department is None
    assert reviewer.get("/review/")["Location"].startswith("/accounts/login/")
    assert not Token.objects.filter(key=token.key).exists()


def test_a_department_role_needs_its_department_on_the_console(personas: Personas) -> None:
    security = client(personas.security)
    url = f"{CONSOLE}users/{personas.supervisor.pk}/role/"
    response = security.post(url, {"role": "clerk"})
    assert response.status_code == 400
    assert "部门" in response.content.decode()
    personas.supervisor.refresh_from_db()
    assert personas.supervisor.role == Role.SUPERVISOR


def test_the_security_administrator_cannot_change_their_own_role(personas: Personas) -> None:
    security = client(personas.security)
    url = f"{CONSOLE}users/{personas.security.pk}/"
    assert "不能更改自己的角色" in security.get(url).content.decode()
    response = security.post(url + "role/", {"role": "admin"})
    assert response.status_code == 400
    personas.security.refresh_from_db()
    assert personas.security.role == Role.SECURITY_ADMIN
    with pytest.raises(ValidationError):
        services.user_role_assign(
            user=personas.security, role=Role.AUDITOR, actor=personas.security
        )


def test_nobody_else_assigns_roles(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        services.user_role_assign(user=personas.clerk, role=Role.AUDITOR, actor=personas.admin)


@pytest.mark.parametrize("name", ["admin", "auditor", "supervisor", "clerk", "applicant"])
def test_the_console_and_its_api_are_a_logged_404_for_anyone_else(
    personas: Personas, name: str
) -> None:
    other = client(personas.get(name))
    target = personas.reviewer_a.pk
    assert other.get(CONSOLE).status_code == 404
    assert other.get(f"{CONSOLE}users/{target}/").status_code == 404
    assert other.post(f"{CONSOLE}users/{target}/role/", {"role": "auditor"}).status_code == 404
    assert other.get(API).status_code == 404
    assert other.post(f"{API}{target}/sessions/end/").status_code == 404
    assert AccessDenied.objects.filter(user=personas.get(name)).count() >= 5
    personas.reviewer_a.refresh_from_db()
    assert personas.reviewer_a.role == Role.REVIEWER


def test_the_console_lists_staff_with_their_second_factor(personas: Personas) -> None:
    html = client(personas.security).get(CONSOLE + "?q=reviewer").content.decode()
    assert "reviewer_a" in html and "reviewer_b" in html and "王芳" not in html  # the clerk
    assert "已绑定" in html
    assert (
        personas.applicant.username not in client(personas.security).get(CONSOLE).content.decode()
    )


def test_the_console_resets_a_second_factor(personas: Personas) -> None:
    security = client(personas.security)
    response = security.post(f"{CONSOLE}users/{personas.clerk.pk}/reset-second-factor/")
    assert response.status_code == 302
    page = security.get(f"{CONSOLE}users/{personas.clerk.pk}/").content.decode()
    assert "未绑定" in page


# --- the API ----------------------------------------------------------------------------------
def test_the_api_lists_and_assigns(personas: Personas) -> None:
    security = client(personas.security)
    rows = security.get(API + "?role=reviewer").json()["results"]
    assert {r["username"] for r in rows} == {"reviewer_a", "reviewer_b"}
    assert all(r["second_factor"] for r in rows)
    response = security.post(
        f"{API}{personas.supervisor.pk}/role/",
        {"role": "clerk", "department_id": personas.dept_a.pk, "window_ids": [personas.window.pk]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["role"] == "clerk"
    own = security.post(
        f"{API}{personas.security.pk}/role/", {"role": "admin"}, content_type="application/json"
    )
    assert own.status_code == 400
    bad = security.post(
        f"{API}{personas.clerk.pk}/role/", {"role": "nonsense"}, content_type="application/json"
    )
    assert bad.status_code == 400


def test_the_api_resets_a_second_factor_and_ends_sessions(personas: Personas) -> None:
    security = client(personas.security)
    reset = security.post(f"{API}{personas.clerk.pk}/second-factor/reset/")
    assert reset.status_code == 200 and reset.json()["second_factor"] is False
    clerk = client(personas.reviewer_b)
    ended = security.post(f"{API}{personas.reviewer_b.pk}/sessions/end/")
    assert ended.status_code == 200
    assert clerk.get("/api/v1/me").status_code == 401
    assert security.post(f"{API}{personas.applicant.pk}/sessions/end/").status_code == 404


def test_the_cli_creates_each_administrator(personas: Personas, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from onewindow.cli import main

    monkeypatch.setenv("ONEWINDOW_NEW_PASSWORD", "Long-enough-pass-2026")
    assert main(["create-admin", "sec2", "--role", "security_admin"]) == 0
    assert User.objects.get(username="sec2").role == Role.SECURITY_ADMIN
    assert "安全管理员" in capsys.readouterr().out
    assert main(["create-admin", "sec2", "--role", "auditor"]) == 1  # the name is taken
    monkeypatch.setenv("ONEWINDOW_NEW_PASSWORD", "short")
    assert main(["create-admin", "aud2", "--role", "auditor"]) == 1
    assert "密码" in capsys.readouterr().out
    assert not User.objects.filter(username="aud2").exists()


def test_the_security_administrator_moves_the_admin_site_flag_with_the_role(
    personas: Personas,
) -> None:
    services.user_role_assign(user=personas.supervisor, role=Role.ADMIN, actor=personas.security)
    personas.supervisor.refresh_from_db()
    assert personas.supervisor.is_staff
    services.user_role_assign(user=personas.supervisor, role=Role.AUDITOR, actor=personas.security)
    personas.supervisor.refresh_from_db()
    assert not personas.supervisor.is_staff and personas.supervisor.role == Role.AUDITOR
