"""Public verification (/verify/<token>/, /verify/ and the API): valid, revoked with date and
reason, tampered after any stored field is changed directly in the database, a plain "not found"
for anything unknown, the holder masked, and a per-address rate limit."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from onewindow.certificates import services
from onewindow.certificates.models import Certificate, CertificateStatus
from onewindow.certificates.selectors import mask_name, mask_number
from onewindow.certificates.tests.conftest import at

NOT_FOUND = "未找到该证照，请核对证书编号或二维码。"


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


def page(client, certificate):
    return client.get(reverse("certificates:verify_token", args=[certificate.token]))


def api(client, certificate):
    return client.get(f"/api/v1/certificates/verify/{certificate.token}/")


def test_a_valid_certificate_reads_valid_with_the_holder_masked(client, certificate, personas):
    response = page(client, certificate)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="valid"' in html and "该证照真实有效" in html
    id_number = personas.applicant.id_number
    assert f"{id_number[:4]}**********{id_number[-4:]}" in html
    assert id_number not in html
    assert "张*" in html and "张伟" not in html
    assert certificate.serial in html and "食品经营许可证" in html
    assert "2030-09-29" in html and "鄂州市市场监督管理局" in html
    body = api(client, certificate).json()
    assert body["state"] == "valid"
    assert body["holder_id"] == mask_number(id_number)


@pytest.mark.parametrize(
    "change",
    [
        {"holder_name": "李四"},
        {"valid_until": dt.date(2040, 12, 31)},
        {"status": CertificateStatus.REVOKED},
        {"scope": "经营项目：全部食品"},
        {"holder_id_number": "110105194912310021"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_field_changed_directly_in_the_database_reads_tampered(client, certificate, change):
    Certificate.objects.filter(pk=certificate.pk).update(**change)
    html = page(client, certificate).content.decode()
    assert 'data-state="tampered"' in html
    assert "可能已被篡改" in html
    assert 'data-state="valid"' not in html
    # Nothing of the changed record is shown as if it were true.
    assert "李四" not in html and "2040" not in html and "全部食品" not in html
    assert api(client, certificate).json()["state"] == "tampered"


def test_a_revoked_certificate_reads_revoked_with_date_and_reason(client, certificate, personas):
    with time_machine.travel(at("2025-11-03"), tick=False):
        services.certificate_revoke(
            certificate=certificate,
            actor=personas.approver_a,
            reason="申请人以欺骗手段取得许可",
        )
    html = page(client, certificate).content.decode()
    assert 'data-state="revoked"' in html and 'data-state="tampered"' not in html
    assert "已撤销" in html and "2025-11-03" in html and "申请人以欺骗手段取得许可" in html
    assert "已于 2025-11-03 被撤销，不再有效" in html
    body = api(client, certificate).json()
    assert body["state"] == "revoked"
    assert body["status_changed_on"] == "2025-11-03"
    assert body["status_reason"] == "申请人以欺骗手段取得许可"


def _second_certificate(personas, granted):
    from onewindow.certificates.tests.conftest import accepted_case, grant_for_test, issue

    case = accepted_case(
        granted.item_version,
        applicant=personas.outsider,
        clerk=personas.clerk,
        region=granted.region,
    )
    return issue(case, grant_for_test(case, approver=personas.approver_a))


def test_withdrawn_and_cancelled_read_as_such(client, personas, certificate, granted):
    services.certificate_withdraw(
        certificate=certificate, actor=personas.chief_a, reason="法规修改"
    )
    assert api(client, certificate).json()["state"] == "withdrawn"
    assert 'data-state="withdrawn"' in page(client, certificate).content.decode()
    other = _second_certificate(personas, granted)
    services.certificate_cancel(
        certificate=other, actor=personas.approver_a, reason="持证人申请注销"
    )
    assert api(client, other).json()["state"] == "cancelled"


def test_an_expired_certificate_is_genuine_but_expired(client, certificate):
    with time_machine.travel(at("2030-09-30"), tick=False):
        body = api(client, certificate).json()
    assert body["state"] == "expired"


def test_the_serial_form_finds_the_certificate_ignoring_case_and_spaces(client, certificate):
    response = client.post(reverse("certificates:verify"), {"serial": " scjg-2025-000001 "})
    assert response.status_code == 200
    assert 'data-state="valid"' in response.content.decode()
    by_query = client.get(reverse("certificates:verify"), {"serial": certificate.serial})
    assert 'data-state="valid"' in by_query.content.decode()
    body = client.get("/api/v1/certificates/verify/", {"serial": certificate.serial}).json()
    assert body["serial"] == certificate.serial


def test_an_unknown_token_or_serial_is_a_plain_not_found(client, certificate):
    for token in ("x" * 32, "nope", "a" * 200):
        response = client.get(reverse("certificates:verify_token", args=[token]))
        assert response.status_code == 404
        html = response.content.decode()
        assert NOT_FOUND in html and "data-state" not in html
    response = client.post(reverse("certificates:verify"), {"serial": "SCJG-2025-999999"})
    assert NOT_FOUND in response.content.decode()
    assert "data-state" not in response.content.decode()
    missing = client.get("/api/v1/certificates/verify/not-a-token/")
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "message": NOT_FOUND}


def test_the_verification_page_needs_no_login_and_is_in_the_navigation(client, certificate):
    home = client.get("/")
    assert reverse("certificates:verify") in home.content.decode()
    assert client.get(reverse("certificates:verify")).status_code == 200


def test_lookups_are_limited_per_address_on_page_and_api_together(client, certificate, settings):
    settings.CERTIFICATE_VERIFY_PER_MINUTE = 2
    assert page(client, certificate).status_code == 200
    assert api(client, certificate).status_code == 200
    limited = page(client, certificate)
    assert limited.status_code == 429 and "查询过于频繁" in limited.content.decode()
    throttled = api(client, certificate)
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"


def test_masking_keeps_the_ends_and_organisations_in_full():
    assert mask_number("420704198506150111") == "4207**********0111"
    assert mask_name("张伟", "110105194912310021") == "张伟"  # not a valid citizen ID → as is
    assert mask_name("欧阳明华", "11010519491231002X") == "欧**华"
    assert mask_name("鄂州市示范科技有限公司", "91110000600037341L") == "鄂州市示范科技有限公司"
