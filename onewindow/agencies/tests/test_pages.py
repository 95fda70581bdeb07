"""The pages (docs/rules/agencies.md §I1–§I11): public listing and detail without login, the
applicant's selection and the record, the agency's desk with its report, the administrator's
registry, with bad inputs as 400s and other parties' objects as logged 404s."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.agencies import services
from onewindow.agencies.models import Agency, AgencyStatus, JobStatus, Selection
from onewindow.agencies.tests.world import REPORT, TODAY, at, credit
from onewindow.cases.models import CaseFile
from onewindow.cases.tests.conftest import PDF_BYTES
from onewindow.core.models import AccessDenied

pytestmark = pytest.mark.django_db


def test_public_listing_search_and_detail(client, aworld):
    good = aworld.agency("鄂州市华测测绘有限公司")
    aworld.agency("过期测绘公司", valid_to="2024-12-31")
    page = client.get("/agencies/", {"q": "华测"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "鄂州市华测测绘有限公司" in text and "过期测绘公司" not in text
    assert "测绘资质乙级" in text
    detail = client.get(f"/agencies/{good.pk}/").content.decode()
    assert good.credit_code in detail and "1000.00—3000.00" in detail
    assert client.get("/agencies/999999/").status_code == 404


def test_applicant_draws_on_their_case_and_sees_the_record(client, aworld, frozen):
    agencies = [aworld.agency(f"测绘公司{i}") for i in range(3)]
    suspended = aworld.agency("暂停测绘公司", status=AgencyStatus.SUSPENDED)
    case = aworld.case()
    client.force_login(aworld.p.applicant)
    with frozen(TODAY):
        page = client.get(f"/agencies/cases/{case.pk}/").content.decode()
        assert "测绘公司0" in page and "暂停测绘公司" not in page
        answer = client.post(
            f"/agencies/cases/{case.pk}/", {"requirement": aworld.requirement.pk, "method": "draw"}
        )
    selection = Selection.objects.get()
    assert answer.status_code == 302
    record = client.get(f"/agencies/selections/{selection.pk}/").content.decode()
    assert aworld.p.applicant.full_name in record
    assert "2025-11-03 10:00:00" in record
    assert selection.seed in record
    for a in agencies:
        assert f"{a.name}（{a.pk}）" in record
    assert suspended.name not in record


def test_choosing_an_unqualified_agency_on_the_page_is_a_400(client, aworld, frozen):
    bad = aworld.agency("过期测绘公司", valid_to="2025-01-01")
    case = aworld.case()
    client.force_login(aworld.p.applicant)
    with frozen(TODAY):
        answer = client.post(
            f"/agencies/cases/{case.pk}/",
            {"requirement": aworld.requirement.pk, "method": "direct", "agency": bad.pk},
        )
    assert answer.status_code == 400
    assert "没有有效的“测绘资质”资质" in answer.content.decode()
    assert not Selection.objects.exists()


def test_other_applicants_case_and_record_are_logged_404s(client, aworld, frozen):
    good = aworld.agency("合格测绘公司")
    case = aworld.case()
    client.force_login(aworld.p.applicant)
    with frozen(TODAY):
        client.post(
            f"/agencies/cases/{case.pk}/",
            {"requirement": aworld.requirement.pk, "method": "direct", "agency": good.pk},
        )
    selection = Selection.objects.get()
    client.force_login(aworld.p.enterprise)
    assert client.get(f"/agencies/cases/{case.pk}/").status_code == 404
    assert client.get(f"/agencies/selections/{selection.pk}/").status_code == 404
    assert AccessDenied.objects.filter(target=f"case:{case.pk}").exists()
    assert AccessDenied.objects.filter(target=f"agency_selection:{selection.pk}").exists()


def test_agency_desk_accepts_and_uploads_the_report(client, aworld, frozen):
    mine, other = aworld.agency("鄂州市华测测绘有限公司"), aworld.agency("另一家测绘公司")
    user, other_user = aworld.account(mine), aworld.account(other)
    case = aworld.case()
    client.force_login(aworld.p.applicant)
    with frozen(TODAY):
        client.post(
            f"/agencies/cases/{case.pk}/",
            {"requirement": aworld.requirement.pk, "method": "direct", "agency": mine.pk},
        )
    job = Selection.objects.get()
    client.force_login(other_user)
    assert client.post(f"/agencies/desk/{job.pk}/", {"action": "accept"}).status_code == 404
    assert AccessDenied.objects.filter(target=f"agency_job:{job.pk}").exists()
    client.force_login(user)
    assert "鄂州市华测测绘有限公司" in client.get("/agencies/desk/").content.decode()
    with frozen("2025-11-04"):
        assert client.post(f"/agencies/desk/{job.pk}/", {"action": "accept"}).status_code == 302
    bad = SimpleUploadedFile("报告.pdf", b"plain text", content_type="application/pdf")
    with frozen("2025-11-05"):
        refused = client.post(
            f"/agencies/desk/{job.pk}/", {"action": "report", "file": bad, "fee": "2000"}
        )
    assert refused.status_code == 400
    assert not CaseFile.objects.exists()
    upload = SimpleUploadedFile("测绘成果报告.pdf", PDF_BYTES, content_type="application/pdf")
    with frozen("2025-11-05"):
        done = client.post(
            f"/agencies/desk/{job.pk}/", {"action": "report", "file": upload, "fee": "2000"}
        )
    assert done.status_code == 302
    attached = CaseFile.objects.get()
    assert (
        attached.case_material.case_id == case.pk and attached.case_material.material.name == REPORT
    )
    job.refresh_from_db()
    assert job.status == JobStatus.REPORTED


def test_desk_is_for_agency_accounts_only(client, aworld):
    client.force_login(aworld.p.applicant)
    assert client.get("/agencies/desk/").status_code == 404


def test_admin_registry_with_a_bad_credit_code_and_suspension(client, aworld, frozen):
    client.force_login(aworld.p.admin)
    assert client.get("/agencies/manage/").status_code == 200
    bad = client.post(
        "/agencies/manage/",
        {
            "action": "register",
            "name": "新测绘公司",
            "credit_code": "91420700MA4K00001X",
            "promised_days": 10,
        },
    )
    assert bad.status_code == 400
    assert not Agency.objects.filter(name="新测绘公司").exists()
    ok = client.post(
        "/agencies/manage/",
        {
            "action": "register",
            "name": "新测绘公司",
            "credit_code": credit(5),
            "promised_days": 10,
            "service_types": [aworld.survey.pk],
        },
    )
    assert ok.status_code == 302
    agency = Agency.objects.get(name="新测绘公司")
    with frozen(TODAY):
        suspended = client.post(
            "/agencies/manage/",
            {
                "action": "violation",
                "agency": agency.pk,
                "occurred_on": "2025-11-01",
                "description": "虚假报告",
                "suspend": "on",
            },
        )
    assert suspended.status_code == 302
    agency.refresh_from_db()
    assert agency.status == AgencyStatus.SUSPENDED
    client.force_login(aworld.p.applicant)
    assert client.get("/agencies/manage/").status_code == 404


def test_the_public_guide_names_the_required_service_and_qualification(client, aworld):
    page = client.get(f"/guides/{aworld.requirement.item.code}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "中介服务" in text and "所需资质：测绘资质" in text
    assert "/agencies/?service_type=survey" in text


def test_my_page_lists_the_applicants_cases_and_the_departments_jobs(client, aworld, frozen):
    good = aworld.agency("合格测绘公司")
    case = aworld.case()
    other = aworld.case(applicant=aworld.p.enterprise)
    with frozen(TODAY):
        services.select_direct(
            case=case, requirement=aworld.requirement, agency=good, actor=aworld.p.applicant
        )
    client.force_login(aworld.p.applicant)
    page = client.get("/agencies/mine/").content.decode()
    assert f"/agencies/cases/{case.pk}/" in page and f"/agencies/cases/{other.pk}/" not in page
    client.force_login(aworld.p.handler_a)
    selection = Selection.objects.get()
    assert f"/agencies/selections/{selection.pk}/" in client.get("/agencies/mine/").content.decode()
    client.force_login(aworld.p.reviewer_b)
    assert (
        f"/agencies/selections/{selection.pk}/"
        not in client.get("/agencies/mine/").content.decode()
    )
    client.logout()
    assert client.get("/agencies/mine/").status_code == 302


def test_the_background_job_closes_due_biddings(aworld, frozen):
    from onewindow.agencies.jobs import biddings_close

    aworld.agency("合格测绘公司")
    with frozen(TODAY, 9):
        services.select_bidding(
            case=aworld.case(),
            requirement=aworld.requirement,
            actor=aworld.p.applicant,
            deadline=at("2025-11-04", 17),
        )
    with frozen("2025-11-04", 16):
        assert biddings_close() == 0
    with frozen("2025-11-05"):
        assert biddings_close() == 1
    assert Selection.objects.get().status == JobStatus.FAILED


def test_the_agency_page_shows_its_outcome_figures(client, aworld, frozen):
    from django.core.files.uploadedfile import SimpleUploadedFile as Upload

    agency = aworld.agency("合格测绘公司")
    user = aworld.account(agency)
    with frozen(TODAY):
        job = services.select_direct(
            case=aworld.case(),
            requirement=aworld.requirement,
            agency=agency,
            actor=aworld.p.applicant,
        )
        services.job_accept(selection=job, agency=agency)
        services.job_report(
            selection=job,
            agency=agency,
            actor=user,
            upload=Upload("r.pdf", PDF_BYTES, content_type="application/pdf"),
            fee="5000",  # above the published 3000
        )
        services.report_review(selection=job, actor=aworld.p.handler_a, accept=False, remark="缺图")
        page = client.get(f"/agencies/{agency.pk}/").content.decode()
    assert "近一年服务情况" in page
    # fee above the standard: 0; no accepted report yet: first pass counts 80
    assert "<dd>0.0</dd>" in page and "<dd>80.0</dd>" in page
