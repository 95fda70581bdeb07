"""Extensions of the decision period (ALL Art. 42, docs/rules/licensing.md §B2): asked by
lead-department staff, approved by the agency head (joint handling: the government head), +10
working days (+15 for joint handling) at most, once per case. Due dates are the hand-computed ones
of docs/rules/workdays.md §A2, §A3."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.cases import notices
from onewindow.cases.models import CaseEvent, CaseStatus, NoticeKind
from onewindow.lib.pdf import Facts
from onewindow.notifications import texts
from onewindow.notifications.models import OutboxMessage
from onewindow.review.models import Extension, ExtensionStatus
from onewindow.review.selectors import decisions as sel
from onewindow.review.services.decisions import (
    ExtensionRefused,
    NotAllowed,
    ReasonsRequired,
    extension_decide,
    extension_request,
)
from onewindow.review.tests.decision_world import (
    at,
    case_in_review,
    make_item,
    make_world,
)


@pytest.fixture
def dworld(personas):
    return make_world(personas)


def _request(case, actor, days=10, reasons="需现场核查经营场所", day="2025-10-27"):
    with time_machine.travel(at(day), tick=False):
        return extension_request(case=case, actor=actor, days=days, reasons=reasons)


def _decide(extension, actor, approve=True, note="", day="2025-10-28"):
    with time_machine.travel(at(day), tick=False):
        return extension_decide(extension=extension, actor=actor, approve=approve, note=note)


def test_an_approved_extension_moves_both_due_dates_by_ten_working_days(dworld):
    case = case_in_review(dworld)
    # A2: 20 working days from 2025-09-30 → 2025-11-04 (Oct 1–8 holiday, Sat Oct 11 works).
    assert case.decision_due == dt.date(2025, 11, 4)
    assert case.statutory_due == dt.date(2025, 11, 4)
    extension = _request(case, dworld.p.handler_a)
    assert extension.status == ExtensionStatus.REQUESTED
    case.refresh_from_db()
    assert case.decision_due == dt.date(2025, 11, 4)  # nothing moves before the head approves
    _decide(extension, dworld.p.head_a, note="同意延期")
    case.refresh_from_db()
    # A2: with the 10-day extension (30 working days) → 2025-11-18.
    assert case.decision_due == dt.date(2025, 11, 18)
    assert case.statutory_due == dt.date(2025, 11, 18)
    assert case.status == CaseStatus.IN_REVIEW
    event = case.events.get(action="extension_approved")
    assert event.public and event.reason == "需现场核查经营场所"
    # The applicant is notified (the event's outbox rows) and gets the written notice.
    assert OutboxMessage.objects.filter(event=event).exists()
    body = texts.compose(event).body
    assert "因需现场核查经营场所，经本机关负责人批准，审查期限延长 10 个工作日" in body
    assert "新的承诺办结期限 2025年11月18日" in body
    notice = case.notices.get(kind=NoticeKind.EXTENSION)
    doc = notices.notice_document(notice)
    assert doc.title == "延期告知书"
    assert "需现场核查经营场所" in doc.blocks
    facts = dict(next(b for b in doc.blocks if isinstance(b, Facts)).rows)
    assert facts["承诺办结期限（延长后）"] == "2025年11月18日"
    assert facts["延长期限"] == "10个工作日"


def test_an_extension_of_eleven_days_is_past_the_legal_maximum(dworld):
    case = case_in_review(dworld)
    with pytest.raises(ExtensionRefused, match="依法最多可延长 10 个工作日"):
        _request(case, dworld.p.handler_a, days=11)
    assert not Extension.objects.filter(case=case).exists()
    assert not CaseEvent.objects.filter(case=case, action__startswith="extension").exists()


def test_joint_handling_allows_fifteen_days_but_not_sixteen(dworld):
    version = make_item(dworld.p, code="REV-D-JOINT", joint_handling=True)
    case = case_in_review(dworld, version=version)
    with pytest.raises(ExtensionRefused, match="依法最多可延长 15 个工作日"):
        _request(case, dworld.p.handler_a, days=16)
    assert not Extension.objects.filter(case=case).exists()
    extension = _request(case, dworld.p.handler_a, days=15)
    _decide(extension, dworld.p.gov_head)  # Art. 42 para. 2: the government head approves
    case.refresh_from_db()
    # 2025-11-04 + 15 working days: Nov 5–7 (3), 10–14 (8), 17–21 (13), 24–25 (15).
    assert case.decision_due == dt.date(2025, 11, 25)


def test_a_second_extension_is_refused(dworld):
    case = case_in_review(dworld)
    _decide(_request(case, dworld.p.handler_a, days=5), dworld.p.head_a)
    case.refresh_from_db()
    due = case.decision_due
    with pytest.raises(ExtensionRefused, match="依法只能延期一次"):
        _request(case, dworld.p.handler_a, days=5, day="2025-11-03")
    case.refresh_from_db()
    assert case.decision_due == due
    assert Extension.objects.filter(case=case).count() == 1


def test_a_second_request_while_one_waits_is_refused(dworld):
    case = case_in_review(dworld)
    _request(case, dworld.p.handler_a)
    with pytest.raises(ExtensionRefused, match="等待批准"):
        _request(case, dworld.p.reviewer_a)
    assert Extension.objects.filter(case=case).count() == 1


def test_after_a_refused_request_a_new_one_may_be_made_and_approved_once(dworld):
    case = case_in_review(dworld)
    first = _request(case, dworld.p.handler_a, reasons="材料较多")
    with pytest.raises(ReasonsRequired, match="批示意见"):
        _decide(first, dworld.p.head_a, approve=False)
    _decide(first, dworld.p.head_a, approve=False, note="理由不充分")
    case.refresh_from_db()
    assert case.decision_due == dt.date(2025, 11, 4)
    assert not case.notices.filter(kind=NoticeKind.EXTENSION).exists()
    second = _request(case, dworld.p.handler_a, reasons="需委托检验机构检验")
    _decide(second, dworld.p.head_a)
    case.refresh_from_db()
    assert case.decision_due == dt.date(2025, 11, 18)
    with pytest.raises(ExtensionRefused, match="依法只能延期一次"):
        _request(case, dworld.p.handler_a)


def test_reasons_are_required(dworld):
    case = case_in_review(dworld)
    with pytest.raises(ReasonsRequired, match="延期理由"):
        _request(case, dworld.p.handler_a, reasons=" ")
    assert not Extension.objects.filter(case=case).exists()


def test_the_requester_cannot_approve_their_own_request_nor_can_a_non_head(dworld):
    case = case_in_review(dworld)
    extension = _request(case, dworld.p.approver_a)
    # ALL Art. 42: the agency head approves — not the approver who asked, nor any other staff.
    for user in (
        dworld.p.approver_a,
        dworld.p.chief_a,
        dworld.p.handler_a,
        dworld.p.reviewer_a,
        dworld.p.reviewer_b,
    ):
        with pytest.raises(NotAllowed, match="机关负责人"):
            _decide(extension, user)
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.REQUESTED
    case.refresh_from_db()
    assert case.decision_due == dt.date(2025, 11, 4)


def test_co_department_staff_cannot_request_an_extension(dworld):
    case = case_in_review(dworld)
    with pytest.raises(NotAllowed, match="牵头部门的工作人员"):
        _request(case, dworld.p.reviewer_b)


def test_the_head_queue_lists_requests_of_the_lead_department(dworld):
    case = case_in_review(dworld)
    extension = _request(case, dworld.p.handler_a)
    assert list(sel.extensions_pending(dworld.p.head_a)) == [extension]
    assert list(sel.extensions_pending(dworld.p.approver_a)) == []
    assert list(sel.extensions_pending(dworld.p.handler_a)) == []
    assert list(sel.extensions_pending(dworld.p.reviewer_b)) == []
    assert list(sel.extensions_pending(dworld.p.gov_head)) == []  # not joint handling
    _decide(extension, dworld.p.head_a)
    assert list(sel.extensions_pending(dworld.p.head_a)) == []
