"""/api/v1/auth/token, /api/v1/me and /api/v1/accounts/register."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from onewindow.accounts.models import User, identity_q, person_username
from onewindow.testing import PASSWORD, Personas, otp_code

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"
ME_URL = "/api/v1/me"
REGISTER_URL = "/api/v1/accounts/register"


def post(client: Client, url: str, data: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, data, content_type="application/json", **extra)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


# --- tokens -----------------------------------------------------------------------------------
def test_a_token_is_exchanged_for_username_and_password(personas: Personas) -> None:
    response = post(
        Client(),
        TOKEN_URL,
        {"username": "reviewer_a", "password": PASSWORD, "otp": otp_code(personas.reviewer_a)},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token"] == Token.objects.get(user=personas.reviewer_a).key
    assert body["user"]["role"] == "reviewer"
    assert body["user"]["department"]["name"] == "鄂州市市场监督管理局"


def test_applicants_get_a_token_with_their_id_number(personas: Personas) -> None:
    number = personas.applicant.id_number.lower()
    response = post(Client(), TOKEN_URL, {"username": number, "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["user"]["username"] == person_username(personas.applicant.id_number)


@pytest.mark.parametrize(
    ("username", "password"),
    [("reviewer_a", "wrong-pass-123"), ("nobody", PASSWORD), ("", PASSWORD)],
)
def test_wrong_credentials_are_a_400_in_chinese(
    personas: Personas, username: str, password: str
) -> None:
    response = post(Client(), TOKEN_URL, {"username": username, "password": password})
    assert response.status_code == 400
    body = response.json()
    assert body["message"]
    assert body["code"] in {"invalid_credentials", "invalid"}
    if username:
        assert body == {"code": "invalid_credentials", "message": "账号或密码不正确。"}
    assert not Token.objects.exists()


def test_an_inactive_user_gets_no_token(personas: Personas) -> None:
    personas.outsider.is_active = False
    personas.outsider.save(update_fields=["is_active"])
    response = post(
        Client(), TOKEN_URL, {"username": personas.outsider.username, "password": PASSWORD}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_a_stale_token_header_does_not_block_signing_in(personas: Personas) -> None:
    response = post(
        Client(),
        TOKEN_URL,
        {"username": "clerk", "password": PASSWORD, "otp": otp_code(personas.clerk)},
        headers=bearer("0" * 40),
    )
    assert response.status_code == 200


def test_deleting_the_token_signs_the_client_out(personas: Personas) -> None:
    credentials = {"username": "clerk", "password": PASSWORD, "otp": otp_code(personas.clerk)}
    token = post(Client(), TOKEN_URL, credentials).json()["token"]
    assert Client().get(ME_URL, headers=bearer(token)).status_code == 200
    assert Client().delete(TOKEN_URL, headers=bearer(token)).status_code == 204
    assert not Token.objects.exists()
    response = Client().get(ME_URL, headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_deleting_without_signing_in_is_401(personas: Personas) -> None:
    response = Client().delete(TOKEN_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


# --- me ---------------------------------------------------------------------------------------
def test_me_lists_role_permissions_department_and_windows(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.clerk)
    body = client.get(ME_URL).json()
    assert body == {
        "id": personas.clerk.pk,
        "username": "clerk",
        "full_name": "王芳",
        "role": "clerk",
        "role_label": "窗口受理人员",
        "applicant_kind": "",
        "permissions": [
            "case.handover",
            "case.intake",
            "conduct.discipline_own",
            "consult.answer",
            "guide.read",
            "hall.desk",
            "mandate.paper",
            "queue.serve",
            "rating.handle",
            "rating.pad",
            "stats.department",
        ],
        "department": {
            "id": personas.dept_a.pk,
            "code": personas.dept_a.code,
            "name": "鄂州市市场监督管理局",
        },
        "windows": [
            {"id": personas.window.pk, "number": personas.window.number, "name": "市场准入综合窗口"}
        ],
        "credit_code_pending": False,
    }


def test_me_for_an_applicant_has_no_department(personas: Personas) -> None:
    token = post(
        Client(), TOKEN_URL, {"username": personas.applicant.phone, "password": PASSWORD}
    ).json()["token"]
    body = Client().get(ME_URL, headers=bearer(token)).json()
    assert body["role"] == "applicant"
    assert body["applicant_kind"] == "person"
    assert body["permissions"] == ["case.apply", "complaint.file", "consult.ask", "guide.read"]
    assert body["department"] is None
    assert body["windows"] == []


def test_me_needs_a_signed_in_user() -> None:
    response = Client().get(ME_URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- registration -----------------------------------------------------------------------------
PERSON = {
    "kind": "person",
    "full_name": "张伟",
    "id_number": "11010519491231002x",
    "phone": "13800138000",
    "password": "Ezhou-hall-2025",
}
ENTERPRISE = {
    "kind": "enterprise",
    "full_name": "鄂州市示范科技有限公司",
    "credit_code": "91110000600037341L",
    "legal_representative": "孙强",
    "phone": "13800138001",
    "password": "Ezhou-hall-2025",
}


def test_a_person_registers_and_gets_a_token() -> None:
    response = post(Client(), REGISTER_URL, PERSON)
    assert response.status_code == 201
    body = response.json()
    user = User.objects.get(identity_q("id_number", "11010519491231002X"))
    assert body["token"] == Token.objects.get(user=user).key
    assert body["user"]["username"] == person_username("11010519491231002X")
    assert body["user"]["permissions"] == [
        "case.apply",
        "complaint.file",
        "consult.ask",
        "guide.read",
    ]


def test_a_bad_id_number_is_a_400_and_nobody_is_created() -> None:
    response = post(Client(), REGISTER_URL, PERSON | {"id_number": "110105194912310021"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "身份证号校验位不正确，请核对后重新输入。",
        "errors": {"id_number": ["身份证号校验位不正确，请核对后重新输入。"]},
    }
    assert not User.objects.exists()


def test_a_person_needs_an_id_number() -> None:
    response = post(Client(), REGISTER_URL, {k: v for k, v in PERSON.items() if k != "id_number"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"id_number": ["该字段是必填项。"]}


def test_an_id_number_registers_once() -> None:
    assert post(Client(), REGISTER_URL, PERSON).status_code == 201
    response = post(Client(), REGISTER_URL, PERSON)
    assert response.status_code == 400
    assert response.json()["errors"] == {"id_number": ["该身份证号已注册。"]}


def test_an_enterprise_registers() -> None:
    response = post(Client(), REGISTER_URL, ENTERPRISE)
    assert response.status_code == 201
    assert response.json()["user"]["applicant_kind"] == "enterprise"
    assert response.json()["user"]["credit_code_pending"] is False


def test_a_malformed_credit_code_is_refused() -> None:
    data = ENTERPRISE | {"credit_code": "9111000060003734OL", "confirm_credit_code": True}
    response = post(Client(), REGISTER_URL, data)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["credit_code"]
    assert not User.objects.exists()


def test_a_failing_check_digit_asks_for_confirmation_then_flags_the_account() -> None:
    data = ENTERPRISE | {"credit_code": "91110000600037341M"}
    response = post(Client(), REGISTER_URL, data)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "credit_code_unconfirmed"
    assert "我确认该代码与营业执照一致" in body["message"]
    assert not User.objects.exists()

    response = post(Client(), REGISTER_URL, data | {"confirm_credit_code": True})
    assert response.status_code == 201
    assert response.json()["user"]["credit_code_pending"] is True
    user = User.objects.get()
    assert user.credit_code_check_failed and not user.credit_code_confirmed


def test_an_unconfirmed_code_among_other_errors_is_listed_with_them() -> None:
    data = ENTERPRISE | {"credit_code": "91110000600037341M", "phone": "123"}
    body = post(Client(), REGISTER_URL, data).json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"credit_code", "phone"}


def test_an_enterprise_needs_code_and_representative() -> None:
    data = {k: v for k, v in ENTERPRISE.items() if k not in ("credit_code", "legal_representative")}
    response = post(Client(), REGISTER_URL, data)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"credit_code", "legal_representative"}


def test_the_endpoints_are_in_the_openapi_document() -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert set(paths[TOKEN_URL]) == {"post", "delete"}
    assert set(paths[ME_URL]) == {"get"}
    assert set(paths[REGISTER_URL]) == {"post"}
    assert paths[TOKEN_URL]["post"]["security"] == [{}]
