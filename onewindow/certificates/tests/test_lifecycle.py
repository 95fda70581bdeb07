"""The licence lifecycle (ALL Arts. 8, 69, 70): revoke, withdraw, cancel — by the issuing
department's certificate managers, with a reason, only from valid; re-signed, recorded, told."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases.errors import CaseError, WrongStatus
from onewindow.cases.models import CaseEvent
from onewindow.certificates import services, signing
from onewindow.certificates.models import Certificate, CertificateStatus
from onewindow.core.models import AccessDenied
from onewindow.notifications.models import OutboxMessage
from onewindow.notifications.texts import compose


def _reload(certificate):
    return Certificate.objects.get(pk=certificate.pk)


@pytest.mark.parametrize(
    ("action", "status", "event"),
    [
        ("revoke", CertificateStatus.REVOKED, "certificate_revoked"),
        ("withdraw", CertificateStatus.WITHDRAWN, "certificate_withdrawn"),
        ("cancel", CertificateStatus.CANCELLED, "certificate_cancelled"),
    ],
)
def test_each_action_changes_the_status_re_signs_records_and_tells_the_holder(
    certificate, personas, action, status, event
):
    services.certificate_status_change(
        certificate=certificate, actor=personas.approver_a, reason="依法处理", action=action
    )
    stored = _reload(certificate)
    assert stored.status == status
    assert stored.status_reason == "依法处理"
    assert stored.status_changed_by == personas.approver_a
    assert stored.status_changed_at is not None
    assert signing.signature_valid(stored)  # a lawful change does not read "tampered"
    recorded = CaseEvent.objects.get(case=certificate.case, action=event)
    assert recorded.reason == "依法处理" and recorded.actor == personas.approver_a
    assert OutboxMessage.objects.filter(event=recorded).exists()
    body = compose(recorded).body
    assert certificate.serial in body and "依法处理" in body and "行政复议" in body


def test_a_reason_is_required_and_nothing_changes_without_one(certificate, personas):
    for reason in ("", "   "):
        with pytest.raises(CaseError, match="理由"):
            services.certificate_revoke(
                certificate=certificate, actor=personas.approver_a, reason=reason
            )
    stored = _reload(certificate)
    assert stored.status == CertificateStatus.VALID and stored.signature == certificate.signature
    assert not CaseEvent.objects.filter(action="certificate_revoked").exists()


def test_only_a_valid_certificate_changes_status(certificate, personas):
    services.certificate_revoke(certificate=certificate, actor=personas.approver_a, reason="欺骗")
    with pytest.raises(WrongStatus, match="只有有效的证照可以注销"):
        services.certificate_cancel(certificate=certificate, actor=personas.chief_a, reason="注销")
    assert _reload(certificate).status == CertificateStatus.REVOKED


def test_a_tampered_certificate_is_not_re_signed_by_a_lifecycle_action(certificate, personas):
    Certificate.objects.filter(pk=certificate.pk).update(holder_name="李四")
    with pytest.raises(CaseError, match="篡改"):
        services.certificate_revoke(certificate=certificate, actor=personas.approver_a, reason="x")
    assert not signing.signature_valid(_reload(certificate))


def test_only_certificate_managers_of_the_issuing_department_may_act(
    certificate, personas, approver_b
):
    for actor in (personas.clerk, personas.reviewer_a, personas.supervisor, approver_b):
        with pytest.raises(CaseError, match="证照管理人员"):
            services.certificate_revoke(certificate=certificate, actor=actor, reason="x")
    assert _reload(certificate).status == CertificateStatus.VALID


def test_the_page_form_revokes_for_the_approver(client, certificate, personas):
    client.force_login(personas.approver_a)
    page = client.get(reverse("certificates:case", args=[certificate.case_id]))
    assert reverse("certificates:action", args=[certificate.case_id, "revoke"]) in (
        page.content.decode()
    )
    url = reverse("certificates:action", args=[certificate.case_id, "revoke"])
    response = client.post(url, {"revoke-reason": "以贿赂手段取得许可"})
    assert response.status_code == 302
    assert _reload(certificate).status == CertificateStatus.REVOKED


def test_the_page_refuses_an_empty_reason_with_a_message(client, certificate, personas):
    client.force_login(personas.chief_a)
    url = reverse("certificates:action", args=[certificate.case_id, "withdraw"])
    response = client.post(url, {"withdraw-reason": ""})
    assert response.status_code == 400
    assert "请填写理由" in response.content.decode()
    assert _reload(certificate).status == CertificateStatus.VALID


def test_another_departments_approver_gets_a_logged_404(client, certificate, approver_b):
    client.force_login(approver_b)
    url = reverse("certificates:action", args=[certificate.case_id, "revoke"])
    assert client.post(url, {"revoke-reason": "x"}).status_code == 404
    assert AccessDenied.objects.filter(user=approver_b).exists()
    assert _reload(certificate).status == CertificateStatus.VALID


def test_a_clerk_of_the_department_cannot_revoke_either(client, certificate, personas):
    client.force_login(personas.clerk)
    url = reverse("certificates:action", args=[certificate.case_id, "cancel"])
    assert client.post(url, {"cancel-reason": "x"}).status_code == 404
    assert AccessDenied.objects.filter(user=personas.clerk).exists()
