"""The shared personas fixture (onewindow.testing) every app's tests build on."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from onewindow.accounts.models import ApplicantKind
from onewindow.accounts.roles import Role
from onewindow.lib.idnumbers import check_citizen_id, check_credit_code
from onewindow.testing import PASSWORD, PERSONA_NAMES, Personas, make_personas


def test_every_persona_has_its_role(personas: Personas) -> None:
    roles = {name: user.role for name, user in personas.users().items()}
    assert roles == {
        "applicant": Role.APPLICANT,
        "enterprise": Role.APPLICANT,
        "agent": Role.AGENT,
        "clerk": Role.CLERK,
        "handler_a": Role.HANDLER,
        "reviewer_a": Role.REVIEWER,
        "reviewer_b": Role.REVIEWER,
        "approver_a": Role.APPROVER,
        "chief_a": Role.CHIEF,
        "head_a": Role.HEAD,
        "gov_head": Role.GOV_HEAD,
        "supervisor": Role.SUPERVISOR,
        "admin": Role.ADMIN,
        "auditor": Role.AUDITOR,
        "security": Role.SECURITY_ADMIN,
        "outsider": Role.APPLICANT,
    }
    assert set(roles) == set(PERSONA_NAMES)


def test_department_staff_sit_in_the_two_departments(personas: Personas) -> None:
    assert personas.dept_a.name == "鄂州市市场监督管理局"
    assert personas.dept_b.name == "鄂州市住房和城乡建设局"
    for name in ("clerk", "handler_a", "reviewer_a", "approver_a", "chief_a", "head_a"):
        assert personas.get(name).department == personas.dept_a
    assert personas.reviewer_b.department == personas.dept_b
    assert list(personas.clerk.windows.all()) == [personas.window]
    assert list(personas.window.departments.all()) == [personas.dept_a]
    for name in (
        "applicant",
        "agent",
        "gov_head",
        "supervisor",
        "admin",
        "auditor",
        "security",
        "outsider",
    ):
        assert personas.get(name).department is None


def test_applicants_carry_valid_identity_numbers(personas: Personas) -> None:
    assert personas.applicant.applicant_kind == ApplicantKind.PERSON
    assert check_citizen_id(personas.applicant.id_number).ok
    assert check_citizen_id(personas.outsider.id_number).ok
    assert personas.enterprise.applicant_kind == ApplicantKind.ENTERPRISE
    assert check_credit_code(personas.enterprise.credit_code).ok
    assert not personas.enterprise.credit_code_pending


def test_only_the_admin_persona_reaches_the_admin_site(personas: Personas) -> None:
    assert [n for n, u in personas.users().items() if u.is_staff] == ["admin"]


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_every_persona_signs_in_with_the_known_password(personas: Personas, name: str) -> None:
    user = personas.get(name)
    assert authenticate(username=user.username, password=PASSWORD) == user
    assert authenticate(username=user.username, password="wrong-pass-123") is None


def test_an_unknown_persona_name_is_an_error(personas: Personas) -> None:
    with pytest.raises(KeyError):
        personas.get("dept_a")


@pytest.mark.django_db
def test_departments_are_reused_when_they_already_exist() -> None:
    from onewindow.catalog.models import Department

    existing = Department.objects.create(code="SCJG", name="鄂州市市场监督管理局")
    assert make_personas().dept_a == existing
