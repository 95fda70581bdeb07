"""The certificate API: detail with allowed actions, lifecycle, delivery choose/handover/send/
confirm, the pending-delivery list, public verification — JSON errors and the OpenAPI document."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from onewindow.cases.models import Case, CaseStatus
from onewindow.certificates.models import Certificate, CertificateStatus, Delivery
from onewindow.core.models import AccessDenied

GOOD_ID = "11010519491231002X"


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


def base(case_id: int) -> str:
    return f"/api/v1/cases/{case_id}/"


def test_the_detail_shows_certificate_delivery_due_date_and_actions(client, certificate, personas):
    client.force_login(personas.applicant)
    body = client.get(base(certificate.case_id) + "certificate/").json()
    assert body["case_status"] == "granted"
    assert body["certificate_due"]["date"] == "2025-10-21"
    assert body["delivery_methods"] == ["window", "post", "electronic"]
    assert body["certificate"]["serial"] == "SCJG-2025-000001"
    assert body["certificate"]["verification"] == "valid"
    assert body["certificate"]["verify_url"].endswith(f"/verify/{certificate.token}/")
    assert body["delivery"] is None
    assert body["allowed_actions"] == ["choose"]
    client.force_login(personas.approver_a)
    manager = client.get(base(certificate.case_id) + "certificate/").json()
    assert manager["allowed_actions"] == ["revoke", "withdraw", "cancel"]


def test_revocation_through_the_api(client, certificate, personas):
    client.force_login(personas.approver_a)
    url = base(certificate.case_id) + "certificate/revoke/"
    missing = client.post(url, {}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["code"] == "invalid"
    done = client.post(url, {"reason": "以欺骗手段取得"}, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["certificate"]["status"] == "revoked"
    assert done.json()["certificate"]["verification"] == "revoked"
    again = client.post(
        base(certificate.case_id) + "certificate/cancel/",
        {"reason": "注销"},
        content_type="application/json",
    )
    assert again.status_code == 400 and "只有有效的证照" in again.json()["message"]
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.REVOKED


def test_handover_with_a_bad_id_is_a_400_with_nothing_recorded(client, certificate, personas):
    client.force_login(personas.clerk)
    response = client.post(
        base(certificate.case_id) + "delivery/handover/",
        {"receiver_name": "张伟", "receiver_id_number": "110105194912310021"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "certificate_error",
        "message": "领取人身份证号有误：身份证号校验位不正确，请核对后重新输入。",
    }
    assert not Delivery.objects.filter(case=certificate.case).exists()
    ok = client.post(
        base(certificate.case_id) + "delivery/handover/",
        {"receiver_name": "张伟", "receiver_id_number": GOOD_ID},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["case_status"] == "completed"


def test_post_delivery_through_the_api(client, certificate, personas):
    client.force_login(personas.applicant)
    chosen = client.post(
        base(certificate.case_id) + "delivery/",
        {"method": "post", "address": "鄂州市鄂城区滨湖南路1号", "phone": "13907110001"},
        content_type="application/json",
    )
    assert chosen.status_code == 200 and chosen.json()["delivery"]["method"] == "post"
    client.force_login(personas.clerk)
    listing = client.get("/api/v1/deliveries/pending/").json()
    assert [row["case_number"] for row in listing["results"]] == [certificate.case.number]
    assert listing["results"][0]["certificate_due"]["date"] == "2025-10-21"
    no_tracking = client.post(
        base(certificate.case_id) + "delivery/send/",
        {"carrier": "EMS"},
        content_type="application/json",
    )
    assert no_tracking.status_code == 400
    assert "tracking_number" in no_tracking.json()["errors"]
    sent = client.post(
        base(certificate.case_id) + "delivery/send/",
        {"carrier": "EMS", "tracking_number": "EA123456789CN"},
        content_type="application/json",
    )
    assert sent.json()["delivery"]["status"] == "sent"
    assert sent.json()["allowed_actions"] == ["confirm"]
    confirmed = client.post(base(certificate.case_id) + "delivery/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["case_status"] == "completed"
    assert Case.objects.get(pk=certificate.case_id).status == CaseStatus.COMPLETED


def test_another_departments_clerk_is_a_logged_404(client, certificate, clerk_b):
    client.force_login(clerk_b)
    response = client.post(
        base(certificate.case_id) + "delivery/handover/",
        {"receiver_name": "张伟", "receiver_id_number": GOOD_ID},
        content_type="application/json",
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert AccessDenied.objects.filter(user=clerk_b).exists()
    assert client.get("/api/v1/deliveries/pending/").json()["results"] == []


def test_the_pdf_endpoint_answers_json_errors(client, granted, personas):
    client.force_login(personas.applicant)
    response = client.get(base(granted.pk) + "certificate/pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_every_endpoint_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "/api/v1/certificates/verify/": "certificates_verify_serial",
        "/api/v1/certificates/verify/{token}/": "certificates_verify",
        "/api/v1/cases/{case_id}/certificate/": "certificates_retrieve",
        "/api/v1/cases/{case_id}/certificate/pdf": "certificates_pdf",
        "/api/v1/cases/{case_id}/certificate/revoke/": "certificates_revoke",
        "/api/v1/cases/{case_id}/certificate/withdraw/": "certificates_withdraw",
        "/api/v1/cases/{case_id}/certificate/cancel/": "certificates_cancel",
        "/api/v1/cases/{case_id}/delivery/": "deliveries_choose",
        "/api/v1/cases/{case_id}/delivery/handover/": "deliveries_handover",
        "/api/v1/cases/{case_id}/delivery/send/": "deliveries_send",
        "/api/v1/cases/{case_id}/delivery/confirm/": "deliveries_confirm",
        "/api/v1/deliveries/pending/": "deliveries_pending",
    }
    for path, operation_id in expected.items():
        operations = paths[path]
        assert operation_id in {op["operationId"] for op in operations.values()}, path
    schema = paths["/api/v1/certificates/verify/{token}/"]["get"]["responses"]["200"]
    ref = schema["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/CertificateVerification"
