"""The agency's job (docs/rules/agencies.md §I3, §I8–§I11): accept, report into the applicant's
case, the department's review, ratings, the assessment's grade, violations and suspension."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.agencies import services
from onewindow.agencies.errors import JobState, NotTheChooser
from onewindow.agencies.models import AgencyStatus, Assessment, Grade, JobStatus
from onewindow.agencies.tests.world import REPORT, TODAY
from onewindow.cases.errors import CaseError
from onewindow.cases.models import CaseEvent, CaseFile
from onewindow.cases.tests.conftest import PDF_BYTES
from onewindow.core.errors import Invalid

pytestmark = pytest.mark.django_db


def pdf(name: str = "测绘成果报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def offered(aworld, frozen, agency=None, case=None):
    agency = agency or aworld.agency("鄂州市华测测绘有限公司")
    with frozen(TODAY):
        return services.select_direct(
            case=case or aworld.case(),
            requirement=aworld.requirement,
            agency=agency,
            actor=aworld.p.applicant,
        )


def test_accept_counts_the_agencys_own_promised_days(aworld, frozen):
    job = offered(aworld, frozen)
    with frozen("2025-11-04"):
        job = services.job_accept(selection=job, agency=job.agency)
    assert job.status == JobStatus.ACCEPTED
    assert job.accepted_on == dt.date(2025, 11, 4)
    assert job.due_on == dt.date(2025, 11, 11)  # 5 working days, the weekend not counted


def test_report_becomes_a_material_of_the_applicants_case(aworld, frozen):
    job = offered(aworld, frozen)
    user = aworld.account(job.agency)
    with frozen("2025-11-04"):
        services.job_accept(selection=job, agency=job.agency)
    with frozen("2025-11-12"):
        attached = services.job_report(
            selection=job, agency=job.agency, actor=user, upload=pdf(), fee="2800"
        )
    line = attached.case_material
    assert line.case_id == job.case_id
    assert line.material.name == REPORT
    assert attached.stored.owner_id == aworld.p.applicant.pk
    assert attached.stored.uploaded_by_id == user.pk
    assert CaseEvent.objects.filter(case=job.case, action="file_added").exists()
    job.refresh_from_db()
    assert job.status == JobStatus.REPORTED
    assert job.days_taken == 6
    assert job.fee == Decimal("2800.00")
    assert job.fee_within_standard is True


def test_a_report_that_is_not_a_pdf_or_image_changes_nothing(aworld, frozen):
    job = offered(aworld, frozen)
    user = aworld.account(job.agency)
    with frozen("2025-11-04"):
        services.job_accept(selection=job, agency=job.agency)
    bad = SimpleUploadedFile("报告.pdf", b"not a pdf at all", content_type="application/pdf")
    with frozen("2025-11-05"), pytest.raises(CaseError, match="不是 PDF"):
        services.job_report(selection=job, agency=job.agency, actor=user, upload=bad, fee="1000")
    with frozen("2025-11-05"), pytest.raises(Invalid):
        services.job_report(selection=job, agency=job.agency, actor=user, upload=pdf(), fee="-1")
    job.refresh_from_db()
    assert job.status == JobStatus.ACCEPTED
    assert not CaseFile.objects.exists()


def test_report_before_accepting_or_by_another_agency_is_refused(aworld, frozen):
    job = offered(aworld, frozen)
    other = aworld.agency("另一家测绘公司")
    with frozen("2025-11-04"), pytest.raises(JobState):
        services.job_report(
            selection=job, agency=job.agency, actor=aworld.p.admin, upload=pdf(), fee="1"
        )
    with frozen("2025-11-04"), pytest.raises(JobState, match="不是本机构"):
        services.job_accept(selection=job, agency=other)
    assert not CaseFile.objects.exists()


def test_decline_needs_a_reason(aworld, frozen):
    job = offered(aworld, frozen)
    with pytest.raises(Invalid):
        services.job_decline(selection=job, agency=job.agency, reason=" ")
    job = services.job_decline(selection=job, agency=job.agency, reason="业务已满")
    assert job.status == JobStatus.DECLINED
    # the applicant may choose again once the agency declined
    offered(aworld, frozen, agency=aworld.agency("第二家测绘公司"), case=job.case)


def _reported(aworld, frozen):
    job = offered(aworld, frozen)
    user = aworld.account(job.agency)
    with frozen("2025-11-04"):
        services.job_accept(selection=job, agency=job.agency)
    with frozen("2025-11-06"):
        services.job_report(selection=job, agency=job.agency, actor=user, upload=pdf(), fee="2000")
    return job, user


def test_department_returns_then_accepts_the_report(aworld, frozen):
    job, user = _reported(aworld, frozen)
    with pytest.raises(NotTheChooser):
        services.report_review(selection=job, actor=aworld.p.reviewer_b, accept=True)
    with pytest.raises(Invalid):
        services.report_review(selection=job, actor=aworld.p.handler_a, accept=False)
    job = services.report_review(
        selection=job, actor=aworld.p.handler_a, accept=False, remark="面积计算有误"
    )
    assert job.status == JobStatus.RETURNED and job.corrections == 1
    assert job.agency is not None
    with frozen("2025-11-07"):
        services.job_report(
            selection=job, agency=job.agency, actor=user, upload=pdf("修改后报告.pdf"), fee="2000"
        )
    job = services.report_review(selection=job, actor=aworld.p.handler_a, accept=True)
    assert job.status == JobStatus.APPROVED
    assert job.first_pass is False


def test_ratings_and_the_assessment_grade(aworld, frozen):
    job, _user = _reported(aworld, frozen)
    services.report_review(selection=job, actor=aworld.p.handler_a, accept=True)
    with frozen("2025-11-10"):
        services.job_rate(selection=job, actor=aworld.p.applicant, score=5)
        services.job_rate(selection=job, actor=aworld.p.handler_a, score=4)
        with pytest.raises(Exception, match="已评价"):
            services.job_rate(selection=job, actor=aworld.p.applicant, score=1)
        with pytest.raises(Invalid):
            services.job_rate(selection=job, actor=aworld.p.handler_a, score=6)
    with frozen("2025-12-01"):
        done = services.assess_period(
            start=dt.date(2025, 11, 1), end=dt.date(2025, 11, 30), actor=aworld.p.admin
        )
        with pytest.raises(Exception, match="已经考核过"):
            services.assess_period(
                start=dt.date(2025, 11, 1), end=dt.date(2025, 11, 30), actor=aworld.p.admin
            )
    mine = next(a for a in done if a.agency_id == job.agency_id)
    # rating 90 × 40% + first pass 100 × 25% + on time 100 × 20% + fee 100 × 15% = 96
    assert mine.score == Decimal("96.0")
    assert mine.grade == Grade.A
    job.agency.refresh_from_db()
    assert job.agency.grade == Grade.A
    assert Assessment.objects.count() == 1


def test_violation_suspends_and_the_agency_is_never_selected(aworld, frozen):
    agency = aworld.agency("违规测绘公司")
    pending = offered(aworld, frozen, agency=agency)
    with frozen(TODAY):
        services.violation_record(
            agency=agency,
            actor=aworld.p.admin,
            occurred_on=dt.date(2025, 11, 1),
            description="出具虚假测绘报告",
            suspend=True,
        )
    agency.refresh_from_db()
    assert agency.status == AgencyStatus.SUSPENDED
    pending.refresh_from_db()
    assert pending.status == JobStatus.DECLINED
    with frozen(TODAY), pytest.raises(Exception, match="暂停服务"):
        services.select_direct(
            case=aworld.case(),
            requirement=aworld.requirement,
            agency=agency,
            actor=aworld.p.applicant,
        )
    with frozen("2025-12-01"):
        done = services.assess_period(
            start=dt.date(2025, 11, 1), end=dt.date(2025, 11, 30), actor=aworld.p.admin
        )
    # no job in the period: each part 80, minus 10 for the violation
    assert done[0].score == Decimal("70.0") and done[0].grade == Grade.C
