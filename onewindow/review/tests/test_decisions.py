"""The lead department's decision (ALL Art. 37–38, 44; docs/rules/licensing.md §B3, §B5, §C1),
through the services with a frozen clock: refused decisions say why and change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.cases import notices
from onewindow.cases.errors import CaseError, ConcurrentChange
from onewindow.cases.models import CaseEvent, CaseStatus, Notice, NoticeKind
from onewindow.lib.pdf import Facts, Table
from onewindow.notifications.texts import compose
from onewindow.review.models import Decision, OpinionKind
from onewindow.review.selectors import decisions as sel
from onewindow.review.services.decisions import (
    NotAllowed,
    OpinionsIncomplete,
    ReasonsRequired,
    RemediesRequired,
    decision_make,
    suspension_start,
)
from onewindow.review.tests.decision_world import (
    all_agree,
    at,
    case_in_review,
    deem_silent,
    give_opinion,
    make_item,
    make_world,
)


@pytest.fixture
def dworld(personas):
    return make_world(personas)


REMEDIES = (
    "申请人如对本决定不服，可以自收到本决定书之日起六十日内向鄂州市人民政府申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)


def _unchanged(case, revision: int) -> None:
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert case.revision == revision
    assert case.closed_at is None
    assert not Decision.objects.filter(case=case).exists()
    assert not Notice.objects.filter(
        case=case, kind__in=[NoticeKind.GRANT, NoticeKind.REFUSAL]
    ).exists()


def _decide(case, actor, kind, day="2025-10-20", **fields):
    with time_machine.travel(at(day), tick=False):
        return decision_make(case=case, actor=actor, kind=kind, now=at(day), **fields)


def test_a_grant_after_every_opinion_moves_the_case_to_granted_with_the_certificate_due(dworld):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    decision = _decide(case, dworld.p.approver_a, "grant", conditions="经营场所不得变更")
    case.refresh_from_db()
    assert case.status == CaseStatus.GRANTED
    assert decision.decided_on == dt.date(2025, 10, 20)
    # Art. 44: 10 working days after Mon 2025-10-20 → Mon 2025-11-03 (A2, no holiday between).
    assert decision.certificate_due == dt.date(2025, 11, 3)
    assert case.events.filter(action="decision_granted").count() == 1
    notice = case.notices.get(kind=NoticeKind.GRANT)
    doc = notices.notice_document(notice)
    assert doc.title == "准予行政许可决定书"
    assert any("经营场所不得变更" in b for b in doc.blocks if isinstance(b, str))
    assert notices.notice_pdf(notice).startswith(b"%PDF")


def test_a_refusal_without_reasons_is_refused_and_nothing_changes(dworld):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    revision = case.revision
    with pytest.raises(ReasonsRequired, match="不予行政许可必须说明理由"):
        _decide(case, dworld.p.approver_a, "refuse", reasons="  ", remedies=REMEDIES)
    _unchanged(case, revision)


def test_a_refusal_without_remedies_is_refused_and_nothing_changes(dworld):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    revision = case.revision
    with pytest.raises(RemediesRequired, match="申请行政复议或者提起行政诉讼的权利"):
        _decide(case, dworld.p.approver_a, "refuse", reasons="经营场所不符合要求", remedies="")
    _unchanged(case, revision)


def test_remedies_that_name_neither_reconsideration_nor_litigation_are_refused(dworld):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    with pytest.raises(RemediesRequired, match="救济途径须写明"):
        _decide(case, dworld.p.approver_a, "refuse", reasons="不符合条件", remedies="请知悉。")
    _unchanged(case, case.revision)


def test_a_refusal_with_reasons_and_remedies_closes_the_case_and_issues_its_notice(dworld):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    remedies = sel.remedies_default(case)
    assert remedies == REMEDIES
    decision = _decide(
        case, dworld.p.chief_a, "refuse", reasons="经营场所不符合要求", remedies=remedies
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REFUSED
    assert case.closed_at == at("2025-10-20")
    assert decision.certificate_due is None
    doc = notices.notice_document(case.notices.get(kind=NoticeKind.REFUSAL))
    assert doc.title == "不予行政许可决定书"
    texts = [b for b in doc.blocks if isinstance(b, str)]
    assert "经营场所不符合要求" in texts
    assert REMEDIES in texts
    body = compose(case.events.get(action="decision_refused")).body
    assert "不予行政许可决定。理由：经营场所不符合要求" in body and REMEDIES in body


def test_a_refusal_after_a_disagreeing_department_quotes_its_opinion(dworld):
    case = case_in_review(dworld)
    give_opinion(dworld, case, dworld.p.dept_a)
    give_opinion(dworld, case, dworld.p.dept_b, OpinionKind.DISAGREE, "消防通道不符合规范")
    decision = _decide(
        case, dworld.p.approver_a, "refuse", reasons="住建部门审查不通过", remedies=REMEDIES
    )
    quote = "鄂州市住房和城乡建设局：不同意。消防通道不符合规范"
    assert decision.reasons.startswith("住建部门审查不通过")
    assert quote in decision.reasons
    doc = notices.notice_document(case.notices.get(kind=NoticeKind.REFUSAL))
    assert quote in [b for b in doc.blocks if isinstance(b, str)]
    table = next(b for b in doc.blocks if isinstance(b, Table))
    assert ["2", "鄂州市住房和城乡建设局", "不同意。消防通道不符合规范"] in [
        list(r) for r in table.rows
    ]


@pytest.mark.parametrize("colon", ["：", ":"])  # as typed: full-width or ASCII
def test_a_refusal_that_already_quotes_the_disagreement_is_not_quoted_twice(dworld, colon):
    case = case_in_review(dworld)
    give_opinion(dworld, case, dworld.p.dept_a)
    give_opinion(dworld, case, dworld.p.dept_b, OpinionKind.DISAGREE, "消防通道不符合规范")
    reasons = f"鄂州市住房和城乡建设局{colon}不同意。消防通道不符合规范"
    decision = _decide(case, dworld.p.approver_a, "refuse", reasons=reasons, remedies=REMEDIES)
    assert decision.reasons == reasons


def test_a_grant_over_a_disagreement_needs_reasons(dworld):
    case = case_in_review(dworld)
    give_opinion(dworld, case, dworld.p.dept_a)
    give_opinion(dworld, case, dworld.p.dept_b, OpinionKind.DISAGREE, "消防通道不符合规范")
    with pytest.raises(ReasonsRequired, match="不采纳该意见的理由"):
        _decide(case, dworld.p.approver_a, "grant")
    _unchanged(case, case.revision)
    _decide(case, dworld.p.approver_a, "grant", reasons="申请人已整改消防通道并经现场核实")
    case.refresh_from_db()
    assert case.status == CaseStatus.GRANTED


def test_a_decision_before_every_opinion_is_in_is_refused_naming_the_silent_department(dworld):
    case = case_in_review(dworld)
    give_opinion(dworld, case, dworld.p.dept_a)
    revision = case.revision
    with pytest.raises(OpinionsIncomplete, match="尚缺：鄂州市住房和城乡建设局"):
        _decide(case, dworld.p.approver_a, "grant")
    _unchanged(case, revision)
    assert sel.decisions_pending(dworld.p.approver_a).count() == 0


def test_deemed_consent_counts_as_an_opinion(dworld):
    case = case_in_review(dworld)
    give_opinion(dworld, case, dworld.p.dept_a)
    assert deem_silent("2025-10-28") == 0  # due 2025-10-28: silent only after that day
    assert deem_silent("2025-10-29") == 1
    assert list(sel.decisions_pending(dworld.p.approver_a)) == [case]
    _decide(case, dworld.p.approver_a, "grant", day="2025-10-29")
    case.refresh_from_db()
    assert case.status == CaseStatus.GRANTED


def test_only_a_decider_of_the_lead_department_may_decide(dworld):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    for user in (dworld.p.handler_a, dworld.p.reviewer_a, dworld.p.reviewer_b, dworld.p.clerk):
        with pytest.raises(NotAllowed, match="牵头部门的批准人或首席代表"):
            _decide(case, user, "grant")
    _unchanged(case, case.revision)


def test_no_decision_while_a_special_procedure_runs(dworld):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    with time_machine.travel(at("2025-10-09"), tick=False):
        suspension_start(
            case=case,
            actor=dworld.p.handler_a,
            kind="expert_review",
            reason="专家评审",
            expected_days=5,
        )
    case.refresh_from_db()
    with pytest.raises(CaseError, match="特别程序中"):
        _decide(case, dworld.p.approver_a, "grant")
    case.refresh_from_db()
    assert case.status == CaseStatus.SUSPENDED
    assert not Decision.objects.filter(case=case).exists()


def test_a_case_is_decided_only_once(dworld):
    case = case_in_review(dworld)
    all_agree(dworld, case)
    stale = type(case).objects.get(pk=case.pk)
    _decide(case, dworld.p.approver_a, "grant")
    with pytest.raises(ConcurrentChange, match="不能重复决定"):
        _decide(case, dworld.p.chief_a, "refuse", reasons="x", remedies=REMEDIES)
    # A copy read before the decision loses the conditional update too.
    Decision.objects.filter(case=case).delete()  # as if the first decision had not been stored
    with pytest.raises(ConcurrentChange, match="刚刚已被他人处理"):
        _decide(stale, dworld.p.chief_a, "refuse", reasons="x", remedies=REMEDIES)
    assert CaseEvent.objects.filter(case=case, action__startswith="decision_").count() == 1


def test_the_pending_decision_list_holds_only_complete_cases_of_the_lead_department(dworld):
    complete = case_in_review(dworld)
    all_agree(dworld, complete)
    waiting = case_in_review(dworld)
    give_opinion(dworld, waiting, dworld.p.dept_a)
    assert list(sel.decisions_pending(dworld.p.approver_a)) == [complete]
    assert list(sel.decisions_pending(dworld.p.chief_a)) == [complete]
    # department B is a co-department, the handler cannot decide
    assert list(sel.decisions_pending(dworld.p.reviewer_b)) == []
    assert list(sel.decisions_pending(dworld.p.handler_a)) == []


def test_the_decision_pdf_lists_every_departments_opinion_and_the_dates(dworld):
    case = case_in_review(dworld)
    give_opinion(dworld, case, dworld.p.dept_a)
    give_opinion(dworld, case, dworld.p.dept_b, OpinionKind.AGREE_CONDITIONS, "开业前完成消防验收")
    _decide(case, dworld.p.approver_a, "grant")
    doc = notices.notice_document(case.notices.get(kind=NoticeKind.GRANT))
    table = next(b for b in doc.blocks if isinstance(b, Table))
    assert [list(r) for r in table.rows] == [
        ["1", "鄂州市市场监督管理局（牵头）", "同意。"],
        ["2", "鄂州市住房和城乡建设局", "附条件同意。开业前完成消防验收"],
    ]
    facts = dict(next(b for b in doc.blocks if isinstance(b, Facts)).rows)
    assert facts["办件编号"] == case.number
    assert facts["受理日期"] == "2025年9月30日"
    assert facts["决定日期"] == "2025年10月20日"
    assert facts["发证送达期限"] == "2025年11月3日"
    assert doc.qr_url.startswith("/progress/?number=")


def test_a_grant_of_a_certificate_item_issues_the_certificate_and_others_do_not(dworld):
    from onewindow.certificates.models import Certificate

    case = case_in_review(dworld)
    all_agree(dworld, case)
    _decide(case, dworld.p.approver_a, "grant")
    certificate = Certificate.objects.get(case=case)
    assert certificate.issued_on == dt.date(2025, 10, 20)
    other = make_item(dworld.p, code="REV-D-APPROVAL", result_type="approval")
    approval_case = case_in_review(dworld, version=other)
    all_agree(dworld, approval_case)
    _decide(approval_case, dworld.p.approver_a, "grant")
    assert not Certificate.objects.filter(case=approval_case).exists()
