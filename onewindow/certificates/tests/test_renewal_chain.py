"""A renewal runs through the ordinary chain (docs/rules/licensing.md §B6): the holder's renewal
case is accepted at the window, reviewed in parallel, granted by the lead's decision service, and
the renewed certificate is handed over at the window, completing the renewal case.

Dates: the item (lead department A 19 working days, department B 15, one day of consolidation)
grants licences valid one year. The licence is granted 2025-04-01: valid until 2026-03-31. The
renewal is submitted 2026-02-02 (more than 30 calendar days before expiry: the last day is
2026-03-01), accepted 2026-02-03, both departments agree 2026-02-20, granted 2026-02-24, before
the 2026-03-31 expiry: valid until 2026-03-31 + one year = 2027-03-31, same serial.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.tests.test_apply_fixtures import VALID_FORM
from onewindow.cases.uploads import case_file_add
from onewindow.catalog.models import ItemVersion
from onewindow.certificates import services
from onewindow.certificates.models import Certificate, Renewal, RenewalOutcome
from onewindow.certificates.services.renewals import renewal_start
from onewindow.review.models import DecisionKind
from onewindow.review.services.decisions import decision_make
from onewindow.review.tests.decision_world import (
    all_agree,
    at,
    case_in_review,
    give_opinion,
    make_world,
)


@pytest.fixture
def world(personas):
    w = make_world(personas)
    ItemVersion.objects.filter(pk=w.version.pk).update(renewable=True, validity_years=1)
    w.version.refresh_from_db()
    return w


def _grant(w, case: Case, day: str):
    with time_machine.travel(at(day, 15), tick=False):
        return decision_make(case=case, actor=w.p.approver_a, kind=DecisionKind.GRANT)


def test_a_renewal_is_accepted_reviewed_granted_and_delivered_like_any_case(client, world):
    w = world
    original = case_in_review(w, accepted="2025-03-27")
    Case.objects.filter(pk=original.pk).update(form_data=VALID_FORM)
    all_agree(w, original)
    _grant(w, original, "2025-04-01")
    licence = Certificate.objects.get(case=original)
    assert licence.valid_until == dt.date(2026, 3, 31)

    with time_machine.travel(at("2026-02-02"), tick=False):
        renewal_case = renewal_start(certificate=licence, actor=w.p.applicant)
        for line in renewal_case.materials.all():
            case_file_add(case_material=line, upload=pdf(), actor=w.p.applicant)
        case_services.application_submit(case=renewal_case, actor=w.p.applicant)
    with time_machine.travel(at("2026-02-03"), tick=False):
        renewal_case.refresh_from_db()
        case_services.case_accept(case=renewal_case, actor=w.p.clerk)
    renewal_case.refresh_from_db()
    assert renewal_case.status == CaseStatus.IN_REVIEW
    give_opinion(w, renewal_case, w.p.dept_a, day="2026-02-20")
    give_opinion(w, renewal_case, w.p.dept_b, day="2026-02-20")
    renewal_case.refresh_from_db()
    _grant(w, renewal_case, "2026-02-24")

    licence.refresh_from_db()
    assert Certificate.objects.count() == 1
    assert licence.valid_until == dt.date(2027, 3, 31)
    assert licence.renewed_on == dt.date(2026, 2, 24) and not licence.renewal_deemed
    renewal = Renewal.objects.get(case=renewal_case)
    assert renewal.outcome == RenewalOutcome.GRANTED
    renewal_case.refresh_from_db()
    assert renewal_case.status == CaseStatus.GRANTED

    # The renewal case delivers the renewed certificate at the window.
    with time_machine.travel(at("2026-02-25"), tick=False):
        services.delivery_handover(
            case=renewal_case,
            actor=w.p.clerk,
            receiver_name="张伟",
            receiver_id_number=w.p.applicant.id_number,
        )
    renewal_case.refresh_from_db()
    assert renewal_case.status == CaseStatus.COMPLETED
    client.force_login(w.p.applicant)
    page = client.get(reverse("certificates:case", args=[renewal_case.pk])).content.decode()
    assert licence.serial in page and "2027-03-31" in page and "延续申请" in page
