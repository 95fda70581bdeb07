"""The center administrator manages users in the Django admin."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from onewindow.accounts import services
from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.testing import PASSWORD, Personas, login_with_code

pytestmark = pytest.mark.django_db

USERS = "/admin/accounts/user/"


@pytest.fixture
def admin(personas: Personas) -> Client:
    client = Client()
    assert login_with_code(client, "admin")
    return client


def page(response: Any) -> str:
    return str(response.content.decode())


def form_data(response: Any) -> dict[str, Any]:
    """The admin form's current values, as a browser would submit them unchanged."""
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.disabled or value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "on" if value is True else str(value)
    return data


def add(admin: Client, **fields: Any) -> Any:
    data = {
        "username": "new_staff",
        "usable_password": "true",
        "password1": "Hall-staff-2025",
        "password2": "Hall-staff-2025",
        "full_name": "新同事",
        "role": Role.REVIEWER,
    } | fields
    return admin.post(USERS + "add/", data)


def test_the_admin_role_manages_users_in_chinese(admin: Client) -> None:
    html = page(admin.get(USERS))
    assert "王芳" in html  # the clerk's full name in the list
    assert "窗口受理人员" in html
    assert "?role__exact=clerk" in html  # the role filter
    assert "?department__id__exact=" in html  # the department filter
    assert page(admin.get(USERS + "?role__exact=reviewer")).count("审核人") >= 2


def test_users_are_filtered_by_department(admin: Client, personas: Personas) -> None:
    html = page(admin.get(USERS + f"?department__id__exact={personas.dept_b.pk}"))
    assert "杨磊" in html
    assert "陈静" not in html


def test_the_admin_role_also_manages_catalog_and_calendar(
    admin: Client, personas: Personas
) -> None:
    assert admin.get("/admin/calendars/holidayyear/").status_code == 200
    assert admin.get("/admin/calendars/holidayyear/load/").status_code == 200
    user = User.objects.get(pk=personas.admin.pk)
    assert user.has_perm("catalog.change_department")
    assert user.has_perm("accounts.add_user")
    assert not user.has_perm("authtoken.view_token")  # API keys stay out of sight
    assert not user.has_perm("core.delete_accessdenied")


@pytest.mark.parametrize("name", ["supervisor", "auditor", "chief_a"])
def test_other_roles_hold_no_django_model_permission(personas: Personas, name: str) -> None:
    user = User.objects.get(pk=personas.get(name).pk)
    assert user.get_all_permissions() == set()


@pytest.mark.parametrize("name", ["clerk", "chief_a", "supervisor", "auditor", "applicant"])
def test_other_roles_have_no_admin_site(personas: Personas, name: str) -> None:
    client = Client()
    client.force_login(personas.get(name))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_department_role_without_department_is_a_form_error(admin: Client) -> None:
    response = add(admin, role=Role.CLERK)
    assert response.status_code == 200
    assert "“窗口受理人员”必须指定所属部门。" in page(response)
    assert not User.objects.filter(username="new_staff").exists()


def test_staff_are_created_with_role_department_and_windows(
    admin: Client, personas: Personas
) -> None:
    response = add(
        admin,
        role=Role.CLERK,
        department=personas.dept_a.pk,
        windows=[personas.window.pk],
    )
    assert response.status_code == 302
    user = User.objects.get(username="new_staff")
    assert user.role == Role.CLERK
    assert user.department == personas.dept_a
    assert list(user.windows.all()) == [personas.window]
    assert not user.is_staff
    assert user.check_password("Hall-staff-2025")


def test_the_admin_site_creates_no_administrator(admin: Client) -> None:
    """docs/decisions.md §S9: administrator roles come from the security administrator only."""
    response = add(admin, role=Role.ADMIN)
    assert "只能由安全管理员分配" in page(response)
    assert not User.objects.filter(username="new_staff").exists()


def test_windows_for_an_applicant_are_refused(admin: Client, personas: Personas) -> None:
    response = add(admin, role=Role.AGENT, windows=[personas.window.pk])
    assert "只有工作人员可以分配窗口。" in page(response)


def test_short_passwords_are_refused_in_chinese(admin: Client) -> None:
    response = add(admin, password1="Ab-1", password2="Ab-1")
    assert "密码太短，至少需要 8 个字符。" in page(response)


def test_changing_a_role_to_administrator_is_refused_here(
    admin: Client, personas: Personas
) -> None:
    url = f"{USERS}{personas.supervisor.pk}/change/"
    data = form_data(admin.get(url)) | {"role": Role.ADMIN}
    assert "只能由安全管理员分配" in page(admin.post(url, data))
    personas.supervisor.refresh_from_db()
    assert personas.supervisor.role == Role.SUPERVISOR
    assert not personas.supervisor.is_staff


def test_is_staff_and_is_superuser_are_not_editable_by_the_admin_role(
    admin: Client, personas: Personas
) -> None:
    url = f"{USERS}{personas.supervisor.pk}/change/"
    response = admin.get(url)
    fields = response.context["adminform"].form.fields
    assert "is_staff" not in fields
    assert "is_superuser" not in fields
    data = form_data(response) | {"is_staff": "on", "is_superuser": "on"}
    assert admin.post(url, data).status_code == 302
    personas.supervisor.refresh_from_db()
    assert not personas.supervisor.is_staff
    assert not personas.supervisor.is_superuser


def test_superusers_are_out_of_the_admin_roles_reach(admin: Client) -> None:
    root = User.objects.create_superuser("root", "root@example.cn", PASSWORD)
    assert "root" not in page(admin.get(USERS))
    assert admin.get(f"{USERS}{root.pk}/change/").status_code == 302
    assert admin.get(f"{USERS}{root.pk}/password/").status_code == 404
    assert admin.post(f"{USERS}{root.pk}/delete/", {"post": "yes"}).status_code == 302
    assert User.objects.filter(pk=root.pk).exists()


def test_a_superuser_may_make_a_superuser(personas: Personas) -> None:
    User.objects.create_superuser("root", "root@example.cn", PASSWORD)
    client = Client()
    login_with_code(client, "root")
    url = f"{USERS}{personas.admin.pk}/change/"  # a system administrator (docs/decisions.md §S9)
    data = form_data(client.get(url)) | {"is_superuser": "on"}
    assert client.post(url, data).status_code == 302
    personas.admin.refresh_from_db()
    assert personas.admin.is_superuser and personas.admin.is_staff


def test_a_bad_id_number_is_refused_in_the_admin(admin: Client, personas: Personas) -> None:
    url = f"{USERS}{personas.outsider.pk}/change/"
    data = form_data(admin.get(url)) | {"id_number": "110105194912310021"}
    response = admin.post(url, data)
    assert "身份证号校验位不正确，请核对后重新输入。" in page(response)
    personas.outsider.refresh_from_db()
    assert personas.outsider.id_number != "110105194912310021"


def test_the_admin_action_confirms_flagged_credit_codes(admin: Client, personas: Personas) -> None:
    flagged = services.applicant_register_enterprise(
        full_name="校验位异常公司",
        credit_code="91110000600037341M",
        confirm_credit_code=True,
        legal_representative="李四",
        phone="13800138000",
        password=PASSWORD,
    )
    listing = page(admin.get(USERS + "?credit_code_status=pending"))
    assert "校验位异常公司" in listing
    assert "待人工确认" in listing
    assert "鄂州市示范科技有限公司" not in listing
    response = admin.post(
        USERS,
        {
            "action": "confirm_credit_codes",
            "_selected_action": [flagged.pk, personas.enterprise.pk],
        },
        follow=True,
    )
    html = page(response)
    assert "已确认 1 个账号的统一社会信用代码。" in html
    assert "1 个账号无需确认，已跳过。" in html
    flagged.refresh_from_db()
    assert flagged.credit_code_confirmed
    assert flagged.credit_code_confirmed_by == personas.admin


def test_the_admin_index_names_every_app_and_model_in_chinese(admin: Client) -> None:
    """docs/decisions.md §U5: under zh-hans every app heading and model of the admin index is
    Chinese (django-axes through our zh_Hans catalogue of third-party strings)."""
    html = page(admin.get("/admin/"))
    headings = re.findall(r'<caption>\s*<a[^>]*class="section"[^>]*>(.*?)</a>', html, re.S)
    models = re.findall(r'<th scope="row"[^>]*>\s*<a[^>]*>(.*?)</a>', html, re.S)
    assert headings and models, html[:500]
    not_chinese = [h for h in headings + models if not re.search(r"[\u4e00-\u9fff]", h)]
    assert not_chinese == []
