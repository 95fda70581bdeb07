"""docs/rules/identity.md §F3: full identity numbers only for the roles that need them, masked for
every other reader, in pages and API alike. One row per role and place; the applicant is 张伟 of the
personas, his certificate issued by dept_a (市场监管局)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from onewindow.accounts.roles import Role
from onewindow.certificates.tests.conftest import staff
from onewindow.lib.idnumbers import mask_id_number
from onewindow.testing import Personas

pytestmark = pytest.mark.django_db

FULL, MASKED, NO_ACCESS = "full", "masked", "no access"

# persona → what it reads on the certificate API / page and the intake case page.
EXPECTED = {
    "applicant": (FULL, NO_ACCESS),
    "clerk": (FULL, FULL),
    "handler_a": (FULL, None),
    "reviewer_a": (FULL, None),
    "approver_a": (FULL, None),
    "chief_a": (FULL, None),
    "supervisor": (MASKED, NO_ACCESS),
    "reviewer_b": (NO_ACCESS, NO_ACCESS),
    "outsider": (NO_ACCESS, NO_ACCESS),
}


def _reader(personas: Personas, name: str) -> Client:
    client = Client()
    client.force_login(personas.get(name))
    return client


def _seen(text: str, number: str) -> str:
    if number in text:
        return FULL
    if mask_id_number(number) in text:
        return MASKED
    return "absent"


def test_the_mask_keeps_four_characters_at_each_end() -> None:
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_id_number("91420700MA4K000010") == "9142**********0010"


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_certificate_api_and_page_show_the_number_by_role(
    personas: Personas, certificate: Any, name: str
) -> None:
    expected = EXPECTED[name][0]
    number = personas.applicant.id_number
    client = _reader(personas, name)
    api = client.get(f"/api/v1/cases/{certificate.case_id}/certificate/")
    page = client.get(f"/cases/{certificate.case_id}/certificate/")
    if expected == NO_ACCESS:
        assert (api.status_code, page.status_code) == (404, 404)
        return
    assert api.status_code == 200
    holder = api.json()["certificate"]["holder_id_number"]
    assert holder == (number if expected == FULL else mask_id_number(number))
    assert _seen(page.content.decode(), number) == expected


@pytest.mark.parametrize("name", [n for n, (_, intake) in EXPECTED.items() if intake])
def test_the_intake_case_page_shows_the_number_by_role(
    personas: Personas, certificate: Any, name: str
) -> None:
    expected = EXPECTED[name][1]
    response = _reader(personas, name).get(f"/intake/{certificate.case_id}/")
    if expected == NO_ACCESS:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert _seen(response.content.decode(), personas.applicant.id_number) == expected


def test_a_co_department_reviewer_with_a_task_reads_it_in_full(personas: Personas) -> None:
    """Parallel review: dept_b reviews the case alongside the lead; a fourth department not."""
    from onewindow.cases.identity import identity_visible
    from onewindow.catalog.models import Department
    from onewindow.review.tests.task_world import accepted_case, make_world

    case = accepted_case(make_world(personas))
    assert case.tasks.filter(department=personas.dept_b).exists()
    assert identity_visible(personas.reviewer_b, case)
    elsewhere = Department.objects.create(code="JYJ", name="鄂州市教育局")
    assert not identity_visible(staff("reviewer_j", Role.REVIEWER, elsewhere), case)
    assert not identity_visible(personas.supervisor, case)


def test_the_public_verification_masks_it(personas: Personas, certificate: Any) -> None:
    caches["ratelimit"].clear()
    number = personas.applicant.id_number
    api = Client().get(f"/api/v1/certificates/verify/{certificate.token}/")
    assert api.json()["holder_id"] == mask_id_number(number)
    page = Client().get(f"/verify/{certificate.token}/")
    assert _seen(page.content.decode(), number) == MASKED


def test_another_departments_approver_has_no_access(personas: Personas, certificate: Any) -> None:
    other = staff("approver_b", Role.APPROVER, personas.dept_b)
    client = Client()
    client.force_login(other)
    assert client.get(f"/api/v1/cases/{certificate.case_id}/certificate/").status_code == 404


@pytest.mark.parametrize(("name", "expected"), [("applicant", FULL), ("supervisor", MASKED)])
def test_the_certificate_pdf_export_shows_the_number_by_role(
    personas: Personas, certificate: Any, name: str, expected: str
) -> None:
    import io

    from pypdf import PdfReader

    client = _reader(personas, name)
    for url in [
        f"/api/v1/cases/{certificate.case_id}/certificate/pdf",
        f"/cases/{certificate.case_id}/certificate.pdf",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
        assert _seen(text, personas.applicant.id_number) == expected, url
