"""The window intake API (/api/v1/intake/…, /api/v1/cases/<id>/notices/): same rules, same checks
as the pages; CaseError → 400 {code, message}, a changed case → 409, another department → 404."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases import services
from onewindow.cases.models import (
    Case,
    CaseStatus,
    Commitment,
    CommitmentStatus,
    CorrectionNotice,
    NoticeKind,
)
from onewindow.cases.tests.conftest import PDF_BYTES, World, make_version
from onewindow.cases.tests.test_intake_rules import at, submitted_case
from onewindow.catalog.models import ToleranceCategory
from onewindow.core.models import AccessDenied
from onewindow.lib.idnumbers import make_citizen_id

PASSWORD = "Test-pass-123"


@pytest.fixture
def api(world: World) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.clerk)
    return client


def _url(name: str, *args: Any) -> str:
    return reverse(f"api:{name}", args=args)


def _lines(case: Case) -> dict[str, int]:
    return {line.material.name: line.pk for line in case.materials.select_related("material")}


def test_queue_lists_the_department_cases_with_their_due_state(api, world):
    case = submitted_case(world, when="2026-03-02")
    other_version, _c, _o = make_version(world.other_department, code="OTHER-API")
    submitted_case(world, version=other_version, when="2026-03-02")
    with time_machine.travel(at("2026-03-09"), tick=False):
        response = api.get(_url("intake-queue"))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["number"] for row in rows] == [case.number]
    assert rows[0]["intake_due"]["date"] == "2026-03-09"
    assert rows[0]["due"] == {"urgency": "today", "label": "今日到期", "working_days_left": 0}
    assert api.get(_url("intake-queue") + "?sort=nonsense").status_code == 400


def test_intake_api_is_refused_to_applicants_and_anonymous_callers(world):
    client = APIClient()
    assert client.get(_url("intake-queue")).status_code == 401
    client.force_authenticate(world.applicant)
    response = client.get(_url("intake-queue"))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_case_detail_gives_materials_history_and_allowed_actions(api, world):
    case = submitted_case(world, when="2026-03-02")
    body = api.get(_url("intake-case", case.pk)).json()
    assert body["number"] == case.number
    assert body["allowed_actions"] == ["accept", "correction", "reject"]
    assert [m["name"] for m in body["materials"]] == [
        "食品经营许可申请书",
        "次要材料1",
        "次要材料2",
    ]
    assert body["materials"][0]["files"][0]["download_url"].startswith(f"/intake/{case.pk}/files/")
    assert body["tolerance_limit"] == 2
    assert "submitted" in [e["action"] for e in body["events"]]


def test_other_department_gets_404_and_an_access_denied_row(world):
    case = submitted_case(world, when="2026-03-02")
    client = APIClient()
    client.force_authenticate(world.other_clerk)
    assert client.get(_url("intake-case", case.pk)).status_code == 404
    response = client.post(_url("intake-accept", case.pk), {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert (
        AccessDenied.objects.filter(user=world.other_clerk, target=f"case:{case.pk}").count() == 2
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_accept_issues_the_notice(api, world):
    case = submitted_case(world, when="2026-03-02")
    with time_machine.travel(at("2026-03-03"), tick=False):
        response = api.post(
            _url("intake-accept", case.pk), {"revision": case.revision}, format="json"
        )
    assert response.status_code == 200
    body = response.json()
    # Accepted, and the parallel review opened at once (docs/product.md §C5).
    assert body["status"] == "in_review" and body["accepted_on"] == "2026-03-03"
    assert [n["kind"] for n in body["notices"]] == ["acceptance"]


def test_tolerated_acceptance_through_the_api(api, world):
    case = submitted_case(world, skip=1, when="2026-04-29")
    line = _lines(case)["次要材料2"]
    with time_machine.travel(at("2026-04-30"), tick=False):
        response = api.post(
            _url("intake-accept", case.pk),
            {"tolerated_material_ids": [line], "commitment_due": "2026-05-15"},
            format="json",
        )
    assert response.status_code == 200
    commitment = Commitment.objects.get(case=case)
    assert commitment.due_on == dt.date(2026, 5, 15)
    assert response.json()["commitments"][0]["material"] == "次要材料2"


def test_restricted_item_tolerance_is_refused_with_the_message(api, world):
    version, _core, _others = make_version(
        world.department, code="CASE-T-R", category=ToleranceCategory.RESTRICTED, non_core=1
    )
    case = submitted_case(world, version=version, when="2026-04-29")
    line = case.materials.get(material__is_core=False)
    response = api.post(
        _url("intake-accept", case.pk), {"tolerated_material_ids": [line.pk]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "case_error"
    assert "该事项属于“限制类”，最多可容缺 0 项次要材料" in response.json()["message"]
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_accepting_a_withdrawn_case_is_400_and_a_stale_revision_409(api, world):
    case = submitted_case(world, when="2026-03-02")
    old_revision = case.revision
    services.case_withdraw(case=case, actor=world.applicant)
    response = api.post(_url("intake-accept", case.pk), {"revision": old_revision}, format="json")
    assert response.status_code == 409
    response = api.post(_url("intake-accept", case.pk), {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "wrong_status",
        "message": "办件当前状态为“已撤回”，不能执行此操作。",
    }


def _findings(case: Case) -> list[dict[str, Any]]:
    lines = _lines(case)
    return [
        {
            "case_material_id": lines["食品经营许可申请书"],
            "problem": "defective",
            "remark": "未签字",
        },
        {"case_material_id": lines["次要材料1"], "problem": "missing", "remark": "请补交"},
    ]


def test_correction_and_second_correction_sign_off(api, world):
    case = submitted_case(world, when="2026-03-02")
    response = api.post(
        _url("intake-correction", case.pk), {"findings": _findings(case)}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "correction"
    case.refresh_from_db()
    services.case_resubmit(case=case, actor=world.applicant)
    # A second notice without sign-off is refused.
    response = api.post(
        _url("intake-correction", case.pk), {"findings": _findings(case)}, format="json"
    )
    assert response.status_code == 400
    assert "签批" in response.json()["message"]
    # A wrong password is refused; the supervisor's own credentials work.
    sign_off = {"username": "supervisor", "password": "nope", "reason": "新发现的问题"}
    response = api.post(
        _url("intake-correction", case.pk),
        {"findings": _findings(case), "sign_off": sign_off},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["sign_off"] == ["签批人用户名或密码不正确。"]
    assert CorrectionNotice.objects.filter(case=case).count() == 1
    sign_off["password"] = PASSWORD
    response = api.post(
        _url("intake-correction", case.pk),
        {"findings": _findings(case), "sign_off": sign_off},
        format="json",
    )
    assert response.status_code == 200
    assert CorrectionNotice.objects.get(case=case, sequence=2).signed_off_by == world.supervisor


def test_correction_with_a_foreign_material_line_is_refused(api, world):
    case = submitted_case(world, when="2026-03-02")
    other = submitted_case(world, when="2026-03-02")
    foreign = other.materials.first().pk
    response = api.post(
        _url("intake-correction", case.pk),
        {"findings": [{"case_material_id": foreign, "problem": "missing", "remark": "x"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["message"] == "补正材料不属于本办件。"


def test_reject_needs_reasons(api, world):
    case = submitted_case(world, when="2026-03-02")
    response = api.post(_url("intake-reject", case.pk), {"reasons": "  "}, format="json")
    assert response.status_code == 400
    response = api.post(
        _url("intake-reject", case.pk),
        {"reasons": "不属于本机关职权", "competent_agency": "鄂州市住房和城乡建设局"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    notice = case.notices.get(kind=NoticeKind.REJECTION)
    assert notice.content["competent_agency"] == "鄂州市住房和城乡建设局"


def _walk_in(world: World, **applicant: Any) -> dict[str, Any]:
    lines = {m.name: m.pk for m in world.version.materials.all()}
    return {
        "item_code": world.version.item.code,
        "region_code": world.region.code,
        "applicant": json.dumps(
            {
                "kind": "person",
                "full_name": "李四",
                "id_number": make_citizen_id("420702", dt.date(1980, 5, 1), 17),
                "phone": "13907112222",
                **applicant,
            }
        ),
        "form_data": json.dumps(_form_data()),
        **{
            f"material_{pk}": SimpleUploadedFile(f"{name}.pdf", PDF_BYTES, "application/pdf")
            for name, pk in lines.items()
        },
    }


def _form_data() -> dict[str, Any]:
    return {
        "project_name": "鄂州市李四小吃店",
        "premises_address": {
            "province": "湖北省",
            "city": "鄂州市",
            "district": "鄂城区",
            "detail": "古城路129号",
        },
        "contact_name": "李四",
        "contact_phone": "13907112222",
        "application_date": "2026-03-02",
        "application_type": "新办",
    }


def test_walk_in_registration_creates_the_applicant_and_submits(api, world):
    response = api.post(
        _url("intake-walk-in"), _walk_in(world), format="multipart", HTTP_IDEMPOTENCY_KEY="w-1"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted" and body["channel"] == "window"
    case = Case.objects.get(pk=body["id"])
    assert case.applicant.full_name == "李四" and not case.applicant.has_usable_password()
    assert case.created_by == world.clerk
    assert all(line.files.count() == 1 for line in case.materials.all())
    # The same key again: the same case, nothing new.
    again = api.post(
        _url("intake-walk-in"), _walk_in(world), format="multipart", HTTP_IDEMPOTENCY_KEY="w-1"
    )
    assert again.status_code == 200 and again.json()["id"] == case.pk
    assert Case.objects.count() == 1


def test_walk_in_with_a_bad_id_number_creates_nothing(api, world, settings, tmp_path):
    users, files = User.objects.count(), list((tmp_path / "files").rglob("*"))
    response = api.post(
        _url("intake-walk-in"),
        _walk_in(world, id_number="110105194912310021"),
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["applicant"]["id_number"] == [
        "身份证号校验位不正确，请核对后重新输入。"
    ]
    assert Case.objects.count() == 0 and User.objects.count() == users
    assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == [
        p for p in files if p.is_file()
    ]


def test_walk_in_with_an_invalid_form_value_creates_nothing(api, world):
    data = _walk_in(world)
    data["form_data"] = json.dumps({**_form_data(), "contact_phone": "abc"})
    response = api.post(_url("intake-walk-in"), data, format="multipart")
    assert response.status_code == 400
    assert "contact_phone" in response.json()["errors"]["form_data"]
    assert Case.objects.count() == 0


def test_walk_in_for_another_departments_item_is_refused(world):
    client = APIClient()
    client.force_authenticate(world.other_clerk)
    response = client.post(_url("intake-walk-in"), _walk_in(world), format="multipart")
    assert response.status_code == 400
    assert "item_code" in response.json()["errors"]
    assert Case.objects.count() == 0


def test_commitment_ledger_and_fulfil(api, world):
    case = submitted_case(world, skip=1, when="2026-04-29")
    line = _lines(case)["次要材料2"]
    with time_machine.travel(at("2026-04-30"), tick=False):
        services.case_accept(case=case, actor=world.clerk, tolerated_material_ids=[line])
    commitment = Commitment.objects.get(case=case)
    with time_machine.travel(at("2026-05-11"), tick=False):
        rows = api.get(_url("intake-commitments")).json()["results"]
        assert [row["id"] for row in rows] == [commitment.pk]
        assert rows[0]["due"]["working_days_left"] == 5
        bad = api.post(
            _url("intake-commitment-fulfil", commitment.pk),
            {"file": SimpleUploadedFile("x.pdf", b"", "application/pdf")},
            format="multipart",
        )
        assert bad.status_code == 400
        good = api.post(
            _url("intake-commitment-fulfil", commitment.pk),
            {"file": SimpleUploadedFile("补交.pdf", PDF_BYTES, "application/pdf")},
            format="multipart",
        )
    assert good.status_code == 200 and good.json()["status"] == "fulfilled"
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.FULFILLED


def test_notices_are_listed_and_served_as_pdf_to_the_applicant_and_staff(world):
    case = submitted_case(world, when="2026-03-02")
    services.case_accept(case=case, actor=world.clerk)
    notice = case.notices.get()
    client = APIClient()
    for user in (world.applicant, world.clerk, world.supervisor):
        client.force_authenticate(user)
        rows = client.get(_url("case-notices", case.pk)).json()
        assert [row["number"] for row in rows] == [notice.number]
        pdf = client.get(rows[0]["pdf_url"], HTTP_ACCEPT="application/pdf")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf["Content-Disposition"].startswith("attachment")
        assert pdf.content.startswith(b"%PDF")
    stranger = User.objects.create_user(username="x", password=PASSWORD, role=Role.APPLICANT)
    client.force_authenticate(stranger)
    missing = client.get(_url("case-notice-pdf", case.pk, notice.pk), HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    assert client.get(_url("case-notices", case.pk)).status_code == 404
    assert AccessDenied.objects.filter(user=stranger).count() == 2


def test_intake_endpoints_are_in_the_openapi_document(client):
    schema = client.get(reverse("api:schema")).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/intake/queue/",
        "/api/v1/intake/cases/",
        "/api/v1/intake/cases/{case_id}/",
        "/api/v1/intake/cases/{case_id}/accept/",
        "/api/v1/intake/cases/{case_id}/correction/",
        "/api/v1/intake/cases/{case_id}/reject/",
        "/api/v1/intake/commitments/",
        "/api/v1/intake/commitments/{commitment_id}/fulfil/",
        "/api/v1/cases/{case_id}/notices/",
        "/api/v1/cases/{case_id}/notices/{notice_id}/pdf",
    ):
        assert path in paths, path
