"""The decision pages: who sees and acts on what (another department: 404, logged), stale posts
(409, nothing changed), refused actions (400 with the service's message), and the happy paths."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases.models import CaseStatus, NoticeKind
from onewindow.core.models import AccessDenied
from onewindow.review.models import Decision, Extension, ExtensionStatus, Suspension
from onewindow.review.tests.decision_world import (
    all_agree,
    at,
    case_in_review,
    give_opinion,
    make_world,
)


@pytest.fixture
def dworld(personas):
    return make_world(personas)


REMEDIES = "如不服本决定，可以在六十日内申请行政复议，或者在六个月内提起行政诉讼。"


@pytest.fixture
def frozen():
    with time_machine.travel(at("2025-10-20"), tick=False):
        yield


def _login(client, user):
    client.force_login(user)
    return client


def _denied(user, target: str) -> bool:
    return AccessDenied.objects.filter(user=user, target=target).exists()


def test_the_decider_sees_the_case_in_the_pending_list_and_decides_on_its_page(
    client, dworld, frozen
):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    _login(client, dworld.p.approver_a)
    page = client.get(reverse("review:decisions"))
    assert page.status_code == 200
    assert case.number in page.content.decode()
    page = client.get(reverse("review:decision_case", args=[case.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "作出审批决定" in body
    assert "鄂州市人民政府申请行政复议" in body  # the prefilled remedies
    response = client.post(
        reverse("review:decision_make", args=[case.pk]),
        {
            "revision": case.revision,
            "kind": "grant",
            "reasons": "",
            "remedies": "",
            "conditions": "",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.GRANTED
    page = client.get(reverse("review:decision_case", args=[case.pk]))
    body = page.content.decode()
    assert "准予行政许可决定书" in body and "2025-11-03" in body
    notice = case.notices.get(kind=NoticeKind.GRANT)
    pdf = client.get(reverse("cases:notice_pdf", args=[case.pk, notice.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_a_refusal_without_remedies_through_the_page_shows_the_message_and_changes_nothing(
    client, dworld, frozen
):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    _login(client, dworld.p.approver_a)
    response = client.post(
        reverse("review:decision_make", args=[case.pk]),
        {"revision": case.revision, "kind": "refuse", "reasons": "场所不符合要求", "remedies": ""},
    )
    assert response.status_code == 400
    assert "申请行政复议或者提起行政诉讼的权利" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert not Decision.objects.filter(case=case).exists()


def test_a_stale_post_is_a_conflict_and_changes_nothing(client, dworld, frozen):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    _login(client, dworld.p.approver_a)
    response = client.post(
        reverse("review:decision_make", args=[case.pk]),
        {"revision": case.revision - 1, "kind": "grant"},
    )
    assert response.status_code == 409
    assert "该办件在您打开页面后已发生变化" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW


def test_a_decision_before_every_opinion_is_in_is_refused_on_the_page(client, dworld, frozen):
    case = case_in_review(dworld)
    give_opinion(dworld, case, dworld.p.dept_a)
    _login(client, dworld.p.approver_a)
    page = client.get(reverse("review:decision_case", args=[case.pk])).content.decode()
    assert "作出审批决定" not in page and "各部门意见齐备后方可作出决定" in page
    response = client.post(
        reverse("review:decision_make", args=[case.pk]),
        {"revision": case.revision, "kind": "grant"},
    )
    assert response.status_code == 400
    assert "尚缺：鄂州市住房和城乡建设局" in response.content.decode()
    assert not Decision.objects.filter(case=case).exists()


@pytest.mark.parametrize("name", ["reviewer_b", "applicant", "outsider", "supervisor"])
def test_a_decision_by_someone_outside_the_lead_department_is_a_logged_404(
    client, dworld, frozen, name
):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    user = dworld.p.get(name)
    _login(client, user)
    response = client.post(
        reverse("review:decision_make", args=[case.pk]),
        {"revision": case.revision, "kind": "grant"},
    )
    assert response.status_code == 404
    assert client.get(reverse("review:decision_case", args=[case.pk])).status_code == 404
    assert AccessDenied.objects.filter(user=user).count() >= 2
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert not Decision.objects.filter(case=case).exists()


def test_a_handler_of_the_lead_department_sees_the_page_but_cannot_decide(client, dworld, frozen):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    _login(client, dworld.p.handler_a)
    page = client.get(reverse("review:decision_case", args=[case.pk]))
    assert page.status_code == 200 and "作出审批决定" not in page.content.decode()
    response = client.post(
        reverse("review:decision_make", args=[case.pk]),
        {"revision": case.revision, "kind": "grant"},
    )
    assert response.status_code == 404
    assert _denied(dworld.p.handler_a, f"case:{case.pk}")
    assert not Decision.objects.filter(case=case).exists()


def test_extension_request_and_approval_through_the_pages(client, dworld, frozen):
    case = case_in_review(dworld)
    _login(client, dworld.p.handler_a)
    response = client.post(
        reverse("review:extension_request", args=[case.pk]),
        {"revision": case.revision, "days": 10, "reasons": "需现场核查"},
    )
    assert response.status_code == 302
    extension = Extension.objects.get(case=case)
    # The handler cannot open the heads' queue.
    assert client.get(reverse("review:extensions")).status_code == 404
    _login(client, dworld.p.head_a)  # ALL Art. 42: the agency head
    queue = client.get(reverse("review:extensions")).content.decode()
    assert case.number in queue and "需现场核查" in queue
    response = client.post(
        reverse("review:extension_decide", args=[extension.pk]), {"approve": "1", "note": "同意"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.decision_due == dt.date(2025, 11, 18)
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED


def test_an_extension_past_the_maximum_through_the_page_is_refused(client, dworld, frozen):
    case = case_in_review(dworld)
    _login(client, dworld.p.handler_a)
    response = client.post(
        reverse("review:extension_request", args=[case.pk]),
        {"revision": case.revision, "days": 11, "reasons": "需现场核查"},
    )
    assert response.status_code == 400
    assert "依法最多可延长 10 个工作日" in response.content.decode()
    assert not Extension.objects.filter(case=case).exists()


def test_a_head_of_another_department_cannot_decide_an_extension(client, dworld, frozen):
    case = case_in_review(dworld)
    with time_machine.travel(at("2025-10-20"), tick=False):
        from onewindow.review.services.decisions import extension_request

        extension = extension_request(case=case, actor=dworld.p.handler_a, days=5, reasons="x")
    head_b = User.objects.create_user(  # an agency head, but of a co-department
        username="head_b", password="x" * 12, role=Role.HEAD, department=dworld.p.dept_b
    )
    _login(client, head_b)
    response = client.post(
        reverse("review:extension_decide", args=[extension.pk]), {"approve": "1"}
    )
    assert response.status_code == 404
    assert _denied(head_b, f"extension:{extension.pk}")
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.REQUESTED


def test_special_procedure_start_and_end_through_the_pages(client, dworld):
    case = case_in_review(dworld)
    _login(client, dworld.p.reviewer_a)
    with time_machine.travel(at("2025-10-09"), tick=False):
        response = client.post(
            reverse("review:suspension_start", args=[case.pk]),
            {"revision": case.revision, "kind": "testing", "reason": "送检", "expected_days": 3},
        )
    assert response.status_code == 302
    suspension = Suspension.objects.get(case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUSPENDED
    with time_machine.travel(at("2025-10-14"), tick=False):
        page = client.get(reverse("review:decision_case", args=[case.pk])).content.decode()
        assert "结束特别程序" in page and "特别程序告知书" in page
        response = client.post(
            reverse("review:suspension_end", args=[suspension.pk]),
            {"revision": case.revision, "result": "检验合格"},
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert case.decision_due == dt.date(2025, 11, 10)


def test_a_co_department_reviewer_cannot_end_a_procedure(client, dworld):
    case = case_in_review(dworld)
    from onewindow.review.services.decisions import suspension_start

    with time_machine.travel(at("2025-10-09"), tick=False):
        suspension = suspension_start(
            case=case, actor=dworld.p.handler_a, kind="testing", reason="送检", expected_days=3
        )
    _login(client, dworld.p.reviewer_b)
    response = client.post(
        reverse("review:suspension_end", args=[suspension.pk]), {"revision": 0, "result": "x"}
    )
    assert response.status_code == 404
    assert _denied(dworld.p.reviewer_b, f"suspension:{suspension.pk}")
    suspension.refresh_from_db()
    assert suspension.ended_on is None
