"""The API under /api/v1/ (docs/rules/agencies.md §I1–§I11): public listing, selection, the
record, bids, the agency's desk and report, with the logged 404 for another party's objects."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from onewindow.agencies.models import AgencyStatus, Bid, JobStatus, Selection
from onewindow.agencies.tests.world import REPORT, TODAY, credit
from onewindow.cases.models import CaseFile
from onewindow.cases.tests.conftest import PDF_BYTES
from onewindow.core.models import AccessDenied

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_public_listing_and_detail_without_login(aworld):
    good = aworld.agency("鄂州市华测测绘有限公司")
    aworld.agency("暂停测绘公司", status=AgencyStatus.SUSPENDED)
    aworld.agency("清退测绘公司", status=AgencyStatus.REVOKED)
    body = api().get("/api/v1/agencies/", {"q": "测绘"}).json()
    names = [r["name"] for r in body["results"]]
    assert names == ["鄂州市华测测绘有限公司", "暂停测绘公司"]
    assert body["results"][1]["status"] == "suspended"
    assert body["results"][0]["qualifications"][0]["name"] == "测绘资质"
    detail = api().get(f"/api/v1/agencies/{good.pk}/").json()
    assert detail["fees"][0]["amount_max"] == "3000.00"
    assert api().get("/api/v1/agencies/999999/").status_code == 404
    reqs = api().get("/api/v1/agency-requirements/", {"item": aworld.requirement.item_id}).json()
    assert reqs[0]["qualification_name"] == "测绘资质"
    assert api().get("/api/v1/agency-requirements/", {"item": "x"}).status_code == 400


def test_admin_registers_with_a_checked_credit_code(aworld):
    admin = api(aworld.p.admin)
    bad = admin.post(
        "/api/v1/agencies/",
        {"name": "新测绘公司", "credit_code": "91420700MA4K00001X"},
        format="json",
    )
    assert bad.status_code == 400
    assert "credit_code" in str(bad.json())
    ok = admin.post(
        "/api/v1/agencies/",
        {"name": "新测绘公司", "credit_code": credit(7), "service_types": ["survey"]},
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["service_types"] == ["测绘"]
    refused = api(aworld.p.applicant).post(
        "/api/v1/agencies/", {"name": "x", "credit_code": credit(8)}, format="json"
    )
    assert refused.status_code == 403


def test_draw_through_the_api_and_the_record(aworld, frozen):
    ids = [aworld.agency(f"测绘公司{i}").pk for i in range(3)]
    aworld.agency("暂停测绘公司", status=AgencyStatus.SUSPENDED)
    case = aworld.case()
    with frozen(TODAY):
        answer = api(aworld.p.applicant).post(
            "/api/v1/agency-selections/",
            {"case": case.pk, "requirement": aworld.requirement.pk, "method": "draw"},
            format="json",
        )
    assert answer.status_code == 201, answer.json()
    record = api(aworld.p.applicant).get(f"/api/v1/agency-selections/{answer.json()['id']}/").json()
    assert record["candidate_ids"] == ids
    assert record["chosen_by"] == aworld.p.applicant.full_name
    assert record["seed"]
    assert record["agency"] in ids
    from onewindow.agencies.services import draw

    assert draw(record["candidate_ids"], record["seed"]) == record["agency"]


def test_bad_selection_inputs_are_400s_that_change_nothing(aworld, frozen):
    bad = aworld.agency("过期测绘公司", valid_to="2025-01-01")
    case = aworld.case()
    client = api(aworld.p.applicant)
    with frozen(TODAY):
        for payload in (
            {"method": "direct", "agency": bad.pk},
            {"method": "direct"},
            {"method": "bid"},
            {"method": "bid", "deadline": "2025-11-01T10:00:00+08:00"},
            {"method": "lottery"},
        ):
            answer = client.post(
                "/api/v1/agency-selections/",
                {"case": case.pk, "requirement": aworld.requirement.pk, **payload},
                format="json",
            )
            assert answer.status_code == 400, payload
            assert answer.json()["message"]
    assert not Selection.objects.exists()


def test_bids_by_agencies_and_their_errors(aworld, frozen):
    good = aworld.agency("合格测绘公司")
    expired = aworld.agency("过期测绘公司", valid_to="2025-11-03")
    good_user, expired_user = aworld.account(good), aworld.account(expired)
    with frozen(TODAY, 9):
        sel = (
            api(aworld.p.applicant)
            .post(
                "/api/v1/agency-selections/",
                {
                    "case": aworld.case().pk,
                    "requirement": aworld.requirement.pk,
                    "method": "bid",
                    "deadline": "2025-11-05T17:00:00+08:00",
                },
                format="json",
            )
            .json()
        )
    url = f"/api/v1/agency-selections/{sel['id']}/bids/"
    with frozen("2025-11-04"):
        refused = api(expired_user).post(url, {"amount": "900"}, format="json")
        assert refused.status_code == 400
        assert refused.json()["code"] == "agency_not_qualified"
        assert "资质" in refused.json()["message"]
        assert api(good_user).post(url, {"amount": "-1"}, format="json").status_code == 400
        assert api(good_user).post(url, {"amount": "1200"}, format="json").status_code == 201
    with frozen("2025-11-06"):
        late = api(good_user).post(url, {"amount": "1000"}, format="json")
        assert late.status_code == 400 and late.json()["code"] == "bidding_closed"
        closed = api(aworld.p.applicant).post(f"/api/v1/agency-selections/{sel['id']}/close/")
    assert closed.json()["agency"] == good.pk
    assert Bid.objects.count() == 1


def test_agency_desk_report_into_the_case_and_404s(aworld, frozen):
    mine = aworld.agency("鄂州市华测测绘有限公司")
    other = aworld.agency("另一家测绘公司")
    user, other_user = aworld.account(mine), aworld.account(other)
    case = aworld.case()
    with frozen(TODAY):
        sel = (
            api(aworld.p.applicant)
            .post(
                "/api/v1/agency-selections/",
                {
                    "case": case.pk,
                    "requirement": aworld.requirement.pk,
                    "method": "direct",
                    "agency": mine.pk,
                },
                format="json",
            )
            .json()
        )
    assert [j["id"] for j in api(user).get("/api/v1/agency-jobs/").json()["results"]] == [sel["id"]]
    assert api(other_user).get("/api/v1/agency-jobs/").json()["results"] == []
    # another agency, another applicant: logged 404s
    assert api(other_user).post(f"/api/v1/agency-jobs/{sel['id']}/accept/").status_code == 404
    assert api(other_user).get(f"/api/v1/agency-selections/{sel['id']}/").status_code == 404
    assert (
        api(aworld.p.enterprise).get(f"/api/v1/agency-selections/{sel['id']}/").status_code == 404
    )
    assert api(aworld.p.applicant).get("/api/v1/agency-jobs/").status_code == 404
    assert AccessDenied.objects.filter(target=f"agency_job:{sel['id']}").count() == 1
    assert AccessDenied.objects.filter(target=f"agency_selection:{sel['id']}").count() == 2
    with frozen("2025-11-04"):
        assert api(user).post(f"/api/v1/agency-jobs/{sel['id']}/accept/").status_code == 200
    upload = SimpleUploadedFile("测绘成果报告.pdf", PDF_BYTES, content_type="application/pdf")
    with frozen("2025-11-05"):
        answer = api(user).post(
            f"/api/v1/agency-jobs/{sel['id']}/report/",
            {"file": upload, "fee": "2500"},
            format="multipart",
        )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["status"] == JobStatus.REPORTED
    attached = CaseFile.objects.get()
    assert attached.case_material.case_id == case.pk
    assert attached.case_material.material.name == REPORT
    review = api(aworld.p.handler_a).post(
        f"/api/v1/agency-selections/{sel['id']}/review/", {"accept": True}, format="json"
    )
    assert review.json()["status"] == JobStatus.APPROVED
    rate = api(aworld.p.applicant).post(
        f"/api/v1/agency-selections/{sel['id']}/ratings/", {"score": 9}, format="json"
    )
    assert rate.status_code == 400


def test_another_applicants_case_is_a_logged_404(aworld, frozen):
    aworld.agency("合格测绘公司")
    case = aworld.case(applicant=aworld.p.enterprise)
    with frozen(TODAY):
        answer = api(aworld.p.applicant).post(
            "/api/v1/agency-selections/",
            {"case": case.pk, "requirement": aworld.requirement.pk, "method": "draw"},
            format="json",
        )
    assert answer.status_code == 404
    assert AccessDenied.objects.filter(target=f"case:{case.pk}").exists()
    assert not Selection.objects.exists()


def test_admin_adds_qualifications_and_fees_with_checks(aworld):
    agency = aworld.agency("合格测绘公司")
    admin = api(aworld.p.admin)
    url = f"/api/v1/agencies/{agency.pk}/qualifications/"
    bad = admin.post(
        url,
        {
            "name": "测绘资质",
            "certificate_number": "X",
            "valid_from": "2026-01-01",
            "valid_to": "2025-01-01",
        },
        format="json",
    )
    assert bad.status_code == 400
    ok = admin.post(
        url,
        {
            "name": "不动产测绘资质",
            "level": "甲级",
            "certificate_number": "甲测1",
            "valid_from": "2025-01-01",
            "valid_to": "2030-01-01",
        },
        format="json",
    )
    assert ok.status_code == 201
    assert agency.qualifications.count() == 2
    fees = f"/api/v1/agencies/{agency.pk}/fees/"
    for payload in (
        {"service_type": "survey", "amount_min": "-1", "amount_max": "10"},
        {"service_type": "survey", "amount_min": "500", "amount_max": "100"},
        {"service_type": "nope", "amount_min": "1", "amount_max": "10"},
    ):
        assert admin.post(fees, payload, format="json").status_code == 400, payload
    done = admin.post(
        fees,
        {"service_type": "survey", "amount_min": "800", "amount_max": "2500", "unit": "宗"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["amount_max"] == "2500.00"
    assert (
        api(aworld.p.applicant)
        .post(fees, {"service_type": "survey", "amount_min": "1", "amount_max": "2"}, format="json")
        .status_code
        == 404
    )
    assert AccessDenied.objects.filter(target="agencies").exists()
