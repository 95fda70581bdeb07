"""Who may see a certificate and download its PDF: the applicant, their agent with a mandate in
force, staff of the department, supervisors. Anyone else: 404, logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onewindow.cases import services as case_services
from onewindow.core import clock
from onewindow.core.models import AccessDenied


def _urls(certificate):
    return [
        reverse("certificates:case", args=[certificate.case_id]),
        reverse("certificates:pdf", args=[certificate.case_id]),
        f"/api/v1/cases/{certificate.case_id}/certificate/",
        f"/api/v1/cases/{certificate.case_id}/certificate/pdf",
    ]


@pytest.mark.parametrize(
    "name", ["applicant", "clerk", "handler_a", "reviewer_a", "approver_a", "chief_a", "supervisor"]
)
def test_the_applicant_staff_of_the_department_and_supervisors_may_read(
    client, certificate, personas, name
):
    client.force_login(personas.get(name))
    for url in _urls(certificate):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "name", ["outsider", "enterprise", "reviewer_b", "admin", "auditor", "agent"]
)
def test_anyone_else_gets_a_logged_404(client, certificate, personas, name):
    user = personas.get(name)
    client.force_login(user)
    for url in _urls(certificate):
        assert client.get(url).status_code == 404, url
    assert AccessDenied.objects.filter(user=user).count() == len(_urls(certificate))


def test_applicant_b_cannot_download_applicant_as_certificate(client, certificate, personas):
    client.force_login(personas.outsider)
    response = client.get(reverse("certificates:pdf", args=[certificate.case_id]))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    denied = AccessDenied.objects.get(user=personas.outsider)
    assert denied.target == f"case:{certificate.case_id}:certificate"


def test_an_agent_with_a_mandate_in_force_may_download(client, certificate, personas):
    case_services.mandate_record(
        agent=personas.agent,
        applicant=personas.applicant,
        valid_until=clock.today() + dt.timedelta(days=30),
        recorded_by=personas.applicant,
    )
    client.force_login(personas.agent)
    assert client.get(reverse("certificates:pdf", args=[certificate.case_id])).status_code == 200


def test_an_expired_mandate_gives_no_access(client, certificate, personas):
    case_services.mandate_record(
        agent=personas.agent,
        applicant=personas.applicant,
        valid_until=dt.date(2020, 1, 1),
        recorded_by=personas.applicant,
        today=dt.date(2019, 12, 1),
    )
    client.force_login(personas.agent)
    assert client.get(reverse("certificates:pdf", args=[certificate.case_id])).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, certificate):
    response = client.get(reverse("certificates:pdf", args=[certificate.case_id]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(f"/api/v1/cases/{certificate.case_id}/certificate/").status_code == 401


def test_the_delivery_queue_is_for_clerks_only(client, certificate, personas):
    client.force_login(personas.reviewer_a)
    assert client.get(reverse("certificates:queue")).status_code == 404
    assert client.get("/api/v1/deliveries/pending/").status_code == 404


def test_the_admin_shows_certificates_and_deliveries_read_only(client, certificate, personas):
    from onewindow.accounts.models import User

    root = User.objects.create_superuser("root", "root@example.com", "Test-pass-123")
    client.force_login(root)
    listing = client.get("/admin/certificates/certificate/")
    assert listing.status_code == 200 and certificate.serial in listing.content.decode()
    url = f"/admin/certificates/certificate/{certificate.pk}/change/"
    detail = client.get(url)
    assert detail.status_code == 200
    assert certificate.token not in detail.content.decode()  # the QR secret is not shown
    assert client.post(url, {"holder_name": "李四"}).status_code == 403
    assert client.get("/admin/certificates/certificate/add/").status_code == 403
    assert client.get("/admin/certificates/delivery/").status_code == 200
    from onewindow.certificates.models import Certificate

    assert Certificate.objects.get(pk=certificate.pk).holder_name == "张伟"
