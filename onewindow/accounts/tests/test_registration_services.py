"""Applicants register through services that check everything before writing anything."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from onewindow.accounts import services
from onewindow.accounts.models import ApplicantKind, User, person_username
from onewindow.accounts.roles import Role
from onewindow.lib.idnumbers import make_citizen_id, make_credit_code

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
CODE = "91110000600037341L"
BAD_CHECK_CODE = "91110000600037341M"
PASSWORD = "Ezhou-hall-2025"


def person(**changes: Any) -> User:
    data: dict[str, Any] = {
        "full_name": "张伟",
        "id_number": ID_NUMBER,
        "phone": "13800138000",
        "password": PASSWORD,
    } | changes
    return services.applicant_register_person(**data)


def enterprise(**changes: Any) -> User:
    data: dict[str, Any] = {
        "full_name": "鄂州市示范科技有限公司",
        "credit_code": CODE,
        "legal_representative": "孙强",
        "phone": "13800138001",
        "password": PASSWORD,
    } | changes
    return services.applicant_register_enterprise(**data)


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- persons ----------------------------------------------------------------------------------
def test_a_person_registers_with_the_id_number_as_login_name() -> None:
    user = person(id_number="11010519491231002x", email=" zhang@example.cn ")
    assert user.username == person_username(ID_NUMBER)
    assert user.id_number == ID_NUMBER
    assert user.role == Role.APPLICANT
    assert user.applicant_kind == ApplicantKind.PERSON
    assert user.email == "zhang@example.cn"
    assert not user.is_staff
    assert user.check_password(PASSWORD)


def test_the_production_hasher_is_argon2(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    assert person().password.startswith("argon2")


def test_a_bad_id_number_is_refused_and_nobody_is_created() -> None:
    with pytest.raises(ValidationError) as exc:
        person(id_number="110105194912310021")
    assert errors_of(exc) == {"id_number": ["身份证号校验位不正确，请核对后重新输入。"]}
    assert not User.objects.exists()


def test_an_id_number_with_an_impossible_birth_date_says_so() -> None:
    first17 = "11010519490230002"
    with pytest.raises(ValidationError) as exc:
        person(id_number=first17 + "0")
    assert errors_of(exc)["id_number"] == ["身份证号中的出生日期（第7至14位）无效。"]


def test_a_future_birth_date_is_refused(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 26, 10, 0))
    with pytest.raises(ValidationError) as exc:
        person(id_number=make_citizen_id("420700", dt.date(2026, 11, 27), 1))
    assert errors_of(exc)["id_number"] == ["身份证号中的出生日期（第7至14位）无效。"]


def test_an_id_number_registers_once() -> None:
    person()
    with pytest.raises(ValidationError) as exc:
        person(id_number=ID_NUMBER.lower(), phone="13800138009")
    assert errors_of(exc) == {"id_number": ["该身份证号已注册。"]}
    assert User.objects.count() == 1


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as exc:
        person(full_name="  ", id_number="123", phone="0711-1234567", email="nope", password="1")
    errors = errors_of(exc)
    assert set(errors) == {"full_name", "id_number", "phone", "email", "password"}
    assert errors["phone"] == ["请输入11位手机号码，例如 13800138000。"]
    assert errors["id_number"] == ["身份证号应为18位。"]
    assert not User.objects.exists()


def test_password_rules_speak_chinese() -> None:
    with pytest.raises(ValidationError) as exc:
        person(password="12345678")
    messages = " ".join(errors_of(exc)["password"])
    assert "密码" in messages
    assert "password" not in messages.lower()


@pytest.mark.parametrize("phone", ["138 0013 8000", "+86 13800138000", "138-0013-8000"])
def test_phone_numbers_are_normalised(phone: str) -> None:
    assert person(phone=phone).phone == "13800138000"


@pytest.mark.parametrize("phone", ["12800138000", "1380013800", "138001380001", "abc"])
def test_phone_numbers_that_are_not_mainland_mobiles_are_refused(phone: str) -> None:
    with pytest.raises(ValidationError) as exc:
        person(phone=phone)
    assert list(errors_of(exc)) == ["phone"]


def test_a_concurrent_duplicate_is_reported_as_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two registrations of one number at once: the database constraint decides, cleanly."""
    person()
    monkeypatch.setattr(services, "citizen_id_available", lambda number: None)
    with pytest.raises(ValidationError) as exc:
        person(phone="13800138009")
    assert errors_of(exc) == {"id_number": ["该身份证号已注册。"]}
    assert User.objects.count() == 1


# --- enterprises ------------------------------------------------------------------------------
def test_an_enterprise_registers_with_the_credit_code_as_login_name() -> None:
    user = enterprise(credit_code=CODE.lower())
    assert user.username == CODE
    assert user.credit_code == CODE
    assert user.applicant_kind == ApplicantKind.ENTERPRISE
    assert user.legal_representative == "孙强"
    assert not user.credit_code_check_failed
    assert not user.credit_code_pending


def test_a_malformed_credit_code_is_refused_even_when_confirmed() -> None:
    with pytest.raises(ValidationError) as exc:
        enterprise(credit_code="9111000060003734IL", confirm_credit_code=True)
    assert errors_of(exc) == {
        "credit_code": ["统一社会信用代码只能由数字和大写字母组成，且不使用字母I、O、Z、S、V。"]
    }
    assert not User.objects.exists()


def test_a_failing_check_digit_needs_the_applicants_confirmation() -> None:
    with pytest.raises(ValidationError) as exc:
        enterprise(credit_code=BAD_CHECK_CODE)
    [error] = exc.value.error_dict["credit_code"]
    assert error.code == "credit_code_unconfirmed"
    assert "我确认该代码与营业执照一致" in error.messages[0]
    assert not User.objects.exists()


def test_a_confirmed_failing_code_creates_a_flagged_account() -> None:
    user = enterprise(credit_code=BAD_CHECK_CODE, confirm_credit_code=True)
    assert user.credit_code == BAD_CHECK_CODE
    assert user.credit_code_check_failed
    assert not user.credit_code_confirmed
    assert user.credit_code_pending


def test_confirming_a_valid_code_does_not_flag_it() -> None:
    assert not enterprise(confirm_credit_code=True).credit_code_check_failed


def test_a_credit_code_registers_once() -> None:
    enterprise()
    with pytest.raises(ValidationError) as exc:
        enterprise(phone="13800138009")
    assert errors_of(exc) == {"credit_code": ["该统一社会信用代码已注册。"]}


def test_an_enterprise_needs_its_legal_representative() -> None:
    with pytest.raises(ValidationError) as exc:
        enterprise(legal_representative=" ")
    assert errors_of(exc) == {"legal_representative": ["请填写法定代表人姓名。"]}


def test_a_person_and_their_company_may_share_a_phone() -> None:
    person(phone="13800138000")
    assert enterprise(phone="13800138000", credit_code=make_credit_code("91420700MA4K00002"))


def test_the_database_refuses_a_second_account_with_one_id_number() -> None:
    person()
    with pytest.raises(IntegrityError):
        User.objects.create(username="other", id_number=ID_NUMBER)
