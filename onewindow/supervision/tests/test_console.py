"""The supervisor console (电子监察, docs/product.md §C10): every department's cases, read-only, for
supervisors only; anyone else gets a logged 404."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from onewindow.cases.models import CaseFlag, FlagKind
from onewindow.core.models import AccessDenied
from onewindow.review.tests.task_world import at, make_world
from onewindow.supervision.tests.console_world import accepted_case, submitted_case_of_b
from onewindow.testing import PERSONA_NAMES

pytestmark = pytest.mark.django_db

NOT_SUPERVISORS = [name for name in PERSONA_NAMES if name != "supervisor"]


@pytest.fixture
def tworld(personas):
    return make_world(personas)


@pytest.fixture
def cases(tworld):
    a = accepted_case(tworld)
    b = submitted_case_of_b(tworld)
    with time_machine.travel(at("2025-10-09"), tick=False):
        yield a, b


def test_the_supervisor_sees_every_departments_cases(client, tworld, cases):
    a, b = cases
    client.force_login(tworld.p.supervisor)
    page = client.get(reverse("supervision:console")).content.decode()
    assert a.number in page and b.number in page
    only_b = client.get(reverse("supervision:console"), {"department": tworld.p.dept_b.pk})
    assert b.number in only_b.content.decode() and a.number not in only_b.content.decode()


@pytest.mark.parametrize("name", NOT_SUPERVISORS)
def test_nobody_but_the_supervisor_reaches_the_console(client, tworld, cases, name):
    a, _b = cases
    client.force_login(tworld.p.get(name))
    before = AccessDenied.objects.count()
    for url in (
        reverse("supervision:console"),
        reverse("supervision:console_case", args=[a.pk]),
        reverse("supervision:feed"),
    ):
        assert client.get(url).status_code == 404
    assert AccessDenied.objects.count() == before + 3


def test_an_anonymous_visitor_is_sent_to_sign_in(client, cases):
    response = client.get(reverse("supervision:console"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_filters_pick_overdue_flagged_status_and_number(client, tworld, cases):
    a, b = cases
    client.force_login(tworld.p.supervisor)
    url = reverse("supervision:console")
    with time_machine.travel(at("2025-10-22"), tick=False):  # a is due 2025-10-21
        overdue = client.get(url, {"overdue": "1"}).content.decode()
    assert a.number in overdue and b.number not in overdue
    assert a.number not in client.get(url, {"overdue": "1"}).content.decode()
    CaseFlag.objects.create(case=b, kind=FlagKind.DEEMED_ACCEPTANCE, at=at("2025-10-09"))
    flagged = client.get(url, {"flagged": "1"}).content.decode()
    assert b.number in flagged and a.number not in flagged
    submitted = client.get(url, {"status": "submitted"}).content.decode()
    assert b.number in submitted and a.number not in submitted
    by_number = client.get(url, {"q": a.number[-4:]}).content.decode()
    assert a.number in by_number
    assert (
        client.get(url, {"status": "nonsense", "department": "x", "page": "z"}).status_code == 200
    )


def test_the_list_puts_the_nearest_deadline_first(client, tworld, cases):
    a, b = cases  # b: intake due within five working days of 2025-09-30; a: 2025-10-21
    client.force_login(tworld.p.supervisor)
    page = client.get(reverse("supervision:console")).content.decode()
    assert page.index(b.number) < page.index(a.number)


def test_the_case_page_shows_the_whole_case_with_staff_names(client, tworld, cases):
    a, b = cases
    client.force_login(tworld.p.supervisor)
    page = client.get(reverse("supervision:console_case", args=[a.pk])).content.decode()
    assert tworld.p.clerk.full_name in page  # who accepted it, from the event trail
    assert tworld.p.dept_b.name in page  # the co-department's review task
    for notice in a.notices.all():
        assert reverse("cases:notice_pdf", args=[a.pk, notice.pk]) in page
    assert "审批决定、延期与特别程序" in page
    awaiting = client.get(reverse("supervision:console_case", args=[b.pk])).content.decode()
    assert "尚未进入部门审查" in awaiting and tworld.p.enterprise.full_name in awaiting


def test_the_case_page_has_no_form_that_changes_the_case(client, tworld, cases):
    """Read-only: the one form posts a false-commitment record about the applicant (G1)."""
    a, _b = cases
    client.force_login(tworld.p.supervisor)
    for url in (
        reverse("supervision:console"),
        reverse("supervision:console_case", args=[a.pk]),
        reverse("supervision:feed"),
        reverse("supervision:risks"),
    ):
        page = client.get(url).content.decode()
        posting = re.findall(r"<form[^>]*method=\"post\"[^>]*>", page, flags=re.IGNORECASE)
        actions = [re.search(r'action="([^"]*)"', form) for form in posting]
        targets = {m.group(1) if m else "" for m in actions}
        allowed = {
            reverse("set_language"),
            reverse("accounts:logout"),
            reverse("supervision:console_false_commitment", args=[a.pk]),
        }
        assert targets <= allowed, url


def test_a_material_file_downloads_for_the_supervisor_only(client, tworld, cases):
    a, b = cases
    attached = a.materials.first().files.first()
    url = reverse("supervision:console_case_file", args=[a.pk, attached.pk])
    client.force_login(tworld.p.supervisor)
    response = client.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    wrong_case = reverse("supervision:console_case_file", args=[b.pk, attached.pk])
    assert client.get(wrong_case).status_code == 404
    client.force_login(tworld.p.reviewer_b)
    assert client.get(url).status_code == 404


def test_the_hall_shows_the_console_column_to_supervisors_only(client, tworld, cases):
    client.force_login(tworld.p.supervisor)
    assert reverse("supervision:console") in client.get("/").content.decode()
    client.force_login(tworld.p.approver_a)
    assert reverse("supervision:console") not in client.get("/").content.decode()


# --- G1: false commitments, recorded on the console (docs/decisions.md §S9) -------------------
def test_the_supervisor_records_a_false_commitment_page_and_api(client, tworld, cases):
    from onewindow.cases.models import FalseCommitmentRecord

    a, b = cases
    client.force_login(tworld.p.supervisor)
    url = reverse("supervision:console_false_commitment", args=[a.pk])
    blank = client.post(url, {"note": "  "})
    assert blank.status_code == 302 and not FalseCommitmentRecord.objects.exists()
    assert "请说明虚假承诺的情况" in client.get(blank["Location"]).content.decode()
    client.post(url, {"note": "承诺的经营场所不存在"})
    record = FalseCommitmentRecord.objects.get()
    assert (record.applicant, record.case, record.recorded_by) == (
        a.applicant,
        a,
        tworld.p.supervisor,
    )
    page = client.get(reverse("supervision:console_case", args=[a.pk])).content.decode()
    assert "承诺的经营场所不存在" in page
    api = f"/api/v1/supervision/cases/{b.pk}/false-commitment/"
    bad = client.post(api, {"note": ""}, content_type="application/json")
    assert bad.status_code == 400
    made = client.post(api, {"note": "虚构资质"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["case_id"] == b.pk


@pytest.mark.parametrize("name", ["approver_a", "admin", "auditor", "applicant"])
def test_nobody_else_records_one_on_the_console(client, tworld, cases, name):
    from onewindow.cases.models import FalseCommitmentRecord

    a, _b = cases
    client.force_login(tworld.p.get(name))
    url = reverse("supervision:console_false_commitment", args=[a.pk])
    assert client.post(url, {"note": "x"}).status_code == 404
    api = f"/api/v1/supervision/cases/{a.pk}/false-commitment/"
    assert client.post(api, {"note": "x"}, content_type="application/json").status_code == 404
    assert not FalseCommitmentRecord.objects.exists()
