"""Cases in the Django admin: read-only inspection, mandates, false-commitment records (G1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, FalseCommitmentRecord, Mandate, Notice
from onewindow.cases.services import WalkInApplicant
from onewindow.cases.tests.conftest import make_version, pdf
from onewindow.catalog.models import Region, RegionLevel
from onewindow.testing import PASSWORD, Personas, login_with_code

ADMIN = "/admin/cases/"
SOON = dt.date.today() + dt.timedelta(days=30)


@pytest.fixture
def admin(personas: Personas) -> Client:
    client = Client()
    assert login_with_code(client, "admin")
    return client


@pytest.fixture
def case(personas: Personas) -> Case:
    """An accepted walk-in case (so it has events and a notice)."""
    region = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    version, core, _others = make_version(personas.dept_a, non_core=0)
    case = services.case_register_walk_in(
        item_version=version,
        region=region,
        clerk=personas.clerk,
        applicant=WalkInApplicant(
            kind="person",
            full_name=personas.applicant.full_name,
            id_number=personas.applicant.id_number,
        ),
        files={core.pk: [pdf()]},
    )
    services.case_accept(case=case, actor=personas.clerk)
    return case


def html(response: Any) -> str:
    return str(response.content.decode())


@pytest.mark.parametrize("model", ["case", "caseevent", "notice"])
def test_the_admin_inspects_cases_events_and_notices_but_cannot_change_them(
    admin: Client, case: Case, model: str
) -> None:
    obj = {"case": case, "caseevent": case.events.first(), "notice": case.notices.first()}[model]
    assert obj is not None
    listing = admin.get(f"{ADMIN}{model}/")
    assert listing.status_code == 200
    detail = admin.get(f"{ADMIN}{model}/{obj.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in html(detail)
    status_before = Case.objects.get(pk=case.pk).status
    assert admin.post(f"{ADMIN}{model}/{obj.pk}/change/", {"status": "rejected"}).status_code == 403
    assert admin.get(f"{ADMIN}{model}/add/").status_code == 403
    assert admin.post(f"{ADMIN}{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Case.objects.get(pk=case.pk).status == status_before
    assert (CaseEvent.objects.count(), Notice.objects.count()) != (0, 0)


def test_not_even_a_superuser_edits_a_case_in_the_admin(case: Case) -> None:
    User.objects.create_superuser(username="root", password=PASSWORD)
    client = Client()
    assert login_with_code(client, "root")
    assert client.get(f"{ADMIN}case/add/").status_code == 403
    assert client.post(f"{ADMIN}case/{case.pk}/change/", {"status": "rejected"}).status_code == 403
    assert client.post(f"{ADMIN}case/{case.pk}/delete/", {"post": "yes"}).status_code == 403


def test_staff_outside_the_admin_role_do_not_reach_the_admin(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.supervisor)
    assert client.get(f"{ADMIN}case/").status_code == 302  # to the admin login


def _mandate_form(personas: Personas, **changes: Any) -> dict[str, Any]:
    return {
        "applicant": personas.applicant.pk,
        "agent": personas.agent.pk,
        "item": "",
        "valid_until": SOON.isoformat(),
        "note": "窗口登记的书面委托",
    } | changes


def test_the_admin_records_a_mandate_through_the_service(admin: Client, personas: Personas) -> None:
    response = admin.post(f"{ADMIN}mandate/add/", _mandate_form(personas))
    assert response.status_code == 302, html(response)
    mandate = Mandate.objects.get()
    assert (mandate.applicant, mandate.agent, mandate.item) == (
        personas.applicant,
        personas.agent,
        None,
    )
    assert mandate.recorded_by == personas.admin
    listing = html(admin.get(f"{ADMIN}mandate/"))
    assert "全部事项" in listing and "有效" in listing


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"agent": "outsider"}, "受托人不是代办员"),
        ({"applicant": "agent"}, "委托人须为申请人"),
        ({"valid_until": "2000-01-01"}, "委托有效期不能早于今天"),
        ({"valid_until": (SOON + dt.timedelta(days=800)).isoformat()}, "委托有效期最长 2 年"),
    ],
)
def test_a_bad_mandate_in_the_admin_gets_a_clear_message_and_nothing_is_saved(
    admin: Client, personas: Personas, changes: dict[str, str], message: str
) -> None:
    values = {
        k: getattr(personas, v).pk if k in ("agent", "applicant") else v for k, v in changes.items()
    }
    response = admin.post(f"{ADMIN}mandate/add/", _mandate_form(personas, **values))
    assert response.status_code == 200
    assert message in html(response)
    assert not Mandate.objects.exists()


def test_the_admin_revokes_mandates_with_an_action_and_cannot_edit_them(
    admin: Client, personas: Personas
) -> None:
    mandate = services.mandate_record(
        agent=personas.agent,
        applicant=personas.applicant,
        valid_until=SOON,
        recorded_by=personas.applicant,
    )
    edit = admin.post(f"{ADMIN}mandate/{mandate.pk}/change/", _mandate_form(personas))
    assert edit.status_code == 403
    assert admin.post(f"{ADMIN}mandate/{mandate.pk}/delete/", {"post": "yes"}).status_code == 403
    response = admin.post(
        f"{ADMIN}mandate/", {"action": "revoke", "_selected_action": [mandate.pk]}, follow=True
    )
    assert "已撤销 1 份委托" in html(response)
    mandate.refresh_from_db()
    assert mandate.revoked_at is not None
    again = admin.post(
        f"{ADMIN}mandate/", {"action": "revoke", "_selected_action": [mandate.pk]}, follow=True
    )
    assert "1 份委托此前已撤销，已跳过" in html(again)


def test_false_commitments_are_listed_for_the_admin_but_recorded_only_with_g1_rights(
    admin: Client, personas: Personas, case: Case
) -> None:
    services.false_commitment_record(
        applicant=personas.applicant,
        case=case,
        note="承诺的经营场所不存在",
        recorded_by=personas.clerk,
    )
    assert "承诺的经营场所不存在" in html(admin.get(f"{ADMIN}falsecommitmentrecord/"))
    # the center administrator holds none of the G1 rights (intake, approval, supervision)
    assert admin.get(f"{ADMIN}falsecommitmentrecord/add/").status_code == 403
    record = FalseCommitmentRecord.objects.get()
    change = admin.post(f"{ADMIN}falsecommitmentrecord/{record.pk}/change/", {"note": "改写"})
    assert change.status_code == 403


def test_a_superuser_is_a_system_administrator_without_the_g1_rights(
    personas: Personas, case: Case
) -> None:
    """docs/decisions.md §S9: a superuser can only be a system administrator, who records no
    false commitment; supervisors record them on their console (supervision/tests)."""
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_superuser(username="sup", password=PASSWORD, role=Role.SUPERVISOR)
    User.objects.create_superuser(username="root", password=PASSWORD)
    client = Client()
    assert login_with_code(client, "root")
    assert client.get(f"{ADMIN}falsecommitmentrecord/add/").status_code == 403
