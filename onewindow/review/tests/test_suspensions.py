"""Special procedures (ALL Art. 45, docs/rules/licensing.md §B4): the time is excluded, the
applicant is told the expected duration in writing, and every due date moves by the working days
spent."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.cases import notices
from onewindow.cases.errors import ConcurrentChange
from onewindow.cases.models import CaseStatus, NoticeKind
from onewindow.lib.pdf import Facts
from onewindow.notifications import texts
from onewindow.review.models import Suspension, Task
from onewindow.review.selectors import decisions as sel
from onewindow.review.services.decisions import (
    NotAllowed,
    ReasonsRequired,
    SuspensionRefused,
    suspension_end,
    suspension_start,
)
from onewindow.review.tests.decision_world import (
    at,
    case_in_review,
    give_opinion,
    make_world,
)


@pytest.fixture
def dworld(personas):
    return make_world(personas)


def _start(case, actor, day="2025-10-09", kind="testing", days=3, reason="委托检验样品"):
    with time_machine.travel(at(day), tick=False):
        return suspension_start(
            case=case, actor=actor, kind=kind, reason=reason, expected_days=days
        )


def _end(suspension, actor, day="2025-10-14", result="检验合格"):
    with time_machine.travel(at(day, 16), tick=False):
        return suspension_end(suspension=suspension, actor=actor, result=result)


def test_a_procedure_from_october_9_to_14_moves_every_due_date_by_four_working_days(dworld):
    case = case_in_review(dworld)
    lead = Task.objects.get(case=case, is_lead=True)
    co = Task.objects.get(case=case, is_lead=False)
    # A2/A3 from 2025-09-30: 19 working days → 2025-11-03, 15 → 2025-10-28, 20 → 2025-11-04.
    assert (lead.due, co.due, case.decision_due) == (
        dt.date(2025, 11, 3),
        dt.date(2025, 10, 28),
        dt.date(2025, 11, 4),
    )
    give_opinion(
        dworld, case, dworld.p.dept_a, day="2025-10-09"
    )  # the lead's task is done: its due date stays
    suspension = _start(case, dworld.p.handler_a)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUSPENDED
    assert sel.case_is_suspended(case)
    suspension = _end(suspension, dworld.p.reviewer_a)
    # Working days after Oct 9 through Oct 14: 10, 11 (Saturday working day), 13, 14 = 4.
    assert suspension.days_spent == 4
    assert suspension.ended_on == dt.date(2025, 10, 14)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert not sel.case_is_suspended(case)
    # 2025-11-04 + 4 → Nov 5, 6, 7, 10.
    assert case.decision_due == dt.date(2025, 11, 10)
    assert case.statutory_due == dt.date(2025, 11, 10)
    co.refresh_from_db()
    lead.refresh_from_db()
    assert co.due == dt.date(2025, 11, 3)  # 2025-10-28 + 4 → Oct 29, 30, 31, Nov 3
    assert lead.due == dt.date(2025, 11, 3)  # done before: unchanged
    ended = case.events.get(action="suspension_ended")
    assert ended.data["days_spent"] == 4


def test_starting_a_procedure_tells_the_applicant_its_expected_duration_in_writing(dworld):
    case = case_in_review(dworld)
    _start(case, dworld.p.handler_a, kind="expert_review", days=5, reason="组织专家评审工艺")
    notice = case.notices.get(kind=NoticeKind.SPECIAL_PROCEDURE)
    doc = notices.notice_document(notice)
    assert doc.title == "特别程序告知书"
    assert "组织专家评审工艺" in doc.blocks
    facts = dict(next(b for b in doc.blocks if isinstance(b, Facts)).rows)
    assert facts["特别程序"] == "专家评审"
    assert facts["预计所需时间"] == "5个工作日"
    # 5 working days after 2025-10-09: 10, 11, 13, 14, 15.
    assert notice.content["expected_end"] == "2025-10-15"
    assert any("2025年10月15日" in b for b in doc.blocks if isinstance(b, str))
    assert notices.notice_pdf(notice).startswith(b"%PDF")
    body = texts.compose(case.events.get(action="suspension_started")).body
    assert "本件依法需要进行专家评审，预计需要 5 个工作日" in body


def test_only_one_procedure_may_be_open_at_a_time(dworld):
    case = case_in_review(dworld)
    _start(case, dworld.p.handler_a)
    case.refresh_from_db()
    with pytest.raises(SuspensionRefused, match="已有一项特别程序正在进行"):
        _start(case, dworld.p.handler_a, kind="hearing")
    assert Suspension.objects.filter(case=case).count() == 1
    assert case.notices.filter(kind=NoticeKind.SPECIAL_PROCEDURE).count() == 1


def test_a_procedure_needs_a_known_kind_a_reason_and_a_duration(dworld):
    case = case_in_review(dworld)
    with pytest.raises(SuspensionRefused, match="特别程序只能是"):
        _start(case, dworld.p.handler_a, kind="holiday")
    with pytest.raises(ReasonsRequired, match="事由"):
        _start(case, dworld.p.handler_a, reason="")
    with pytest.raises(SuspensionRefused, match="预计所需时间"):
        _start(case, dworld.p.handler_a, days=0)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert not Suspension.objects.filter(case=case).exists()


def test_co_department_staff_cannot_start_or_end_a_procedure(dworld):
    case = case_in_review(dworld)
    with pytest.raises(NotAllowed):
        _start(case, dworld.p.reviewer_b)
    suspension = _start(case, dworld.p.handler_a)
    with pytest.raises(NotAllowed):
        _end(suspension, dworld.p.reviewer_b)
    suspension.refresh_from_db()
    assert suspension.ended_on is None


def test_ending_twice_is_a_conflict_and_moves_nothing_twice(dworld):
    case = case_in_review(dworld)
    suspension = _start(case, dworld.p.handler_a)
    stale = Suspension.objects.get(pk=suspension.pk)
    _end(suspension, dworld.p.handler_a)
    with pytest.raises(ConcurrentChange, match="已经结束"):
        _end(stale, dworld.p.handler_a, day="2025-10-15")
    case.refresh_from_db()
    assert case.decision_due == dt.date(2025, 11, 10)


def test_ending_needs_a_result(dworld):
    case = case_in_review(dworld)
    suspension = _start(case, dworld.p.handler_a)
    with pytest.raises(ReasonsRequired, match="结果"):
        _end(suspension, dworld.p.handler_a, result=" ")
    case.refresh_from_db()
    assert case.status == CaseStatus.SUSPENDED


def test_a_procedure_ended_the_day_it_started_moves_nothing(dworld):
    case = case_in_review(dworld)
    suspension = _end(_start(case, dworld.p.handler_a), dworld.p.handler_a, day="2025-10-09")
    assert suspension.days_spent == 0
    case.refresh_from_db()
    assert case.decision_due == dt.date(2025, 11, 4)
