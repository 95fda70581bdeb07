"""The console API (/api/v1/supervision/): cases list and detail, feed and risk register —
read-only, supervisors only, JSON errors, in the OpenAPI document."""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.test import APIClient

from onewindow.catalog.models import ItemVersion, VersionStatus
from onewindow.catalog.risks import risk_point_add
from onewindow.core.models import AccessDenied
from onewindow.review.tests.task_world import at, make_world
from onewindow.supervision.tests.console_world import accepted_case, submitted_case_of_b
from onewindow.testing import PERSONA_NAMES

pytestmark = pytest.mark.django_db
BASE = "/api/v1/supervision/"


@pytest.fixture
def tworld(personas):
    return make_world(personas)


@pytest.fixture
def cases(tworld):
    a = accepted_case(tworld)
    b = submitted_case_of_b(tworld)
    with time_machine.travel(at("2025-10-09"), tick=False):
        yield a, b


@pytest.fixture
def api(tworld):
    client = APIClient()
    client.force_authenticate(tworld.p.supervisor)
    return client


def test_the_list_has_every_departments_cases_and_filters(api, tworld, cases):
    a, b = cases
    body = api.get(f"{BASE}cases/").json()
    assert {row["number"] for row in body["results"]} == {a.number, b.number}
    row = next(r for r in body["results"] if r["id"] == a.pk)
    assert row["department"]["name"] == tworld.p.dept_a.name and row["overdue"] is False
    only_b = api.get(f"{BASE}cases/", {"department": tworld.p.dept_b.pk}).json()["results"]
    assert [r["id"] for r in only_b] == [b.pk]
    bad = api.get(f"{BASE}cases/", {"status": "nonsense"})
    assert bad.status_code == 400 and bad.json()["code"]


def test_the_detail_has_tasks_notices_and_the_trail_with_names(api, tworld, cases):
    a, _b = cases
    body = api.get(f"{BASE}cases/{a.pk}/").json()
    assert {t["department"]["name"] for t in body["tasks"]} >= {tworld.p.dept_b.name}
    assert any(
        e["action"] == "accepted" and e["actor"] == tworld.p.clerk.full_name for e in body["events"]
    )
    assert all(n["pdf_url"].endswith(".pdf") for n in body["notices"])
    assert api.get(f"{BASE}cases/999999/").status_code == 404


@pytest.mark.parametrize("name", [n for n in PERSONA_NAMES if n != "supervisor"])
def test_anyone_else_gets_a_logged_404(tworld, cases, name):
    a, _b = cases
    client = APIClient()
    client.force_authenticate(tworld.p.get(name))
    before = AccessDenied.objects.count()
    for url in (f"{BASE}cases/", f"{BASE}cases/{a.pk}/", f"{BASE}feed/"):
        response = client.get(url)
        assert response.status_code == 404 and "message" in response.json()
    assert AccessDenied.objects.count() == before + 3


def test_nothing_can_be_written(api, cases):
    a, _b = cases
    assert api.post(f"{BASE}cases/{a.pk}/", {}).status_code == 405
    assert api.post(f"{BASE}feed/", {}).status_code == 405


def test_the_risk_register_lists_risk_points(api, tworld):
    version = tworld.version
    ItemVersion.objects.filter(pk=version.pk).update(status=VersionStatus.DRAFT)
    risk_point_add(
        version=version,
        department=tworld.p.dept_a,
        step_kind="approve",
        risk="违规审批",
        measure="集体研究",
        level="high",
    )
    ItemVersion.objects.filter(pk=version.pk).update(status=VersionStatus.PUBLISHED)
    rows = api.get(f"{BASE}risk-points/").json()
    assert [(r["risk"], r["step_kind"], r["level_label"]) for r in rows] == [
        ("违规审批", "approve", "高")
    ]
    assert api.get(f"{BASE}risk-points/", {"department": tworld.p.dept_b.pk}).json() == []


def test_the_endpoints_are_in_the_openapi_document(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    for path in ("cases/", "cases/{case_id}/", "feed/", "risk-points/"):
        assert f"/api/v1/supervision/{path}" in paths
