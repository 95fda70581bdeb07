"""ALL Art. 44 (docs/rules/licensing.md §B3): the certificate is issued and delivered within 10
working days of the grant; the periodic job flags granted cases past that date, once, with a frozen
clock."""

from __future__ import annotations

import datetime as dt

import time_machine

from onewindow.cases.models import CaseFlag, CaseStatus, FlagKind
from onewindow.catalog.deadlines import certificate_due
from onewindow.certificates import jobs, services
from onewindow.certificates.tests.conftest import accepted_case, at, grant_for_test, issue
from onewindow.core.jobs import JOBS


def _flags(case):
    return CaseFlag.objects.filter(case=case, kind=FlagKind.CERTIFICATE_OVERDUE)


def test_ten_working_days_after_a_decision_on_30_september_2025_is_21_october(db):
    # By hand from docs/rules/workdays.md §A3: Oct 1–8 are holidays; the working days after Sep 30
    # are Oct 9 (1), 10 (2), Sat 11 (3, 调休), 13 (4), 14 (5), 15 (6), 16 (7), 17 (8), 20 (9), 21
    # (10).
    assert certificate_due(dt.date(2025, 9, 30)).date == dt.date(2025, 10, 21)


def test_a_granted_case_is_flagged_the_day_after_its_certificate_due_and_only_once(granted):
    assert granted.decision.certificate_due == dt.date(2025, 10, 21)
    with time_machine.travel(at("2025-10-21", 23), tick=False):
        assert jobs.flag_overdue() == 0
    assert not _flags(granted).exists()
    with time_machine.travel(at("2025-10-22", 0), tick=False):
        assert jobs.flag_overdue() == 1
    flag = _flags(granted).get()
    assert "2025-10-21" in flag.note and "第四十四条" in flag.note
    with time_machine.travel(at("2025-10-23"), tick=False):
        assert jobs.flag_overdue() == 0
    assert _flags(granted).count() == 1


def test_a_case_delivered_in_time_is_never_flagged(certificate, personas):
    services.delivery_handover(
        case=certificate.case,
        actor=personas.clerk,
        receiver_name="张伟",
        receiver_id_number="11010519491231002X",
        now=at("2025-10-21", 16),
    )
    assert certificate.case.status == CaseStatus.COMPLETED
    assert services.certificates_flag_overdue(today=dt.date(2025, 12, 1)) == 0
    assert not _flags(certificate.case).exists()


def test_a_delivery_after_the_due_date_is_flagged_when_it_happens(certificate, personas):
    services.delivery_handover(
        case=certificate.case,
        actor=personas.clerk,
        receiver_name="张伟",
        receiver_id_number="11010519491231002X",
        now=at("2025-10-22"),
    )
    assert _flags(certificate.case).count() == 1


def test_the_job_handles_many_cases_in_one_pass(personas, version, region):
    cases = []
    for applicant in (personas.applicant, personas.outsider, personas.enterprise):
        case = accepted_case(version, applicant=applicant, clerk=personas.clerk, region=region)
        grant_for_test(case, approver=personas.approver_a)
        cases.append(case)
    issue(cases[0], cases[0].decision)  # issued but not delivered: still owed
    assert services.certificates_flag_overdue(today=dt.date(2025, 10, 22)) == 3
    assert CaseFlag.objects.filter(kind=FlagKind.CERTIFICATE_OVERDUE).count() == 3


def test_the_job_is_registered_with_the_background_loop():
    assert JOBS["certificates.flag_overdue"].func is jobs.flag_overdue
