"""Renewal of a licence (ALL Art. 50, docs/rules/licensing.md §B6).

The world: 张伟's 食品经营许可证 of an item whose version allows renewal with a validity of one
year, granted and issued on 2025-04-01, so valid 2025-04-01 … 2026-03-31.

Dates counted by hand. Art. 50 asks for the application "在该行政许可有效期届满三十日前": 30
*calendar* days (日; Art. 82's working days count only the agency's own time limits). Expiry
2026-03-31 − 30 days = 2026-03-01 (31 − 30 = 1), a Sunday, and still allowed: the holder's
period does not skip non-working days. 2026-03-02 is too late. The agency must decide "在该行政
许可有效期届满前", i.e. by 2026-03-31; on 2026-04-01 the renewal is deemed granted. A renewal
runs on for the version's one year without a gap: 2026-04-01 … 2027-03-31.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from onewindow.cases import services as case_services
from onewindow.cases.errors import CaseError
from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseFlag,
    CaseStatus,
    FlagKind,
    MaterialStatus,
)
from onewindow.cases.services import MaterialFinding
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.tests.test_apply_fixtures import VALID_FORM
from onewindow.cases.uploads import case_file_add
from onewindow.catalog.models import Material
from onewindow.certificates import jobs, services, signing
from onewindow.certificates.errors import RenewalRefused
from onewindow.certificates.models import Certificate, Renewal, RenewalOutcome
from onewindow.certificates.pdf import certificate_document
from onewindow.certificates.services.renewals import (
    renewal_start,
    renewals_deem,
)
from onewindow.certificates.tests.conftest import (
    accepted_case,
    at,
    certificate_version,
    grant_for_test,
    issue,
)
from onewindow.certificates.validity import latest_application_day
from onewindow.core.jobs import JOBS
from onewindow.core.models import AccessDenied
from onewindow.demo.cases.renewals import renewals_demo
from onewindow.notifications.models import OutboxMessage
from onewindow.supervision.models import CardLevel, Rule
from onewindow.supervision.rules import crossed


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def licence(personas, region) -> Certificate:
    """张伟's certificate, valid 2025-04-01 … 2026-03-31, of a renewable one-year item whose
    second material is not needed for renewal (the simplified list)."""
    version = certificate_version(personas.dept_a, code="CERT-RENEW")
    version.__class__.objects.filter(pk=version.pk).update(renewable=True, validity_years=1)
    version.refresh_from_db()
    case = accepted_case(
        version,
        applicant=personas.applicant,
        clerk=personas.clerk,
        region=region,
        submitted="2025-03-26",
        accepted="2025-03-27",
    )
    Case.objects.filter(pk=case.pk).update(form_data=VALID_FORM)
    decision = grant_for_test(case, approver=personas.approver_a, day="2025-04-01")
    certificate = issue(case, decision, day="2025-04-01")
    assert (certificate.valid_from, certificate.valid_until) == (
        dt.date(2025, 4, 1),
        dt.date(2026, 3, 31),
    )
    return certificate


def _apply(certificate: Certificate, actor, day: str) -> Case:
    """Open the renewal and submit it on ``day`` (10:00, Shanghai)."""
    with time_machine.travel(at(day), tick=False):
        case = renewal_start(certificate=certificate, actor=actor)
        for line in case.materials.all():
            case_file_add(case_material=line, upload=pdf(), actor=actor)
        case_services.application_submit(case=case, actor=actor)
    case.refresh_from_db()
    return case


def _verify_page(client, certificate: Certificate) -> str:
    response = client.get(reverse("certificates:verify_token", args=[certificate.token]))
    assert response.status_code == 200
    return response.content.decode()


# --- when and who may apply ---------------------------------------------------------------------


def test_the_latest_application_day_is_30_calendar_days_before_expiry():
    """2026-03-31 − 30 days = 2026-03-01; 2025-02-28 (no 29th) − 30 days = 2025-01-29."""
    assert latest_application_day(dt.date(2026, 3, 31)) == dt.date(2026, 3, 1)
    assert latest_application_day(dt.date(2025, 2, 28)) == dt.date(2025, 1, 29)


def test_the_holder_may_apply_on_the_last_day_2026_03_01(personas, licence):
    """Submitted on Sunday 2026-03-01, the 30th calendar day before the 2026-03-31 expiry."""
    case = _apply(licence, personas.applicant, "2026-03-01")
    assert case.status == CaseStatus.SUBMITTED and case.number
    assert case.item_version_id == licence.case.item_version_id
    renewal = Renewal.objects.get(case=case)
    assert renewal.certificate == licence and renewal.expires_on == dt.date(2026, 3, 31)
    assert renewal.outcome == ""


def test_a_submission_on_2026_03_02_is_refused_and_nothing_is_filed(personas, licence):
    """Draft opened 2026-02-20 (in time); submitted 2026-03-02, 29 days before expiry: late."""
    with time_machine.travel(at("2026-02-20"), tick=False):
        case = renewal_start(certificate=licence, actor=personas.applicant)
        for line in case.materials.all():
            case_file_add(case_material=line, upload=pdf(), actor=personas.applicant)
    with time_machine.travel(at("2026-03-02"), tick=False), pytest.raises(CaseError) as err:
        case_services.application_submit(case=case, actor=personas.applicant)
    assert "三十日前" in err.value.message and "最迟应于 2026-03-01" in err.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT and case.number is None and case.submitted_at is None


def test_opening_a_renewal_late_expired_or_for_a_non_renewable_item_is_refused(personas, licence):
    """2026-03-02: late; 2026-04-01: expired the day before; item without renewal."""
    for day, words in (("2026-03-02", "最迟应于 2026-03-01"), ("2026-04-01", "2026-03-31 届满")):
        with time_machine.travel(at(day), tick=False), pytest.raises(RenewalRefused) as err:
            renewal_start(certificate=licence, actor=personas.applicant)
        assert words in err.value.message
    version = licence.case.item_version
    version.__class__.objects.filter(pk=version.pk).update(renewable=False)
    with time_machine.travel(at("2026-02-01"), tick=False), pytest.raises(RenewalRefused) as err:
        renewal_start(certificate=licence, actor=personas.applicant)
    assert "不适用延续" in err.value.message
    assert not Renewal.objects.exists()
    assert Case.objects.count() == 1


def test_the_renewal_asks_only_for_the_materials_marked_for_renewal(personas, licence):
    """The item's simplified list: a line with for_renewal off is not on the renewal draft."""
    version = licence.case.item_version
    Material.objects.bulk_create(
        [Material(version=version, sort=2, name="场所平面图", for_renewal=False)]
    )
    with time_machine.travel(at("2026-02-02"), tick=False):
        case = renewal_start(certificate=licence, actor=personas.applicant)
    assert list(case.materials.values_list("material__name", flat=True)) == ["食品经营许可申请书"]
    # The form comes prefilled from the licence's application, marked 延续.
    assert case.form_data["project_name"] == VALID_FORM["project_name"]
    assert (
        case.form_data["application_type"] == "延续"
        and case.form_data["application_date"] == "2026-02-02"
    )
    # Opening again returns the same draft instead of a second renewal.
    with time_machine.travel(at("2026-02-03"), tick=False):
        assert renewal_start(certificate=licence, actor=personas.applicant) == case
    assert Renewal.objects.count() == 1


def test_a_second_renewal_while_one_is_submitted_is_refused(personas, licence):
    _apply(licence, personas.applicant, "2026-02-02")
    with time_machine.travel(at("2026-02-03"), tick=False), pytest.raises(RenewalRefused) as err:
        renewal_start(certificate=licence, actor=personas.applicant)
    assert "已有延续申请正在办理" in err.value.message


def test_only_the_holder_may_apply_others_get_a_logged_404(client, personas, licence):
    url = reverse("certificates:renew", args=[licence.case_id])
    api = f"/api/v1/cases/{licence.case_id}/certificate/renewal/"
    for user in (personas.outsider, personas.clerk, personas.approver_a, personas.supervisor):
        client.force_login(user)
        with time_machine.travel(at("2026-02-02"), tick=False):
            assert client.post(url).status_code == 404
            assert client.post(api).status_code == 404
    assert AccessDenied.objects.filter(target__contains="renewal").count() == 8
    assert not Renewal.objects.exists()


def test_the_holders_mandated_agent_may_apply_for_them(client, personas, licence):
    """Without a mandate the agent gets a logged 404; with one in force (recorded 2026-01-05,
    until 2026-12-31) the renewal is the holder's case, filed by the agent."""
    url = reverse("certificates:renew", args=[licence.case_id])
    client.force_login(personas.agent)
    with time_machine.travel(at("2026-02-02"), tick=False):
        assert client.post(url).status_code == 404
    case_services.mandate_record(
        agent=personas.agent,
        applicant=personas.applicant,
        valid_until=dt.date(2026, 12, 31),
        recorded_by=personas.applicant,
        today=dt.date(2026, 1, 5),
    )
    with time_machine.travel(at("2026-02-02"), tick=False):
        assert client.post(url).status_code == 302
    case = Renewal.objects.get().case
    assert (case.applicant, case.agent) == (personas.applicant, personas.agent)


def test_the_holder_applies_from_the_certificate_page(client, personas, licence):
    """The page shows the last day and a 申请延续 button; the button opens the draft."""
    client.force_login(personas.applicant)
    page_url = reverse("certificates:case", args=[licence.case_id])
    with time_machine.travel(at("2026-02-02"), tick=False):
        html = client.get(page_url).content.decode()
        assert "申请延续" in html and "最迟 2026-03-01" in html
        response = client.post(reverse("certificates:renew", args=[licence.case_id]))
    case = Renewal.objects.get().case
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:application", args=[case.pk])
    with time_machine.travel(at("2026-03-05"), tick=False):
        html = client.get(page_url).content.decode()
    assert "继续填写延续申请" in html


def test_a_late_holder_sees_why_instead_of_the_button(client, personas, licence):
    client.force_login(personas.applicant)
    with time_machine.travel(at("2026-03-02"), tick=False):
        html = client.get(reverse("certificates:case", args=[licence.case_id])).content.decode()
        response = client.post(reverse("certificates:renew", args=[licence.case_id]))
    assert 'action="/cases/' not in html.split("renewal-title")[1].split("</section>")[0]
    assert "现已超过期限" in html
    assert response.status_code == 400 and "现已超过期限" in response.content.decode()
    assert not Renewal.objects.exists()


def test_the_api_opens_the_renewal_and_reports_it(client, personas, licence):
    client.force_login(personas.applicant)
    api = f"/api/v1/cases/{licence.case_id}/certificate/renewal/"
    with time_machine.travel(at("2026-02-02"), tick=False):
        body = client.get(f"/api/v1/cases/{licence.case_id}/certificate/").json()
        assert body["renewal"]["latest_application_day"] == "2026-03-01"
        assert body["renewal"]["refusal"] == "" and "renew" in body["allowed_actions"]
        first = client.post(api)
        again = client.post(api)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["case_id"] == again.json()["case_id"] == Renewal.objects.get().case_id
    with time_machine.travel(at("2026-02-03"), tick=False):
        case = Renewal.objects.get().case
        for line in case.materials.all():
            case_file_add(case_material=line, upload=pdf(), actor=personas.applicant)
        case_services.application_submit(case=case, actor=personas.applicant)
        body = client.get(f"/api/v1/cases/{licence.case_id}/certificate/").json()
    # Submitted: under way, so no second renewal is offered.
    assert body["renewal"]["open_case_id"] == case.pk and "renew" not in body["allowed_actions"]
    with time_machine.travel(at("2026-03-02"), tick=False):
        Renewal.objects.all().delete()
        late = client.post(api)
    assert late.status_code == 400 and "三十日前" in late.json()["message"]


# --- granted ------------------------------------------------------------------------------------


def test_a_grant_extends_the_same_certificate_for_the_items_period(client, personas, licence):
    """Applied 2026-02-02, accepted 2026-02-03, granted 2026-03-10 (before expiry): valid
    until 2026-03-31 + 1 year = 2027-03-31; same serial and QR token, re-signed."""
    case = _apply(licence, personas.applicant, "2026-02-02")
    case_services.case_accept(case=case, actor=personas.clerk, now=at("2026-02-03"))
    decision = grant_for_test(case, approver=personas.approver_a, day="2026-03-10")
    result = issue(case, decision, day="2026-03-10")
    licence.refresh_from_db()
    assert result.pk == licence.pk and Certificate.objects.count() == 1
    assert licence.valid_until == dt.date(2027, 3, 31)
    assert licence.renewed_on == dt.date(2026, 3, 10) and not licence.renewal_deemed
    assert signing.signature_valid(licence)
    renewal = Renewal.objects.get(case=case)
    assert renewal.outcome == RenewalOutcome.GRANTED
    assert renewal.new_valid_until == dt.date(2027, 3, 31)
    event = CaseEvent.objects.get(case=case, action="certificate_renewed")
    assert OutboxMessage.objects.filter(event=event).exists()
    assert CaseEvent.objects.filter(case=licence.case, action="certificate_renewed").exists()
    with time_machine.travel(at("2026-04-02"), tick=False):
        html = _verify_page(client, licence)
    assert 'data-state="valid"' in html and "2027-03-31" in html
    assert 'data-renewal="granted"' in html
    # The renewal case delivers the renewed certificate through the usual delivery page.
    client.force_login(personas.applicant)
    page = client.get(reverse("certificates:case", args=[case.pk])).content.decode()
    assert licence.serial in page and "2027-03-31" in page
    # Nothing else is deemed later.
    assert renewals_deem(today=dt.date(2026, 4, 1), now=at("2026-04-01")) == 0


# --- deemed -------------------------------------------------------------------------------------


def test_no_decision_by_the_expiry_date_is_deemed_renewal(client, personas, licence):
    """Applied 2026-02-02, accepted 2026-02-03, still in intake/review on 2026-03-31 (the last
    day to decide): nothing yet. On 2026-04-01 the job deems it renewed: valid until
    2027-03-31, recorded, flagged, the holder told; a second run changes nothing."""
    case = _apply(licence, personas.applicant, "2026-02-02")
    case_services.case_accept(case=case, actor=personas.clerk, now=at("2026-02-03"))
    with time_machine.travel(at("2026-03-31", 23), tick=False):
        assert renewals_deem() == 0
        assert 'data-state="valid"' in _verify_page(client, licence)
    # The background loop's job (registered like the other periodic jobs) does it.
    assert JOBS["certificates.deem_renewals"].func is jobs.deem_renewals
    with time_machine.travel(at("2026-04-01", 0), tick=False):
        assert jobs.deem_renewals() == 1
        assert renewals_deem() == 0
        cache.clear()
        html = _verify_page(client, licence)
    licence.refresh_from_db()
    assert licence.valid_until == dt.date(2027, 3, 31)
    assert licence.renewed_on == dt.date(2026, 4, 1) and licence.renewal_deemed
    assert signing.signature_valid(licence)
    assert 'data-state="valid"' in html and "2027-03-31" in html
    assert 'data-renewal="deemed"' in html and "视为准予延续" in html
    blocks = [str(block) for block in certificate_document(licence).blocks]
    assert any(
        "第五十条于 2026年4月1日 视为准予延续，有效期延续至 2027年3月31日" in b for b in blocks
    )
    renewal = Renewal.objects.get(case=case)
    assert renewal.outcome == RenewalOutcome.DEEMED
    assert renewal.new_valid_until == dt.date(2027, 3, 31)
    flag = CaseFlag.objects.get(case=case, kind=FlagKind.DEEMED_RENEWAL)
    assert "第五十条" in flag.note
    event = CaseEvent.objects.get(case=case, action="renewal_deemed")
    assert OutboxMessage.objects.filter(event=event).exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW  # the case stays with the department
    rule = Rule.objects.get(code="deemed_renewal")
    hits = crossed(rule, CardLevel.RED, dt.date(2026, 4, 1))
    assert [(hit.case_id, hit.due) for hit in hits] == [(case.pk, dt.date(2026, 3, 31))]


def test_a_renewal_waiting_for_corrections_or_rejected_is_not_deemed(personas, licence):
    """Two renewals: one waiting since 2026-02-03 for the applicant's corrections, the other
    rejected at intake; neither is the agency's silence on 2026-04-01."""
    waiting = _apply(licence, personas.applicant, "2026-02-02")
    line = waiting.materials.get()
    case_services.case_request_correction(
        case=waiting,
        actor=personas.clerk,
        findings=[MaterialFinding(line.pk, MaterialStatus.DEFECTIVE, "不清晰")],
        now=at("2026-02-03"),
    )
    assert renewals_deem(today=dt.date(2026, 4, 1), now=at("2026-04-01")) == 0
    Renewal.objects.all().delete()
    rejected = _apply(licence, personas.applicant, "2026-02-04")
    case_services.case_reject(
        case=rejected, actor=personas.clerk, reasons="材料不符合要求", now=at("2026-02-05")
    )
    assert renewals_deem(today=dt.date(2026, 4, 1), now=at("2026-04-01")) == 0
    licence.refresh_from_db()
    assert licence.valid_until == dt.date(2026, 3, 31) and licence.renewed_on is None


def test_staff_see_the_departments_renewals(client, personas, licence):
    _apply(licence, personas.applicant, "2026-02-02")
    client.force_login(personas.clerk)
    html = client.get(reverse("certificates:renewals")).content.decode()
    assert licence.serial in html and "2026-03-31" in html
    body = client.get("/api/v1/renewals/").json()
    assert [row["serial"] for row in body["results"]] == [licence.serial]
    client.force_login(personas.applicant)
    assert client.get(reverse("certificates:renewals")).status_code == 404
    assert client.get("/api/v1/renewals/").status_code == 404


def test_the_demo_files_one_renewal_for_the_demo_applicant(personas, licence):
    """The licence handed over 2025-04-02; on 2026-02-02 the demo applies to renew it."""
    services.delivery_handover(
        case=licence.case,
        actor=personas.clerk,
        receiver_name="张伟",
        receiver_id_number=personas.applicant.id_number,
        now=at("2025-04-02"),
    )
    holder = personas.applicant
    assert renewals_demo(holders=[holder], now=at("2026-02-02"), today=dt.date(2026, 2, 2)) == 1
    renewal = Renewal.objects.get()
    assert renewal.certificate == licence and renewal.case.status == CaseStatus.SUBMITTED
    assert renewals_demo(holders=[holder], now=at("2026-02-03"), today=dt.date(2026, 2, 3)) == 0
