"""Mandate scopes and when a mandate authorises (docs/rules/mandates.md §T1, §T2, §T4, §T6).

Every refusal is checked through the pages AND the API: the agent's request on a case they may
not reach is a 404 with an AccessDenied row; filing without a covering mandate is refused; a
mandate dated in the past is refused with a clear message and nothing is saved.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.cases import mandate_scopes, selectors, services
from onewindow.cases.errors import CaseError
from onewindow.cases.models import Case, Mandate
from onewindow.cases.tests import test_apply_fixtures as fx
from onewindow.core.models import AccessDenied

aw = fx.aw  # the fixture, shared with the other application tests

TODAY = dt.date(2026, 5, 6)
PROJECT, OTHER_PROJECT = 7, 8


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 5, 6, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def projects(aw):
    """A fake projects app: project 7 holds the food licence item (aw.version's), project 8
    holds only the other item; both exist."""
    saved = mandate_scopes.registered()
    held = {PROJECT: {aw.version.item_id}, OTHER_PROJECT: {aw.commitment_version.item_id}}

    def covers(project_id: int, item_id: int, case: Case | None) -> bool:
        return item_id in held.get(project_id, set())

    services.register_project_scope(
        covers, name=lambda pid: {PROJECT: "花湖物流园", OTHER_PROJECT: "临空产业园"}.get(pid)
    )
    yield held
    mandate_scopes.restore(saved)


def grant(aw, **kw):
    return services.mandate_record(
        agent=aw.agent,
        applicant=aw.applicant,
        valid_until=kw.pop("valid_until", dt.date(2026, 12, 31)),
        recorded_by=aw.applicant,
        **kw,
    )


def submitted_by_applicant(aw, version=None) -> Case:
    """A case the applicant filed and submitted themselves (no agent on it)."""
    case = fx.draft(aw, version=version) if version else fx.complete_draft(aw)
    if version is not None:
        uploads = {line.pk: [fx.pdf(f"{line.pk}.pdf")] for line in case.materials.all()}
        services.application_save(
            case=case,
            actor=aw.applicant,
            changes=services.ApplicationChanges(form_data=dict(fx.VALID_FORM), uploads=uploads),
        )
    services.application_submit(case=case, actor=aw.applicant)
    case.refresh_from_db()
    return case


def reach(user, case) -> tuple[int, int]:
    """The case page and the API case detail for ``user``."""
    client = Client()
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    return (
        client.get(reverse("cases:application", args=[case.pk])).status_code,
        api.get(f"/api/v1/cases/{case.pk}/").status_code,
    )


def denied(user, case) -> int:
    return AccessDenied.objects.filter(user=user, target=f"case:{case.pk}").count()


def can_file(aw, version=None) -> bool:
    try:
        fx.draft(aw, actor=aw.agent, applicant=aw.applicant, version=version)
    except CaseError:
        return False
    return True


# --- no mandate, expired, revoked, out of scope ---------------------------------------------------


def test_without_a_mandate_the_agent_neither_files_nor_sees(aw):
    case = submitted_by_applicant(aw)
    assert not can_file(aw)
    assert reach(aw.agent, case) == (404, 404)
    assert denied(aw.agent, case) == 2
    api = APIClient()
    api.force_authenticate(aw.agent)
    body = {"item_code": aw.version.item.code, "region_code": aw.region.code}
    refused = api.post("/api/v1/cases/", {**body, "applicant_id": aw.applicant.pk}, format="json")
    assert refused.status_code == 400
    assert "有效的代办委托" in refused.json()["message"]
    assert Case.objects.filter(agent=aw.agent).count() == 0


def test_a_case_mandate_lets_the_agent_reach_that_case_only(aw):
    case = submitted_by_applicant(aw)
    other = submitted_by_applicant(aw, version=aw.commitment_version)
    grant(aw, case=case)
    assert reach(aw.agent, case) == (200, 200)
    assert reach(aw.agent, other) == (404, 404)  # another case of the same principal
    assert denied(aw.agent, other) == 2
    assert not can_file(aw)  # a case mandate never covers a new filing
    assert list(selectors.cases_of_applicant(aw.agent)) == [case]


def test_a_case_mandate_lets_the_agent_act_on_the_case(aw):
    case = submitted_by_applicant(aw)
    grant(aw, case=case)
    services.application_withdraw(case=case, actor=aw.agent, reason="申请人委托撤回")
    case.refresh_from_db()
    assert case.status == "withdrawn"


def test_an_expired_case_mandate_hides_the_case(aw):
    case = submitted_by_applicant(aw)
    grant(aw, case=case, valid_until=dt.date(2026, 5, 8))
    assert reach(aw.agent, case) == (200, 200)
    with time_machine.travel(dt.datetime(2026, 5, 9, 10, tzinfo=dt.UTC), tick=False):
        assert reach(aw.agent, case) == (404, 404)
        assert reach(aw.applicant, case) == (200, 200)
    assert denied(aw.agent, case) == 2


def test_a_mandate_not_yet_started_authorises_nothing(aw):
    case = submitted_by_applicant(aw)
    grant(aw, case=case, valid_from=dt.date(2026, 5, 10))
    assert reach(aw.agent, case) == (404, 404)
    with time_machine.travel(dt.datetime(2026, 5, 10, 10, tzinfo=dt.UTC), tick=False):
        assert reach(aw.agent, case) == (200, 200)


def test_revocation_takes_effect_in_the_middle_of_the_agents_session(aw):
    case = submitted_by_applicant(aw)
    mandate = grant(aw, case=case)
    agent = Client()
    agent.force_login(aw.agent)
    page = reverse("cases:application", args=[case.pk])
    assert agent.get(page).status_code == 200
    principal = Client()
    principal.force_login(aw.applicant)
    assert principal.post(reverse("cases:mandate_revoke", args=[mandate.pk])).status_code == 302
    assert agent.get(page).status_code == 404  # the same session, the very next request
    api = APIClient()
    api.force_authenticate(aw.agent)
    assert api.post(f"/api/v1/cases/{case.pk}/withdraw/").status_code == 404
    assert denied(aw.agent, case) == 2
    mandate.refresh_from_db()
    assert mandate.revoked_by == aw.applicant
    case.refresh_from_db()
    assert case.status == "submitted"


def test_an_item_mandate_for_another_item_covers_nothing_here(aw):
    grant(aw, item=aw.commitment_version.item)
    assert not can_file(aw)
    assert can_file(aw, version=aw.commitment_version)


def test_the_agent_of_an_item_mandate_does_not_reach_cases_the_applicant_filed(aw):
    case = submitted_by_applicant(aw)
    grant(aw, item=aw.version.item)
    assert reach(aw.agent, case) == (404, 404)
    assert denied(aw.agent, case) == 2


# --- key projects (the scope a fake projects app answers) -----------------------------------------


def test_without_a_registered_project_scope_no_project_mandate_is_recorded(aw):
    saved = mandate_scopes.registered()
    mandate_scopes.register(None)
    try:
        with pytest.raises(CaseError, match="没有找到编号为 7 的重点项目"):
            grant(aw, project_id=PROJECT)
    finally:
        mandate_scopes.restore(saved)
    assert not Mandate.objects.exists()


def test_a_project_mandate_covers_the_projects_filings_and_cases(aw, projects):
    case = submitted_by_applicant(aw)
    grant(aw, project_id=PROJECT)
    assert can_file(aw)  # the food licence item is inside project 7
    assert not can_file(aw, version=aw.commitment_version)
    assert reach(aw.agent, case) == (200, 200)  # inside the project, whoever filed it
    assert case in selectors.cases_of_applicant(aw.agent)
    assert list(
        selectors.mandating_applicants(agent=aw.agent, item_id=aw.version.item_id, today=TODAY)
    ) == [aw.applicant]


def test_a_mandate_for_another_project_is_refused_and_logged(aw, projects):
    case = submitted_by_applicant(aw)
    grant(aw, project_id=OTHER_PROJECT)
    assert not can_file(aw)
    assert reach(aw.agent, case) == (404, 404)
    assert denied(aw.agent, case) == 2


def test_a_project_that_drops_the_case_ends_the_agents_access_at_once(aw, projects):
    case = submitted_by_applicant(aw)
    grant(aw, project_id=PROJECT)
    assert reach(aw.agent, case) == (200, 200)
    projects[PROJECT].clear()
    assert reach(aw.agent, case) == (404, 404)


def test_an_unknown_project_is_a_clear_error(aw, projects):
    with pytest.raises(CaseError, match="没有找到编号为 99 的重点项目"):
        grant(aw, project_id=99)
    assert not Mandate.objects.exists()


def test_the_page_grants_a_project_mandate_by_number(client, aw, projects):
    client.force_login(aw.applicant)
    body = {"agent": "agent_li", "scope": "project", "project": str(PROJECT)}
    response = client.post("/my/mandates/", {**body, "valid_until": "2026-12-31"})
    assert response.status_code == 302
    assert Mandate.objects.get().project_id == PROJECT
    assert "重点项目：花湖物流园" in client.get("/my/mandates/").content.decode()
    again = client.post("/my/mandates/", {**body, "project": "99", "valid_until": "2026-12-31"})
    assert "没有找到编号为 99 的重点项目" in again.content.decode()


# --- exactly one scope; one of the principal's open cases -----------------------------------------


def test_two_scopes_at_once_are_refused(aw):
    case = submitted_by_applicant(aw)
    with pytest.raises(CaseError, match="委托范围只能是"):
        grant(aw, item=aw.version.item, case=case)
    assert not Mandate.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Mandate.objects.create(
            agent=aw.agent,
            applicant=aw.applicant,
            item=aw.version.item,
            case=case,
            valid_until=dt.date(2026, 12, 31),
            recorded_by=aw.applicant,
        )


def test_a_case_mandate_names_one_of_the_principals_open_cases(aw):
    others = fx.complete_draft(aw, applicant=aw.other_applicant)
    with pytest.raises(CaseError, match="只能委托办理委托人本人的办件"):
        grant(aw, case=others)
    mine = submitted_by_applicant(aw)
    services.application_withdraw(case=mine, actor=aw.applicant)
    mine.refresh_from_db()
    with pytest.raises(CaseError, match="已办结，不能再委托代办"):
        grant(aw, case=mine)
    assert not Mandate.objects.exists()


def test_the_page_grants_a_case_mandate_from_the_applicants_cases(client, aw):
    case = submitted_by_applicant(aw)
    client.force_login(aw.applicant)
    page = client.get("/my/mandates/").content.decode()
    assert case.number in page  # offered in the case list
    body = {"agent": "agent_li", "scope": "case", "case": case.number, "valid_until": "2026-06-30"}
    assert client.post("/my/mandates/", body).status_code == 302
    assert Mandate.objects.get().case == case
    html = client.get("/my/mandates/").content.decode()
    assert f"办件 {case.number}" in html
    bad = client.post("/my/mandates/", {**body, "case": "NO-SUCH"})
    assert "委托人名下没有编号为“NO-SUCH”的办件" in bad.content.decode()


# --- dates (docs/rules/mandates.md §T4) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"valid_until": "2026-05-05"}, "valid_until", "委托有效期不能早于今天"),
        ({"valid_from": "2026-05-01"}, "valid_from", "委托生效日期不能早于今天"),
        (
            {"valid_from": "2026-06-01", "valid_until": "2026-05-31"},
            "valid_until",
            "委托有效期至（2026-05-31）不能早于生效日期（2026-06-01）",
        ),
    ],
)
def test_a_mandate_dated_in_the_past_is_a_clear_error_and_nothing_changes(
    client, aw, extra, field, message
):
    body = {"agent": "agent_li", "scope": "all", "valid_until": "2026-12-31", **extra}
    client.force_login(aw.applicant)
    page = client.post("/my/mandates/", body)
    assert page.status_code == 200 and message in page.content.decode()
    api = APIClient()
    api.force_authenticate(aw.applicant)
    response = api.post("/api/v1/mandates/", body, format="json")
    assert response.status_code == 400
    assert any(message in text for text in response.json()["errors"][field])
    assert not Mandate.objects.exists()


def test_the_service_refuses_past_dates_too(aw):
    with pytest.raises(CaseError, match="委托生效日期不能早于今天"):
        grant(aw, valid_from=dt.date(2026, 5, 5))
    with pytest.raises(CaseError, match="不能早于生效日期"):
        grant(aw, valid_from=dt.date(2026, 7, 1), valid_until=dt.date(2026, 6, 30))
    with pytest.raises(CaseError, match="委托有效期最长 2 年"):
        grant(aw, valid_until=dt.date(2028, 5, 7))
    assert not Mandate.objects.exists()


# --- the API: scopes in and out -------------------------------------------------------------------


def test_the_api_grants_a_case_mandate_and_shows_its_scope(aw):
    case = submitted_by_applicant(aw)
    api = APIClient()
    api.force_authenticate(aw.applicant)
    body = {"agent": "agent_li", "scope": "case", "case": case.number, "valid_until": "2026-09-30"}
    created = api.post("/api/v1/mandates/", body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["scope"] == "case" and data["case"]["number"] == case.number
    assert data["status"] == "valid" and data["channel"] == "online"
    assert data["valid_from"] == "2026-05-06"
    held = APIClient()
    held.force_authenticate(aw.agent)
    assert [m["scope"] for m in held.get("/api/v1/mandates/").json()] == ["case"]


def test_the_admin_state_filter_agrees_with_the_state_shown(aw):
    from onewindow.cases.selectors import mandates as mandates_selectors

    valid = grant(aw)
    later = grant(aw, item=aw.version.item, valid_from=dt.date(2026, 6, 1))
    revoked = grant(aw, item=aw.commitment_version.item)
    services.mandate_revoke(mandate=revoked, actor=aw.applicant)
    short = grant(aw, case=submitted_by_applicant(aw), valid_until=dt.date(2026, 5, 7))
    paper = services.mandate_record_paper(
        agent=aw.agent,
        applicant=aw.other_applicant,
        valid_until=dt.date(2026, 12, 31),
        recorded_by=aw.clerk,
        scan=fx.pdf(),
    )
    with time_machine.travel(dt.datetime(2026, 5, 8, 10, tzinfo=dt.UTC), tick=False):
        today = dt.date(2026, 5, 8)
        shown = {
            m.pk: mandates_selectors.mandate_state(m, today=today).value
            for m in Mandate.objects.all()
        }
        assert shown == {
            valid.pk: "valid",
            later.pk: "not_yet",
            revoked.pk: "revoked",
            short.pk: "expired",
            paper.pk: "pending",
        }
        for state in mandates_selectors.MandateState:
            filtered = Mandate.objects.filter(
                mandates_selectors.mandate_state_q(state, today=today)
            )
            assert {m.pk for m in filtered} == {pk for pk, s in shown.items() if s == state}
