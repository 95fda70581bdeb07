"""The online application API under /api/v1/cases/ (docs/decisions.md §P1, applicant half)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from onewindow.cases import services
from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseFile,
    CaseNumberSequence,
    CaseStatus,
    MaterialStatus,
    StoredFile,
)
from onewindow.cases.tests import test_apply_fixtures as fx
from onewindow.cases.tests.conftest import PDF_BYTES
from onewindow.cases.tests.test_apply_fixtures import (
    EXE_BYTES,
    VALID_FORM,
    complete_draft,
    draft,
    files_on_disk,
    pdf,
    png,
)
from onewindow.core.models import AccessDenied

aw = fx.aw  # the fixture, shared with the other application tests
BASE = "/api/v1/cases/"


@pytest.fixture
def api(aw):
    client = APIClient()
    client.force_authenticate(aw.applicant)
    return client


def _create(api, aw, **body):
    payload = {"item_code": aw.version.item.code, "region_code": aw.region.code, **body}
    return api.post(BASE, payload, format="json")


def _upload(api, case, line, *files):
    url = f"{BASE}{case.pk}/materials/{line.pk}/files/"
    return api.post(url, {"files": list(files)}, format="multipart")


def _ready(api, aw):
    """A complete draft created and filled in through the API."""
    case_id = _create(api, aw, form_data=VALID_FORM).json()["id"]
    case = Case.objects.get(pk=case_id)
    for n, line in enumerate(case.materials.all()):
        _upload(api, case, line, pdf(f"{n}.pdf", PDF_BYTES + bytes([n])))
    return case


def test_create_a_draft_with_partial_form_data(api, aw):
    response = _create(api, aw, form_data={"project_name": "鄂州示范超市"})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft" and body["number"] is None
    assert body["form_data"] == {"project_name": "鄂州示范超市"}
    assert [f["name"] for f in body["form_fields"]][:2] == ["project_name", "premises_address"]
    assert len(body["materials"]) == 1 + len(aw.non_core)
    assert body["action"]["code"] == "complete_draft"


def test_invalid_form_data_is_refused_per_field_and_no_draft_is_left(api, aw):
    response = _create(api, aw, form_data={"contact_phone": "12", "staff_count": -1})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "电话号码" in body["errors"]["form_data"]["contact_phone"][0]
    assert "不能小于 0" in body["errors"]["form_data"]["staff_count"][0]
    assert not Case.objects.exists()


def test_unknown_item_or_region_is_a_clear_400(api, aw):
    body = api.post(BASE, {"item_code": "NOPE", "region_code": aw.region.code}, format="json")
    assert body.status_code == 400 and "item_code" in body.json()["errors"]
    body = api.post(BASE, {"item_code": aw.version.item.code, "region_code": "0"}, format="json")
    assert body.status_code == 400 and "region_code" in body.json()["errors"]


def test_patch_merges_form_values_and_null_clears_one(api, aw):
    case_id = _create(api, aw, form_data={"project_name": "甲店", "remark": "备注"}).json()["id"]
    url = f"{BASE}{case_id}/"
    response = api.patch(
        url, {"form_data": {"project_name": "甲乙超市", "remark": None}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["form_data"] == {"project_name": "甲乙超市"}
    bad = api.patch(url, {"form_data": {"application_date": "2025-13-01"}}, format="json")
    assert bad.status_code == 400
    assert "application_date" in bad.json()["errors"]["form_data"]
    assert Case.objects.get(pk=case_id).form_data == {"project_name": "甲乙超市"}


def test_upload_several_files_at_once_and_delete_one(api, aw):
    case = draft(aw)
    line = case.materials.get(material=aw.core)
    response = _upload(api, case, line, pdf("a.pdf"), png("b.png"))
    assert response.status_code == 201
    body = response.json()
    assert body["attached"] == 2
    assert [f["name"] for f in body["material"]["files"]] == ["a.pdf", "b.png"]
    file_id = body["material"]["files"][0]["id"]
    download = api.get(f"{BASE}{case.pk}/materials/{line.pk}/files/{file_id}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert api.delete(f"{BASE}{case.pk}/materials/{line.pk}/files/{file_id}/").status_code == 204
    assert CaseFile.objects.filter(case_material=line).count() == 1


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.pdf", EXE_BYTES), "不是 PDF、JPEG 或 PNG 格式"),
        (SimpleUploadedFile("empty.pdf", b""), "是空文件"),
    ],
)
def test_bad_uploads_store_nothing(api, aw, upload, message):
    case = draft(aw)
    line = case.materials.get(material=aw.core)
    response = _upload(api, case, line, pdf("good.pdf"), upload)
    assert response.status_code == 400
    assert response.json()["code"] == "case_error"
    assert message in response.json()["message"]
    assert not StoredFile.objects.exists()
    assert files_on_disk() == []


def test_an_oversized_upload_stores_nothing(api, aw, settings):
    settings.MAX_UPLOAD_MB = 1
    case = draft(aw)
    line = case.materials.get(material=aw.core)
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (1024 * 1024))
    response = _upload(api, case, line, big)
    assert response.status_code == 400
    assert "超过 1 MB" in response.json()["message"]
    assert files_on_disk() == []


def test_reuse_a_document_through_the_api(api, aw):
    earlier = complete_draft(aw)
    stored = fx.any_file(earlier).stored
    case = draft(aw)
    line = case.materials.get(material=aw.core)
    listing = api.get(f"{BASE}{case.pk}/reusable-files/").json()
    assert stored.pk in [row["id"] for row in listing]
    url = f"{BASE}{case.pk}/materials/{line.pk}/files/"
    response = api.post(url, {"reuse": [stored.pk]}, format="json")
    assert response.status_code == 201
    assert CaseFile.objects.get(case_material=line).stored == stored


def test_submit_with_the_same_idempotency_key_creates_one_case(api, aw):
    case = _ready(api, aw)
    url = f"{BASE}{case.pk}/submit/"
    first = api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="key-0001")
    second = api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="key-0001")
    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["number"] and first.json()["query_code"]
    assert CaseEvent.objects.filter(case=case, action="submitted").count() == 1
    assert CaseNumberSequence.objects.get().last == 1
    # Without a key, a repeat is still a no-op that returns the same case.
    third = api.post(url, {}, format="json")
    assert third.status_code == 200 and third.json()["number"] == first.json()["number"]


def test_submit_answers_a_compact_receipt_that_links_to_the_case(api, aw):
    case = _ready(api, aw)
    response = api.post(f"{BASE}{case.pk}/submit/", {}, format="json")
    assert response.status_code == 201
    receipt = response.json()
    case.refresh_from_db()
    assert receipt["id"] == case.pk
    assert (receipt["number"], receipt["query_code"]) == (case.number, case.query_code)
    assert (receipt["status"], receipt["status_label"]) == ("submitted", "已提交，待受理")
    assert receipt["received_on"] == case.received_on.isoformat()
    assert receipt["intake_due"]["date"] == case.intake_due.isoformat()
    assert receipt["intake_due"]["provisional"] is case.due_provisional
    assert "materials" not in receipt and "form_data" not in receipt
    links = receipt["links"]
    detail = api.get(links["detail"])
    assert detail.status_code == 200 and detail.json()["number"] == case.number
    assert api.get(links["notices"]).status_code == 200
    progress = APIClient().get(links["progress"])
    assert progress.status_code == 200
    assert progress.json()["number"] == case.number


def test_submitting_reads_the_case_and_its_related_rows_once(api, aw):
    case = _ready(api, aw)
    url = f"{BASE}{case.pk}/submit/"
    # Access check, lock and reload (with version, region, people), key, form schema, missing
    # materials, number (first of the day: insert), case, event, outbox, key; savepoints.
    with CaptureQueriesContext(connection) as queries:
        response = api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="count-1")
    assert response.status_code == 201
    selects = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and "calendars_" not in q["sql"]  # the calendar's cache
    ]
    # The submission's own reads (6), then its subscribers' (cases/subscriptions.py): the search's
    # usage count (two upserts, no read) and the statistics' rollup (its stored contribution and
    # its stages: 2; the lock and the case's figures: 2).
    subscribers = [sql for sql in selects if sql.split(" FROM ")[1][:8] in ('"search_', '"stats_c')]
    own = [sql for sql in selects if sql not in subscribers]
    assert len(own) <= 9, "\n".join(s[:160] for s in own)
    assert len(subscribers) <= 5, "\n".join(s[:160] for s in subscribers)
    # check, reload; the statistics' figures, and their lock where rows can be locked (not SQLite,
    # whose writer holds the whole database already)
    lock = int(connection.features.has_select_for_update)
    # (the statistics read the case's figures in hand-written SQL: ``FROM "cases_case" c``)
    assert sum('FROM "cases_case"' in sql for sql in selects) == 3 + lock
    for table in ("accounts_user", "catalog_region", "catalog_item", "catalog_itemversion"):
        assert not [sql for sql in selects if sql.split(" FROM ")[1].startswith(f'"{table}"')]


def test_a_key_used_for_another_case_is_refused(api, aw):
    one, two = _ready(api, aw), _ready(api, aw)
    api.post(f"{BASE}{one.pk}/submit/", {}, format="json", HTTP_IDEMPOTENCY_KEY="same-key")
    response = api.post(
        f"{BASE}{two.pk}/submit/", {}, format="json", HTTP_IDEMPOTENCY_KEY="same-key"
    )
    assert response.status_code == 400
    assert "已用于另一办件" in response.json()["message"]
    two.refresh_from_db()
    assert two.status == CaseStatus.DRAFT


def test_a_malformed_idempotency_key_is_refused(api, aw):
    case = _ready(api, aw)
    response = api.post(
        f"{BASE}{case.pk}/submit/", {}, format="json", HTTP_IDEMPOTENCY_KEY="x" * 101
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]


def test_submit_without_a_required_material_names_it(api, aw):
    case_id = _create(api, aw, form_data=VALID_FORM).json()["id"]
    response = api.post(f"{BASE}{case_id}/submit/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "case_error"
    assert aw.core.name in response.json()["message"]
    assert Case.objects.get(pk=case_id).status == CaseStatus.DRAFT


def test_submit_with_required_fields_missing_lists_them(api, aw):
    case = draft(aw)
    for line in case.materials.all():
        _upload(api, case, line, pdf(f"{line.pk}.pdf", PDF_BYTES + bytes([line.pk % 250])))
    response = api.post(f"{BASE}{case.pk}/submit/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]["form_data"]) >= {"project_name", "contact_phone"}


def test_withdraw_and_then_nothing_more(api, aw):
    case = _ready(api, aw)
    api.post(f"{BASE}{case.pk}/submit/", {}, format="json")
    response = api.post(f"{BASE}{case.pk}/withdraw/", {"reason": "不再经营"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    again = api.post(f"{BASE}{case.pk}/withdraw/", {}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "wrong_status"


def test_resubmit_after_a_correction(api, aw):
    case = _ready(api, aw)
    api.post(f"{BASE}{case.pk}/submit/", {}, format="json")
    case.refresh_from_db()
    core = case.materials.get(material=aw.core)
    finding = services.MaterialFinding(core.pk, MaterialStatus.DEFECTIVE, "复印件不清晰")
    services.case_request_correction(case=case, actor=aw.clerk, findings=[finding])
    detail = api.get(f"{BASE}{case.pk}/").json()
    line = next(m for m in detail["materials"] if m["id"] == core.pk)
    assert (line["status"], line["remark"]) == ("defective", "复印件不清晰")
    assert detail["action"]["code"] == "answer_correction"
    assert (
        api.patch(f"{BASE}{case.pk}/", {"form_data": {"remark": "x"}}, format="json").status_code
        == 400
    )
    _upload(api, case, core, png("清晰.png"))
    response = api.post(
        f"{BASE}{case.pk}/resubmit/", {}, format="json", HTTP_IDEMPOTENCY_KEY="fix-1"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    again = api.post(f"{BASE}{case.pk}/resubmit/", {}, format="json", HTTP_IDEMPOTENCY_KEY="fix-1")
    assert again.status_code == 200
    assert CaseEvent.objects.filter(case=case, action="resubmitted").count() == 1


def test_my_cases_are_paginated_with_their_actions(api, aw):
    draft(aw)
    complete_draft(aw, applicant=aw.other_applicant)
    body = api.get(BASE).json()
    assert body["count"] == 1
    assert body["results"][0]["action"]["code"] == "complete_draft"


def test_another_users_case_is_404_and_logged(aw):
    case = complete_draft(aw)
    client = APIClient()
    client.force_authenticate(aw.other_applicant)
    for response in (
        client.get(f"{BASE}{case.pk}/"),
        client.patch(f"{BASE}{case.pk}/", {"form_data": {}}, format="json"),
        client.post(f"{BASE}{case.pk}/submit/", {}, format="json"),
        client.post(f"{BASE}{case.pk}/withdraw/", {}, format="json"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert AccessDenied.objects.filter(user=aw.other_applicant).count() == 4
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT


def test_agent_without_mandate_is_refused_and_with_one_may_file(aw):
    client = APIClient()
    client.force_authenticate(aw.agent)
    body = {
        "item_code": aw.version.item.code,
        "region_code": aw.region.code,
        "applicant_id": aw.applicant.pk,
    }
    refused = client.post(BASE, body, format="json")
    assert refused.status_code == 400
    assert "代办委托" in refused.json()["message"]
    services.mandate_record(
        agent=aw.agent, applicant=aw.applicant, valid_until=fx.tomorrow(), recorded_by=aw.applicant
    )
    created = client.post(BASE, body, format="json")
    assert created.status_code == 201
    assert created.json()["agent"]["id"] == aw.agent.pk


def test_commitment_route_refused_for_an_item_that_does_not_allow_it(api, aw):
    response = _create(api, aw, route="commitment")
    assert response.status_code == 400
    assert "不适用告知承诺制" in response.json()["message"]
    assert not Case.objects.exists()


def test_staff_get_403_and_anonymous_401(aw):
    staff = APIClient()
    staff.force_authenticate(aw.clerk)
    assert staff.get(BASE).status_code == 403
    anonymous = APIClient()
    assert anonymous.get(BASE).status_code == 401


def test_token_authentication_works(aw):
    token = Token.objects.create(user=aw.applicant)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(BASE).status_code == 200


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/cases/",
        "/api/v1/cases/{case_id}/",
        "/api/v1/cases/{case_id}/materials/{line_id}/files/",
        "/api/v1/cases/{case_id}/materials/{line_id}/files/{file_id}/",
        "/api/v1/cases/{case_id}/submit/",
        "/api/v1/cases/{case_id}/withdraw/",
        "/api/v1/cases/{case_id}/resubmit/",
    ):
        assert path in paths
    submit = paths["/api/v1/cases/{case_id}/submit/"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in submit["parameters"]]
    assert {"200", "201", "409"} <= set(submit["responses"])
    receipt = submit["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    assert receipt.endswith("/SubmitReceipt")


def test_my_applications_come_in_keyset_pages_with_a_bounded_count(api, aw):
    """docs/rules/scale.md §Y2: next/previous carry a cursor; every draft once, newest first."""
    made = [_create(api, aw).json()["id"] for _ in range(5)]
    seen: list[int] = []
    url = f"{BASE}?page_size=2"
    while url:
        body = api.get(url).json()
        assert body["count"] == len(made) and body["count_capped"] is False
        seen.extend(row["id"] for row in body["results"])
        url = body["next"]
    assert seen == sorted(made, reverse=True)
    old_style = api.get(BASE, {"page": 2, "page_size": 2}).json()
    assert [row["id"] for row in old_style["results"]] == seen[2:4]
    assert "cursor=" in old_style["next"] and "cursor=" in old_style["previous"]


@pytest.mark.parametrize("cursor", ["garbage", "eyJ2IjpbXX0:1abc:def", "x" * 5000])
def test_a_bad_cursor_is_a_400_naming_it(api, aw, cursor):
    _create(api, aw)
    response = api.get(BASE, {"cursor": cursor})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "cursor" in body["errors"]
    assert "从第一页" in body["errors"]["cursor"][0]


def test_a_page_number_past_the_offset_bound_asks_for_the_next_links(api, aw):
    _create(api, aw)
    response = api.get(BASE, {"page": 10_000, "page_size": 200})
    assert response.status_code == 400 and "next" in response.json()["errors"]["page"][0]
    assert api.get(BASE, {"page": 3}).status_code == 404  # past the end, as before
