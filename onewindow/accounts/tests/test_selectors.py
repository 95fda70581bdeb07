"""Fetch-and-check helpers other apps reuse, and finding an account by its login name."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from django.test import RequestFactory

from onewindow.accounts import services
from onewindow.accounts.roles import Perm
from onewindow.accounts.selectors import (
    require_department_perm,
    require_perm,
    staff_in_department,
    target_label,
    user_find_for_login,
    users_pending_credit_code,
)
from onewindow.core.models import AccessDenied
from onewindow.testing import PASSWORD, Personas

pytestmark = pytest.mark.django_db


def request_as(user: Any, path: str = "/cases/7/") -> HttpRequest:
    request = RequestFactory().get(path, REMOTE_ADDR="10.0.0.9")
    request.user = user
    return request


def test_require_perm_returns_the_user_when_the_role_allows(personas: Personas) -> None:
    assert require_perm(request_as(personas.clerk), Perm.CASE_INTAKE) == personas.clerk
    assert not AccessDenied.objects.exists()


def test_require_perm_logs_and_raises_404_otherwise(personas: Personas) -> None:
    with pytest.raises(Http404):
        require_perm(request_as(personas.applicant), Perm.CASE_INTAKE, target=personas.dept_a)
    row = AccessDenied.objects.get()
    assert row.user == personas.applicant
    assert row.target == f"catalog.department:{personas.dept_a.pk}"
    assert row.reason == "missing permission case.intake"
    assert row.path == "/cases/7/"
    assert row.ip == "10.0.0.9"


def test_anonymous_visitors_are_refused_and_logged_without_a_user() -> None:
    with pytest.raises(Http404):
        require_perm(request_as(AnonymousUser()), Perm.GUIDE_READ)
    row = AccessDenied.objects.get()
    assert row.user is None
    assert row.target == "guide.read"


def test_require_department_perm_refuses_another_departments_reviewer(
    personas: Personas,
) -> None:
    request = request_as(personas.reviewer_b)
    with pytest.raises(Http404):
        require_department_perm(
            request,
            Perm.TASK_REVIEW,
            department_id=personas.dept_a.pk,
            target="case:7",
        )
    assert AccessDenied.objects.get().reason == f"not in department {personas.dept_a.pk}"
    ok = require_department_perm(
        request_as(personas.reviewer_a),
        Perm.TASK_REVIEW,
        department_id=personas.dept_a.pk,
    )
    assert ok == personas.reviewer_a


def test_staff_in_department(personas: Personas) -> None:
    a = personas.dept_a.pk
    assert staff_in_department(personas.clerk, a)
    assert staff_in_department(personas.chief_a, a)
    assert not staff_in_department(personas.reviewer_b, a)
    assert staff_in_department(personas.reviewer_b, personas.dept_b.pk)
    assert not staff_in_department(personas.supervisor, a)  # reads all, belongs to none
    assert not staff_in_department(personas.applicant, a)
    assert not staff_in_department(AnonymousUser(), a)
    assert not staff_in_department(personas.clerk, None)
    personas.clerk.is_active = False
    assert not staff_in_department(personas.clerk, a)


def test_target_label() -> None:
    assert target_label(None) == ""
    assert target_label("case:1") == "case:1"


# --- login names ------------------------------------------------------------------------------
def test_login_names_find_the_account(personas: Personas) -> None:
    applicant, enterprise = personas.applicant, personas.enterprise
    assert user_find_for_login("clerk") == personas.clerk
    assert user_find_for_login(applicant.id_number) == applicant
    assert user_find_for_login(f" {applicant.id_number.lower()} ") == applicant
    assert user_find_for_login(enterprise.credit_code.lower()) == enterprise
    assert user_find_for_login(applicant.phone) == applicant
    assert user_find_for_login("139 0711 0002") == enterprise
    assert user_find_for_login("") is None
    assert user_find_for_login("nobody") is None


def test_a_shared_phone_is_no_login_name(personas: Personas) -> None:
    services.applicant_register_enterprise(
        full_name="张伟的公司",
        credit_code="91110000600037341L",
        legal_representative="张伟",
        phone=personas.applicant.phone,
        password=PASSWORD,
    )
    assert user_find_for_login(personas.applicant.phone) is None


def test_staff_identity_numbers_are_no_login_names(personas: Personas) -> None:
    clerk = personas.clerk
    clerk.id_number = "11010519491231002X"
    clerk.phone = "13600000000"
    services.user_admin_save(user=clerk, actor=personas.admin)
    assert user_find_for_login("11010519491231002X") is None
    assert user_find_for_login("13600000000") is None


def test_pending_credit_codes_are_listed(personas: Personas) -> None:
    flagged = services.applicant_register_enterprise(
        full_name="校验位异常公司",
        credit_code="91110000600037341M",
        confirm_credit_code=True,
        legal_representative="李四",
        phone="13800138000",
        password=PASSWORD,
    )
    assert list(users_pending_credit_code()) == [flagged]
    services.credit_code_confirm(user=flagged, confirmed_by=personas.admin)
    assert not users_pending_credit_code().exists()


def test_require_perm_works_with_a_token_authenticated_api_request(personas: Personas) -> None:
    """In a DRF view the user comes from the token; the refusal is still logged against them."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory, force_authenticate

    raw = APIRequestFactory().get("/api/v1/cases/7")
    force_authenticate(raw, user=personas.reviewer_b)
    request = Request(raw, authenticators=[])
    request.user = personas.reviewer_b
    with pytest.raises(Http404):
        require_department_perm(request, Perm.TASK_REVIEW, department_id=personas.dept_a.pk)
    row = AccessDenied.objects.get()
    assert row.user == personas.reviewer_b
    assert row.path == "/api/v1/cases/7"
