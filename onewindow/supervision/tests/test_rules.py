"""Each supervision rule (docs/rules/supervision.md §D1) triggers on what it is about and stays
quiet otherwise.

Cases, tasks, decisions and commitments come from the real intake and review services; a few
facts the services refuse to produce (a blank refusal reason, a decision on an unaccepted case —
imported data or a direct database edit) are written into the rows directly, which is exactly
what the violation rules exist to catch.
"""

from __future__ import annotations

import pytest
import time_machine

from onewindow.cases import services as case_services
from onewindow.cases.models import (
    Case,
    CaseFlag,
    CaseMaterial,
    CaseStatus,
    Commitment,
    CorrectionNotice,
    FlagKind,
    MaterialStatus,
    Notice,
)
from onewindow.review.models import Decision, Suspension, Task
from onewindow.review.services import tasks_deem_consent
from onewindow.review.tests.task_world import accepted_case, at, make_world, task_of
from onewindow.supervision.models import Rule
from onewindow.supervision.rules import crossed
from onewindow.supervision.tests.world import (
    D,
    finish_task_a,
    grant,
    rule,
    single_branch_version,
    submitted_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tworld(personas):
    return make_world(personas)


def hits(code: str, day: str, level: str = "red") -> list[tuple[str, int, int | None, int]]:
    return [
        (h.object_kind, h.object_id, h.case_id, h.department_id)
        for h in crossed(rule(code), level, D(day))
    ]


def test_every_trigger_of_d1_is_seeded_as_a_rule():
    assert set(Rule.objects.values_list("code", flat=True)) == {
        "task_due",
        "case_decision_due",
        "case_intake_due",
        "certificate_due",
        "commitment_due",
        "suspension_overdue",
        "decision_without_acceptance",
        "refusal_without_reasons",
        "fee_off_list",
        "acceptance_core_missing",
        "second_correction_unsigned",
        "suspension_without_reason",
        "deemed_acceptance",
        "deemed_consent",
        "letter_overdue",  # docs/rules/supervision.md §D8 (migration 0003)
        "deemed_renewal",  # ALL Art. 50, docs/rules/licensing.md §B6 (migration 0007)
        "question_unanswered",  # docs/rules/consultation.md §K1 (migration 0009)
        "rectification_overdue",  # docs/rules/satisfaction.md §E5 (migration 0010)
        "agency_qualification_expiry",  # docs/rules/agencies.md §I12 (migration 0011)
    }
    assert rule("task_due").yellow_days_before == 1 and rule("task_due").red_days_after == 1


# --- deadline rules ------------------------------------------------------------------------


def test_a_department_late_on_its_step_is_carded_even_when_the_case_is_not(tworld):
    case = accepted_case(tworld)  # C due 10-11, the case 10-21
    task_c = task_of(case, tworld.dept_c)
    assert hits("task_due", "2025-10-13") == [("task", task_c.pk, case.pk, tworld.dept_c.pk)]
    assert hits("case_decision_due", "2025-10-13") == []


def test_a_task_done_in_time_stays_quiet(tworld):
    case = accepted_case(tworld, version=single_branch_version(tworld))
    finish_task_a(tworld, Task.objects.get(case=case), "2025-10-14")
    assert hits("task_due", "2025-10-15") == []


def test_a_task_waiting_for_material_with_its_clock_stopped_stays_quiet(tworld):
    case = accepted_case(tworld)
    task_c = task_of(case, tworld.dept_c)
    Task.objects.filter(pk=task_c.pk).update(status="waiting_material")
    task_c.material_requests.create(
        text="补充检测报告",
        pauses_clock=True,
        requested_by=tworld.p.handler_a,
        requested_on=D("2025-10-10"),
    )
    assert hits("task_due", "2025-10-13") == []


def test_a_case_past_its_committed_limit_is_carded_and_a_suspended_one_is_not(tworld):
    case = accepted_case(tworld)
    assert hits("case_decision_due", "2025-10-22") == [
        ("case", case.pk, case.pk, tworld.p.dept_a.pk)
    ]
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.SUSPENDED)
    assert hits("case_decision_due", "2025-10-22") == []


def test_an_intake_period_that_ran_out_is_carded_and_an_accepted_case_is_not(tworld):
    waiting = submitted_case(tworld)
    accepted = accepted_case(tworld)
    found = hits("case_intake_due", "2025-10-15")
    assert ("case", waiting.pk, waiting.pk, tworld.p.dept_a.pk) in found
    assert all(row[1] != accepted.pk for row in found)


def test_a_licence_not_delivered_by_its_certificate_due_is_carded_until_completed(tworld):
    case = accepted_case(tworld, version=single_branch_version(tworld))
    finish_task_a(tworld, Task.objects.get(case=case), "2025-10-14")
    decision = grant(tworld, case, "2025-10-14")
    assert decision.certificate_due == D("2025-10-28")  # ALL Art. 44: 10 working days
    assert hits("certificate_due", "2025-10-28") == []
    assert hits("certificate_due", "2025-10-29") == [
        ("decision", decision.pk, case.pk, tworld.p.dept_a.pk)
    ]
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.COMPLETED)
    assert hits("certificate_due", "2025-10-29") == []


def _tolerated_case(tworld) -> Case:
    case = submitted_case(tworld, version=single_branch_version(tworld))
    optional = case.materials.get(material__is_core=False)
    with time_machine.travel(at("2025-09-30", 10), tick=False):
        case_services.case_accept(
            case=case,
            actor=tworld.p.clerk,
            tolerated_material_ids=[optional.pk],
            commitment_due=D("2025-10-10"),
        )
    return case


def test_a_tolerated_material_not_supplied_by_its_due_date_is_carded(tworld):
    case = _tolerated_case(tworld)
    commitment = Commitment.objects.get(case=case)
    assert hits("commitment_due", "2025-10-09", "yellow") == [
        ("commitment", commitment.pk, case.pk, tworld.p.dept_a.pk)
    ]
    assert hits("commitment_due", "2025-10-11") == [
        ("commitment", commitment.pk, case.pk, tworld.p.dept_a.pk)
    ]
    Commitment.objects.filter(pk=commitment.pk).update(status="fulfilled")
    assert hits("commitment_due", "2025-10-11") == []


def _suspend(
    case: Case, tworld, *, started: str, days: int, reason: str = "现场核查"
) -> Suspension:
    return Suspension.objects.create(
        case=case,
        kind="inspection",
        reason=reason,
        expected_days=days,
        started_on=D(started),
        started_by=tworld.p.handler_a,
    )


def test_a_special_procedure_past_its_stated_length_is_carded_until_it_ends(tworld):
    case = accepted_case(tworld)
    # 3 working days from Thu 10-09: Fri 10-10, Sat 10-11 (working), Mon 10-13 → due 10-13.
    suspension = _suspend(case, tworld, started="2025-10-09", days=3)
    _suspend(accepted_case(tworld), tworld, started="2025-10-10", days=10).delete()
    assert hits("suspension_overdue", "2025-10-10", "yellow") == []
    assert hits("suspension_overdue", "2025-10-11", "yellow") == [
        ("suspension", suspension.pk, case.pk, tworld.p.dept_a.pk)
    ]
    assert hits("suspension_overdue", "2025-10-13") == []
    assert hits("suspension_overdue", "2025-10-14") == [
        ("suspension", suspension.pk, case.pk, tworld.p.dept_a.pk)
    ]
    Suspension.objects.filter(pk=suspension.pk).update(ended_on=D("2025-10-13"))
    assert hits("suspension_overdue", "2025-10-14") == []


def test_special_procedures_of_different_lengths_are_each_judged_by_their_own(tworld):
    short = _suspend(accepted_case(tworld), tworld, started="2025-10-09", days=3)
    long = _suspend(accepted_case(tworld), tworld, started="2025-10-09", days=10)
    assert [row[1] for row in hits("suspension_overdue", "2025-10-14")] == [short.pk]
    # 10 working days from 10-09 end on 10-22 (Sat 10-11 counts): red from 10-23.
    assert [row[1] for row in hits("suspension_overdue", "2025-10-22")] == [short.pk]
    assert [row[1] for row in hits("suspension_overdue", "2025-10-23")] == [short.pk, long.pk]


# --- violations ----------------------------------------------------------------------------


def test_violations_are_red_only(tworld):
    for code in ("decision_without_acceptance", "refusal_without_reasons", "deemed_consent"):
        assert crossed(rule(code), "yellow", D("2025-10-15")) == []


def test_a_decision_on_a_case_never_accepted_is_carded(tworld):
    granted = accepted_case(tworld, version=single_branch_version(tworld))
    finish_task_a(tworld, Task.objects.get(case=granted), "2025-10-14")
    decision = grant(tworld, granted, "2025-10-14")
    assert hits("decision_without_acceptance", "2025-10-15") == []
    Case.objects.filter(pk=granted.pk).update(accepted_on=None)
    assert hits("decision_without_acceptance", "2025-10-15") == [
        ("decision", decision.pk, granted.pk, tworld.p.dept_a.pk)
    ]


def test_a_deemed_accepted_case_may_be_decided(tworld):
    case = accepted_case(tworld, version=single_branch_version(tworld))
    finish_task_a(tworld, Task.objects.get(case=case), "2025-10-14")
    grant(tworld, case, "2025-10-14")
    Case.objects.filter(pk=case.pk).update(accepted_on=None, deemed_accepted=True)
    assert hits("decision_without_acceptance", "2025-10-15") == []


def test_a_refusal_with_blank_reasons_is_carded_and_a_reasoned_one_is_not(tworld):
    case = accepted_case(tworld, version=single_branch_version(tworld))
    finish_task_a(tworld, Task.objects.get(case=case), "2025-10-14")
    case.refresh_from_db()
    with time_machine.travel(at("2025-10-14", 15), tick=False):
        from onewindow.review.services.decisions import decision_make

        decision = decision_make(
            case=case,
            actor=tworld.p.approver_a,
            kind="refuse",
            reasons="生产场所不符合《食品安全法》第三十三条",
            remedies="可依法申请行政复议或提起行政诉讼",
        )
    assert hits("refusal_without_reasons", "2025-10-15") == []
    Decision.objects.filter(pk=decision.pk).update(reasons="  \n ")  # passes the DB check
    assert hits("refusal_without_reasons", "2025-10-15") == [
        ("decision", decision.pk, case.pk, tworld.p.dept_a.pk)
    ]


def test_the_fee_rule_is_enabled_with_the_fee_ledger_as_its_source():
    # Triggering and quiet cases: cases/tests/test_fees.py (it needs the fee ledger's services).
    fee = rule("fee_off_list")
    assert fee.enabled and "收费清单" in fee.description


def test_an_accepted_case_whose_core_material_is_missing_is_carded(tworld):
    case = accepted_case(tworld, version=single_branch_version(tworld))
    assert hits("acceptance_core_missing", "2025-10-01") == []
    CaseMaterial.objects.filter(case=case, material__is_core=False).update(
        status=MaterialStatus.TOLERATED
    )
    assert hits("acceptance_core_missing", "2025-10-01") == []  # non-core may be tolerated
    CaseMaterial.objects.filter(case=case, material__is_core=True).update(
        status=MaterialStatus.MISSING
    )
    assert hits("acceptance_core_missing", "2025-10-01") == [
        ("case", case.pk, case.pk, tworld.p.dept_a.pk)
    ]


def _correction(case: Case, tworld, sequence: int, reason: str) -> CorrectionNotice:
    notice = Notice.objects.create(
        case=case,
        kind="correction",
        number=f"SUP-{case.pk}-{sequence}",
        issued_at=at("2025-10-09"),
        issued_by=tworld.p.clerk,
    )
    return CorrectionNotice.objects.create(
        case=case,
        notice=notice,
        sequence=sequence,
        signed_off_by=tworld.p.supervisor if sequence > 1 else None,
        sign_off_reason=reason,
    )


def test_a_second_correction_notice_without_a_real_sign_off_is_carded(tworld):
    case = submitted_case(tworld)
    _correction(case, tworld, 1, "")
    signed = _correction(case, tworld, 2, "申请人新增经营项目，需补充相应材料")
    assert hits("second_correction_unsigned", "2025-10-10") == []
    CorrectionNotice.objects.filter(pk=signed.pk).update(sign_off_reason=" ")
    assert hits("second_correction_unsigned", "2025-10-10") == [
        ("correction", signed.pk, case.pk, tworld.p.dept_a.pk)
    ]


def test_a_special_procedure_without_a_reason_is_carded(tworld):
    case = accepted_case(tworld)
    reasoned = _suspend(case, tworld, started="2025-10-09", days=3)
    assert hits("suspension_without_reason", "2025-10-10") == []
    Suspension.objects.filter(pk=reasoned.pk).update(reason="  ")
    assert hits("suspension_without_reason", "2025-10-10") == [
        ("suspension", reasoned.pk, case.pk, tworld.p.dept_a.pk)
    ]


def test_a_deemed_acceptance_is_carded(tworld):
    late = submitted_case(tworld)  # intake due 2025-10-14
    in_time = submitted_case(tworld, day="2025-10-10")
    assert hits("deemed_acceptance", "2025-10-15") == []
    with time_machine.travel(at("2025-10-15", 1), tick=False):
        assert case_services.cases_accept_deemed() == 1
    assert CaseFlag.objects.filter(case=late, kind=FlagKind.DEEMED_ACCEPTANCE).exists()
    assert hits("deemed_acceptance", "2025-10-15") == [
        ("case", late.pk, late.pk, tworld.p.dept_a.pk)
    ]
    assert all(row[1] != in_time.pk for row in hits("deemed_acceptance", "2025-10-15"))


def test_deemed_consent_is_carded_to_the_silent_department(tworld):
    case = accepted_case(tworld)
    assert hits("deemed_consent", "2025-10-13") == []
    with time_machine.travel(at("2025-10-13", 1), tick=False):
        assert tasks_deem_consent() == 1
    task_c = task_of(case, tworld.dept_c)
    assert hits("deemed_consent", "2025-10-13") == [("task", task_c.pk, case.pk, tworld.dept_c.pk)]
