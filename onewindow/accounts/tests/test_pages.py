"""Registration, login, logout and password change pages, through the test client."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from onewindow.accounts import services
from onewindow.accounts.models import User, person_username
from onewindow.lib.idnumbers import make_citizen_id
from onewindow.testing import PASSWORD, Personas, otp_code

pytestmark = pytest.mark.django_db

PERSON = {
    "full_name": "张伟",
    "id_number": "11010519491231002X",
    "phone": "13800138000",
    "email": "",
    "password": "Ezhou-hall-2025",
    "password_confirm": "Ezhou-hall-2025",
}
ENTERPRISE = {
    "full_name": "鄂州市示范科技有限公司",
    "credit_code": "91110000600037341L",
    "legal_representative": "孙强",
    "phone": "13800138001",
    "email": "",
    "password": "Ezhou-hall-2025",
    "password_confirm": "Ezhou-hall-2025",
}
PERSON_URL = "/accounts/register/person/"
ENTERPRISE_URL = "/accounts/register/enterprise/"
LOGIN_URL = "/accounts/login/"


def page(response: Any) -> str:
    return str(response.content.decode())


def signed_in_user(client: Client) -> Any:
    return client.get("/api/v1/me").json().get("username")


def field_tag(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


# --- registration: persons --------------------------------------------------------------------
def test_the_register_page_offers_both_kinds() -> None:
    html = page(Client().get("/accounts/register/"))
    assert "<h1>注册账号</h1>" in html
    assert f'href="{PERSON_URL}"' in html
    assert f'href="{ENTERPRISE_URL}"' in html


def test_the_person_form_labels_every_field() -> None:
    html = page(Client().get(PERSON_URL))
    assert "<title>自然人注册 - " in html
    assert "<h1>自然人注册</h1>" in html
    for name in ("full_name", "id_number", "phone", "email", "password", "password_confirm"):
        assert f'<label for="id_{name}"' in html, name
        assert f'id="id_{name}"' in field_tag(html, name)
    assert 'aria-describedby="id_id_number_helptext"' in field_tag(html, "id_number")
    assert 'id="id_id_number_helptext"' in html


def test_a_person_registers_and_is_signed_in() -> None:
    client = Client()
    response = client.post(PERSON_URL, PERSON | {"id_number": "11010519491231002x"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get()
    assert user.username == person_username("11010519491231002X")
    assert signed_in_user(client) == user.username
    assert "注册成功，您已登录。" in page(client.get("/"))


def test_a_bad_id_number_shows_a_chinese_error_and_creates_nobody() -> None:
    response = Client().post(PERSON_URL, PERSON | {"id_number": "110105194912310021"})
    assert response.status_code == 200
    html = page(response)
    assert "身份证号校验位不正确，请核对后重新输入。" in html
    tag = field_tag(html, "id_number")
    assert 'aria-invalid="true"' in tag
    assert "id_id_number_error" in tag
    assert 'id="id_id_number_error"' in html
    assert 'role="alert"' in html
    assert '<a href="#id_id_number">' in html
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1101051949123100", "身份证号应为18位。"),
        ("11010519491231002Y", "身份证号前17位应为数字，最后一位应为数字或字母X。"),
        ("110105194902300023", "身份证号中的出生日期（第7至14位）无效。"),
    ],
)
def test_each_id_number_problem_is_named(value: str, message: str) -> None:
    html = page(Client().post(PERSON_URL, PERSON | {"id_number": value}))
    assert message in html
    assert not User.objects.exists()


def test_a_registered_id_number_is_refused() -> None:
    Client().post(PERSON_URL, PERSON)
    html = page(Client().post(PERSON_URL, PERSON | {"phone": "13800138002"}))
    assert "该身份证号已注册。" in html
    assert User.objects.count() == 1


def test_the_two_passwords_must_match() -> None:
    html = page(Client().post(PERSON_URL, PERSON | {"password_confirm": "Other-pass-2025"}))
    assert "两次输入的密码不一致。" in html
    assert not User.objects.exists()


def test_weak_passwords_are_refused_in_chinese() -> None:
    html = page(
        Client().post(PERSON_URL, PERSON | {"password": "12345", "password_confirm": "12345"})
    )
    assert "密码" in html and "This password" not in html
    assert 'aria-invalid="true"' in field_tag(html, "password")
    assert not User.objects.exists()


def test_required_fields_say_so_in_chinese() -> None:
    html = page(Client().post(PERSON_URL, {}))
    assert "字段是必填项。" in html
    assert "This field is required" not in html


def test_a_bad_phone_is_refused() -> None:
    html = page(Client().post(PERSON_URL, PERSON | {"phone": "0711-1234567"}))
    assert "请输入11位手机号码，例如 13800138000。" in html
    assert not User.objects.exists()


def test_registration_returns_to_a_safe_next_page_only() -> None:
    response = Client().post(PERSON_URL, PERSON | {"next": "/guides/?q=food"})
    assert response["Location"] == "/guides/?q=food"
    other = make_citizen_id("420700", dt.date(1985, 6, 15), 11)
    data = PERSON | {"id_number": other, "phone": "13800138002", "next": "https://evil.example/"}
    assert Client().post(PERSON_URL, data)["Location"] == "/"


def test_signed_in_users_are_sent_home_from_registration(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.applicant)
    assert client.get(PERSON_URL)["Location"] == "/"


# --- registration: enterprises and the F2 warning ---------------------------------------------
def test_an_enterprise_registers() -> None:
    client = Client()
    response = client.post(ENTERPRISE_URL, ENTERPRISE)
    assert response.status_code == 302
    user = User.objects.get()
    assert user.username == "91110000600037341L"
    assert not user.credit_code_check_failed


def test_the_confirmation_box_is_hidden_until_needed() -> None:
    html = page(Client().get(ENTERPRISE_URL))
    assert 'name="confirm_credit_code"' not in html
    for name in ("full_name", "credit_code", "legal_representative", "phone", "password"):
        assert f'<label for="id_{name}"' in html, name


def test_a_failing_check_digit_warns_and_asks_for_confirmation() -> None:
    client = Client()
    data = ENTERPRISE | {"credit_code": "91110000600037341M"}
    html = page(client.post(ENTERPRISE_URL, data))
    assert "统一社会信用代码的校验位与编码规则不符" in html
    assert '<label for="id_confirm_credit_code">我确认该代码与营业执照一致</label>' in html
    assert "checked" not in field_tag(html, "confirm_credit_code")
    box = field_tag(html, "confirm_credit_code")
    assert 'type="checkbox"' in box
    assert 'aria-describedby="id_credit_code_error"' in box
    assert not User.objects.exists()

    response = client.post(ENTERPRISE_URL, data | {"confirm_credit_code": "on"})
    assert response.status_code == 302
    user = User.objects.get()
    assert user.credit_code_check_failed
    assert not user.credit_code_confirmed
    assert "工作人员核实前部分业务可能无法办理" in page(client.get("/"))


def test_a_malformed_code_is_refused_even_when_confirmed() -> None:
    data = ENTERPRISE | {"credit_code": "9111000060003734OL", "confirm_credit_code": "on"}
    html = page(Client().post(ENTERPRISE_URL, data))
    assert "统一社会信用代码只能由数字和大写字母组成" in html
    assert not User.objects.exists()


def test_a_registered_credit_code_is_refused(personas: Personas) -> None:
    data = ENTERPRISE | {"credit_code": personas.enterprise.credit_code}
    assert "该统一社会信用代码已注册。" in page(Client().post(ENTERPRISE_URL, data))


# --- login ------------------------------------------------------------------------------------
def test_the_login_page_explains_the_login_names() -> None:
    html = page(Client().get(LOGIN_URL))
    assert "<h1>登录</h1>" in html
    assert '<label for="id_username"' in html
    assert '<label for="id_password"' in html
    assert "身份证号、统一社会信用代码或注册手机号" in html


@pytest.mark.parametrize(
    "login_name",
    [
        lambda p: p.applicant.username,
        lambda p: p.applicant.id_number.lower(),
        lambda p: p.applicant.phone,
        lambda p: p.enterprise.credit_code.lower(),
        lambda p: "reviewer_b",
    ],
    ids=["username", "id-number", "phone", "credit-code", "staff"],
)
def test_signing_in_with_each_kind_of_login_name(personas: Personas, login_name: Any) -> None:
    client = Client()
    name = login_name(personas)
    response = client.post(LOGIN_URL, {"username": name, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    if name == "reviewer_b":  # staff: the second factor comes next (docs/decisions.md §S6)
        assert client.get("/")["Location"] == "/accounts/2fa/?next=%2F"
        client.post("/accounts/2fa/", {"code": otp_code(personas.reviewer_b)})
    assert signed_in_user(client) is not None


def test_a_wrong_password_is_refused_in_chinese(personas: Personas) -> None:
    client = Client()
    response = client.post(LOGIN_URL, {"username": "clerk", "password": "wrong-pass-123"})
    assert response.status_code == 200
    assert "账号或密码不正确。请注意密码区分大小写。" in page(response)
    assert client.get("/api/v1/me").status_code == 401


def test_an_inactive_account_cannot_sign_in(personas: Personas) -> None:
    personas.outsider.is_active = False
    personas.outsider.save(update_fields=["is_active"])
    response = Client().post(
        LOGIN_URL, {"username": personas.outsider.username, "password": PASSWORD}
    )
    assert response.status_code == 200


def test_login_returns_to_a_safe_next_page(personas: Personas) -> None:
    data = {"username": "clerk", "password": PASSWORD}
    response = Client().post(LOGIN_URL, data | {"next": "/guides/"})
    assert response["Location"] == "/guides/"
    response = Client().post(LOGIN_URL, data | {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_next_page_is_kept_in_the_login_form() -> None:
    html = page(Client().get(LOGIN_URL + "?next=/guides/"))
    assert '<input type="hidden" name="next" value="/guides/">' in html


# --- logout -----------------------------------------------------------------------------------
def test_logout_needs_a_post(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.clerk)
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in_user(client) == "clerk"
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/api/v1/me").status_code == 401
    assert "您已安全退出。" in page(client.get("/"))


# --- password change --------------------------------------------------------------------------
def test_password_change_needs_a_signed_in_user() -> None:
    response = Client().get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/password/")


def test_changing_the_password_revokes_api_tokens(personas: Personas) -> None:
    services.auth_token_issue(user=personas.applicant)
    client = Client()
    client.force_login(personas.applicant)
    html = page(client.get("/accounts/password/"))
    assert "<h1>修改密码</h1>" in html
    assert '<label for="id_old_password"' in html
    new = "New-hall-pass-2026"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response["Location"] == "/accounts/password/done/"
    assert "您的密码已修改" in page(client.get(response["Location"]))
    assert not Token.objects.filter(user=personas.applicant).exists()
    assert signed_in_user(client) == personas.applicant.username  # the session stays valid
    assert Client().login(username=personas.applicant.username, password=new)


def test_a_wrong_old_password_is_refused(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.applicant)
    new = "New-hall-pass-2026"
    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong-pass-1", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert "旧密码" in page(response)
    personas.applicant.refresh_from_db()
    assert personas.applicant.check_password(PASSWORD)
