"""A walk-in applicant, recorded by a window clerk without a password, claims the record online.

Registering with the same ID number (or credit code) takes the record over and keeps its cases,
but only for a record that never had a usable password and only with the name as recorded
(and the mobile number, when the window recorded one). Anything else: the usual "already
registered" message or a clear mismatch message, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from onewindow.accounts import services
from onewindow.accounts.models import ApplicantKind, User, identity_q, person_username
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.services import WalkInApplicant
from onewindow.cases.tests.conftest import make_version, pdf
from onewindow.catalog.models import Department, Region, RegionLevel

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
CODE = "91110000600037341L"
PASSWORD = "Ezhou-hall-2025"
PERSON_URL = "/accounts/register/person/"
MISMATCH = "该身份证号已在服务中心窗口登记办件"


def walk_in_person(phone: str = "13907110021") -> User:
    return case_services.applicant_for_window(
        data=WalkInApplicant(
            kind=ApplicantKind.PERSON, full_name="王小明", id_number=ID_NUMBER, phone=phone
        )
    )


def walk_in_case(applicant: WalkInApplicant) -> Case:
    """A case a clerk registered at the window (which creates the applicant record)."""
    department = Department.objects.create(code="T-SCJG", name="测试市场监督管理局")
    region = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    version, core, _others = make_version(department, non_core=0)
    clerk = User.objects.create_user(
        username="clerk_t", password="x", role="clerk", department=department
    )
    return case_services.case_register_walk_in(
        item_version=version,
        region=region,
        clerk=clerk,
        applicant=applicant,
        form_data={},
        files={core.pk: [pdf()]},
    )


def register_page(**changes: Any) -> tuple[Client, str]:
    data = {
        "full_name": "王小明",
        "id_number": ID_NUMBER,
        "phone": "13907110021",
        "email": "wxm@example.com",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    } | changes
    client = Client()
    response = client.post(PERSON_URL, data)
    return client, response.content.decode() if response.status_code == 200 else ""


def snapshot(user: User) -> tuple[Any, ...]:
    user.refresh_from_db()
    return (user.username, user.password, user.phone, user.email, user.full_name, user.last_login)


def test_a_walk_in_applicant_claims_the_record_and_keeps_the_case() -> None:
    case = walk_in_case(
        WalkInApplicant(
            kind=ApplicantKind.PERSON, full_name="王小明", id_number=ID_NUMBER, phone="13907110021"
        )
    )
    record = case.applicant
    assert not record.has_usable_password()
    client, html = register_page()
    assert html == ""  # redirected: signed in
    assert User.objects.filter(identity_q("id_number", ID_NUMBER)).count() == 1
    record.refresh_from_db()
    assert record.has_usable_password() and record.email == "wxm@example.com"
    assert record.username == person_username(ID_NUMBER)
    assert authenticate(username=ID_NUMBER, password=PASSWORD) == record
    assert list(Case.objects.filter(applicant=record)) == [case]
    assert str(case.number) in client.get("/my/cases/").content.decode()


def test_without_a_recorded_phone_the_name_alone_must_match() -> None:
    # The window asks for a mobile number today; older records (and imports) may have none.
    record = walk_in_person()
    User.objects.filter(pk=record.pk).update(phone="")
    user = services.applicant_register_person(
        full_name=" 王小明 ", id_number=ID_NUMBER, phone="13907110088", password=PASSWORD
    )
    assert user.pk == record.pk
    assert user.phone == "13907110088"
    assert User.objects.get(pk=record.pk).check_password(PASSWORD)


@pytest.mark.parametrize(
    "changes",
    [{"full_name": "王晓明"}, {"phone": "13907110099"}],
    ids=["another name", "another phone"],
)
def test_a_mismatch_is_refused_clearly_and_changes_nothing(changes: dict[str, str]) -> None:
    record = walk_in_person()
    before = snapshot(record)
    _client, html = register_page(**changes)
    assert MISMATCH in html
    assert "该身份证号已注册" not in html
    assert snapshot(record) == before
    assert not User.objects.get(pk=record.pk).has_usable_password()
    assert User.objects.count() == 1


def test_a_registered_account_still_gets_the_usual_message() -> None:
    services.applicant_register_person(
        full_name="王小明", id_number=ID_NUMBER, phone="13907110021", password=PASSWORD
    )
    _client, html = register_page(
        password="Another-pass-2026", password_confirm="Another-pass-2026"
    )
    assert "该身份证号已注册" in html and MISMATCH not in html
    assert authenticate(username=ID_NUMBER, password=PASSWORD) is not None


@pytest.mark.parametrize("how", ["signed in once", "inactive"])
def test_a_record_that_is_no_longer_a_pristine_window_record_cannot_be_claimed(how: str) -> None:
    record = walk_in_person()
    if how == "signed in once":
        User.objects.filter(pk=record.pk).update(last_login=timezone.now())
    else:
        User.objects.filter(pk=record.pk).update(is_active=False)
    before = snapshot(record)
    _client, html = register_page()
    assert "该身份证号已注册" in html
    assert snapshot(record) == before


def test_a_record_claimed_once_cannot_be_claimed_again() -> None:
    walk_in_person()
    services.applicant_register_person(
        full_name="王小明", id_number=ID_NUMBER, phone="13907110021", password=PASSWORD
    )
    with pytest.raises(Exception, match="该身份证号已注册"):
        services.applicant_register_person(
            full_name="王小明", id_number=ID_NUMBER, phone="13907110021", password="Other-pass-2026"
        )
    assert authenticate(username=ID_NUMBER, password=PASSWORD) is not None


def test_a_weak_password_is_refused_and_the_record_stays_unclaimed() -> None:
    record = walk_in_person()
    before = snapshot(record)
    _client, html = register_page(password="123", password_confirm="123")
    assert "密码" in html
    assert snapshot(record) == before


def _enterprise_record(phone: str = "") -> User:
    record = case_services.applicant_for_window(
        data=WalkInApplicant(
            kind=ApplicantKind.ENTERPRISE,
            full_name="鄂州市示范科技有限公司",
            credit_code=CODE,
            legal_representative="孙强",
            phone=phone or "13907110077",
        )
    )
    if not phone:
        User.objects.filter(pk=record.pk).update(phone="")
        record.refresh_from_db()
    return record


def _api_register(**changes: Any) -> Any:
    body = {
        "kind": "enterprise",
        "full_name": "鄂州市示范科技有限公司",
        "credit_code": CODE,
        "legal_representative": "孙强",
        "phone": "13907110031",
        "password": PASSWORD,
    } | changes
    return APIClient().post("/api/v1/accounts/register", body, format="json")


def test_an_enterprise_claims_its_window_record_through_the_api() -> None:
    record = _enterprise_record(phone="13907110031")
    response = _api_register()
    assert response.status_code == 201, response.json()
    assert response.json()["user"]["id"] == record.pk
    assert User.objects.get(pk=record.pk).check_password(PASSWORD)


@pytest.mark.parametrize(
    "changes",
    [
        {"legal_representative": "李强"},
        {"full_name": "鄂州市另一家有限公司"},
        {"phone": "13900000000"},
    ],
    ids=["representative", "name", "phone"],
)
def test_an_enterprise_mismatch_is_a_json_error_and_changes_nothing(
    changes: dict[str, str],
) -> None:
    record = _enterprise_record(phone="13907110031")
    before = snapshot(record)
    response = _api_register(**changes)
    assert response.status_code == 400
    body = response.json()
    assert "该统一社会信用代码已在服务中心窗口登记办件" in body["message"]
    assert "credit_code" in body["errors"]
    assert snapshot(record) == before
    assert User.objects.count() == 1


def test_the_enterprise_registration_page_lets_the_record_be_claimed() -> None:
    record = _enterprise_record()
    response = Client().post(
        "/accounts/register/enterprise/",
        {
            "full_name": "鄂州市示范科技有限公司",
            "credit_code": CODE,
            "legal_representative": "孙强",
            "phone": "13907110031",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.has_usable_password() and record.phone == "13907110031"
    assert record.date_joined.date() <= dt.date.today()
