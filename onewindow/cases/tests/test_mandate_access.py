"""An agent reaches a case they filed only while the applicant's mandate covers it
(docs/product.md §C8).

Revoked, expired or narrowed to another item: the agent gets a logged 404 on the case page,
the API and the file download, and the case leaves their dashboard; the applicant keeps access.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.cases import selectors, services
from onewindow.cases.models import Case
from onewindow.cases.tests import test_apply_fixtures as fx
from onewindow.core.models import AccessDenied

aw = fx.aw  # the fixture, shared with the other application tests


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 5, 6, 10, tzinfo=dt.UTC), tick=False):
        yield


def _mandate(aw, **kw):
    return services.mandate_record(
        agent=aw.agent,
        applicant=aw.applicant,
        valid_until=kw.pop("valid_until", dt.date(2026, 12, 31)),
        recorded_by=aw.applicant,
        **kw,
    )


@pytest.fixture
def filed(aw):
    """A case the agent filed and submitted for the applicant under a mandate for every item."""
    mandate = _mandate(aw, valid_until=dt.date(2026, 5, 20))
    case = services.application_start(
        item_version=aw.version, actor=aw.agent, region=aw.region, applicant=aw.applicant
    )
    uploads = {line.pk: [fx.pdf(f"{line.pk}.pdf")] for line in case.materials.all()}
    changes = services.ApplicationChanges(form_data=dict(fx.VALID_FORM), uploads=uploads)
    services.application_save(case=case, actor=aw.agent, changes=changes)
    services.application_submit(case=case, actor=aw.agent)
    case.refresh_from_db()
    return mandate, case, fx.any_file(case)


def _reach(user, case, attached):
    """Status codes of the case page, the API case detail and the file download for ``user``."""
    api = APIClient()
    api.force_authenticate(user)
    from django.test import Client

    client = Client()
    client.force_login(user)
    return (
        client.get(reverse("cases:application", args=[case.pk])).status_code,
        api.get(f"/api/v1/cases/{case.pk}/").status_code,
        client.get(reverse("cases:case_file", args=[case.pk, attached.pk])).status_code,
    )


def test_the_agent_reaches_the_case_while_the_mandate_is_in_force(aw, filed):
    _m, case, attached = filed
    assert _reach(aw.agent, case, attached) == (200, 200, 200)
    assert list(selectors.cases_of_applicant(aw.agent)) == [case]


def test_after_revocation_the_agent_gets_a_logged_404_and_the_applicant_keeps_access(aw, filed):
    mandate, case, attached = filed
    services.mandate_revoke(mandate=mandate)
    assert _reach(aw.agent, case, attached) == (404, 404, 404)
    denied = AccessDenied.objects.filter(user=aw.agent, target__startswith=f"case:{case.pk}")
    assert denied.count() == 3
    assert _reach(aw.applicant, case, attached) == (200, 200, 200)
    assert not selectors.cases_of_applicant(aw.agent).exists()
    assert list(selectors.cases_of_applicant(aw.applicant)) == [case]


def test_the_case_leaves_the_agents_dashboard_when_the_mandate_ends(client, aw, filed):
    mandate, case, _attached = filed
    client.force_login(aw.agent)
    assert case.number in client.get(reverse("portal:my_cases")).content.decode()
    services.mandate_revoke(mandate=mandate)
    assert case.number not in client.get(reverse("portal:my_cases")).content.decode()
    client.force_login(aw.applicant)
    assert case.number in client.get(reverse("portal:my_cases")).content.decode()


def test_an_expired_mandate_hides_the_case_from_the_agent(aw, filed):
    _m, case, attached = filed
    with time_machine.travel(dt.datetime(2026, 5, 21, 10, tzinfo=dt.UTC), tick=False):
        assert _reach(aw.agent, case, attached) == (404, 404, 404)
        assert _reach(aw.applicant, case, attached) == (200, 200, 200)


def test_a_new_mandate_for_another_item_does_not_restore_access(aw, filed):
    mandate, case, attached = filed
    services.mandate_revoke(mandate=mandate)
    _mandate(aw, item=aw.commitment_version.item)
    assert _reach(aw.agent, case, attached) == (404, 404, 404)
    _mandate(aw, item=aw.version.item)
    assert _reach(aw.agent, case, attached) == (200, 200, 200)


def test_the_agent_cannot_act_on_the_case_after_revocation(aw, filed):
    mandate, case, _attached = filed
    services.mandate_revoke(mandate=mandate)
    api = APIClient()
    api.force_authenticate(aw.agent)
    assert api.post(f"/api/v1/cases/{case.pk}/withdraw/").status_code == 404
    case.refresh_from_db()
    assert case.status == "submitted"
    assert Case.objects.count() == 1


def test_the_agents_notice_pdf_is_refused_after_revocation(aw, filed):
    mandate, case, _attached = filed
    services.case_accept(case=case, actor=aw.clerk)
    notice = case.notices.get()
    from django.test import Client

    client = Client()
    client.force_login(aw.agent)
    url = reverse("cases:notice_pdf", args=[case.pk, notice.pk])
    assert client.get(url).status_code == 200
    services.mandate_revoke(mandate=mandate)
    assert client.get(url).status_code == 404
    client.force_login(aw.applicant)
    assert client.get(url).status_code == 200
