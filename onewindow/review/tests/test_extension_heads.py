"""Who approves an extension (ALL Art. 42, docs/rules/licensing.md §B2): the head of the agency
(机关负责人 of the lead department) for +10 working days; for joint handling the government head (本级人民
政府负责人) for +15. An ordinary approver or chief representative gets the logged 404 on the page
and the API, and the service refuses them too; nothing changes.

Dates by hand (A2/A3: Oct 1–8 holiday, Sat Oct 11 works; no November holiday): accepted
2025-09-30, 20 working days → 2025-11-04; +10 (30) → 2025-11-18; +15 (35) → 2025-11-25.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.cases import notices
from onewindow.cases.models import NoticeKind
from onewindow.core.models import AccessDenied
from onewindow.notifications import texts
from onewindow.review.models import ExtensionStatus
from onewindow.review.services.decisions import NotAllowed, extension_decide, extension_request
from onewindow.review.tests.decision_world import at, case_in_review, make_item, make_world


@pytest.fixture
def dworld(personas):
    return make_world(personas)


@pytest.fixture
def frozen():
    with time_machine.travel(at("2025-10-28"), tick=False):
        yield


def _joint_case(w):
    version = make_item(w.p, code="REV-D-JOINT", joint_handling=True)
    return case_in_review(w, version=version)


def _requested(case, actor, days):
    with time_machine.travel(at("2025-10-27"), tick=False):
        return extension_request(case=case, actor=actor, days=days, reasons="需现场核查经营场所")


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _still_requested(case, extension, due: dt.date = dt.date(2025, 11, 4)) -> None:
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.REQUESTED and extension.decided_by is None
    case.refresh_from_db()
    assert case.decision_due == due


def test_the_agency_head_approves_ten_more_working_days(dworld, frozen):
    case = case_in_review(dworld)
    extension = _requested(case, dworld.p.handler_a, 10)
    extension_decide(extension=extension, actor=dworld.p.head_a, approve=True, note="同意")
    case.refresh_from_db()
    assert case.decision_due == dt.date(2025, 11, 18)
    assert case.statutory_due == dt.date(2025, 11, 18)
    extension.refresh_from_db()
    assert extension.decided_by == dworld.p.head_a


@pytest.mark.parametrize("name", ["approver_a", "chief_a", "gov_head"])
def test_no_one_but_the_agency_head_approves_an_ordinary_extension(dworld, frozen, name):
    case = case_in_review(dworld)
    extension = _requested(case, dworld.p.handler_a, 10)
    with pytest.raises(NotAllowed, match="机关负责人"):
        extension_decide(extension=extension, actor=dworld.p.get(name), approve=True)
    _still_requested(case, extension)


def test_the_government_head_approves_fifteen_more_days_of_joint_handling(dworld, frozen):
    case = _joint_case(dworld)
    extension = _requested(case, dworld.p.handler_a, 15)
    for user in (dworld.p.head_a, dworld.p.approver_a, dworld.p.chief_a):
        with pytest.raises(NotAllowed, match="本级人民政府负责人"):
            extension_decide(extension=extension, actor=user, approve=True)
    _still_requested(case, extension)
    extension_decide(extension=extension, actor=dworld.p.gov_head, approve=True, note="同意")
    case.refresh_from_db()
    assert case.decision_due == dt.date(2025, 11, 25)
    body = texts.compose(case.events.get(action="extension_approved")).body
    assert "经本级人民政府负责人批准" in body
    doc = notices.notice_document(case.notices.get(kind=NoticeKind.EXTENSION))
    text = "".join(b for b in doc.blocks if isinstance(b, str))
    assert "经本级人民政府负责人批准" in text and "第四十二条第二款" in text


@pytest.mark.parametrize("name", ["approver_a", "chief_a"])
def test_an_approver_gets_a_logged_404_on_the_extension_pages(client, dworld, frozen, name):
    case = case_in_review(dworld)
    extension = _requested(case, dworld.p.handler_a, 10)
    user = dworld.p.get(name)
    client.force_login(user)
    assert client.get(reverse("review:extensions")).status_code == 404
    response = client.post(
        reverse("review:extension_decide", args=[extension.pk]), {"approve": "1", "note": "同意"}
    )
    assert response.status_code == 404
    assert AccessDenied.objects.filter(user=user, target=f"extension:{extension.pk}").exists()
    assert AccessDenied.objects.filter(user=user, target="review:extensions").exists()
    _still_requested(case, extension)


@pytest.mark.parametrize("name", ["approver_a", "chief_a"])
def test_an_approver_gets_a_logged_404_on_the_extension_api(dworld, frozen, name):
    case = case_in_review(dworld)
    extension = _requested(case, dworld.p.handler_a, 10)
    user = dworld.p.get(name)
    api = _api(user)
    assert api.get(reverse("api:review-extensions-pending")).status_code == 404
    response = api.post(
        reverse("api:review-extension-decide", args=[extension.pk]),
        {"approve": True},
        format="json",
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert AccessDenied.objects.filter(user=user, target=f"extension:{extension.pk}").exists()
    _still_requested(case, extension)


def test_the_agency_head_decides_on_the_page(client, dworld, frozen):
    case = case_in_review(dworld)
    extension = _requested(case, dworld.p.handler_a, 10)
    client.force_login(dworld.p.head_a)
    queue = client.get(reverse("review:extensions"))
    assert queue.status_code == 200 and case.number in queue.content.decode()
    response = client.post(
        reverse("review:extension_decide", args=[extension.pk]), {"approve": "1", "note": "同意"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.decision_due == dt.date(2025, 11, 18)


def test_the_government_head_sees_only_joint_handling_requests(client, dworld, frozen):
    ordinary = case_in_review(dworld)
    _requested(ordinary, dworld.p.handler_a, 10)
    joint = _joint_case(dworld)
    extension = _requested(joint, dworld.p.handler_a, 15)
    client.force_login(dworld.p.gov_head)
    page = client.get(reverse("review:extensions")).content.decode()
    assert joint.number in page and ordinary.number not in page
    head_page = client.get(reverse("review:extensions"))
    assert head_page.status_code == 200
    api = _api(dworld.p.gov_head)
    assert [row["id"] for row in api.get(reverse("api:review-extensions-pending")).json()] == [
        extension.pk
    ]
    client.force_login(dworld.p.head_a)
    page = client.get(reverse("review:extensions")).content.decode()
    assert ordinary.number in page and joint.number not in page
    decided = api.post(
        reverse("api:review-extension-decide", args=[extension.pk]),
        {"approve": True, "note": "同意"},
        format="json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    joint.refresh_from_db()
    assert joint.decision_due == dt.date(2025, 11, 25)


def test_the_agency_head_gets_a_logged_404_on_a_joint_handling_request(dworld, frozen):
    case = _joint_case(dworld)
    extension = _requested(case, dworld.p.handler_a, 15)
    response = _api(dworld.p.head_a).post(
        reverse("api:review-extension-decide", args=[extension.pk]),
        {"approve": True},
        format="json",
    )
    assert response.status_code == 404
    assert AccessDenied.objects.filter(
        user=dworld.p.head_a, target=f"extension:{extension.pk}"
    ).exists()
    _still_requested(case, extension)
