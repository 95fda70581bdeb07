"""The case APIs give a case's priority, the key-project marker (docs/rules/projects.md §H4):
the window's queue and case detail and the applicant's case."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.cases.models import Case, CasePriority
from onewindow.cases.tests.test_intake_rules import submitted_case


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_intake_api_marks_a_key_project_case(world):
    plain = submitted_case(world, when="2026-03-02")
    key = submitted_case(world, when="2026-03-02")
    Case.objects.filter(pk=key.pk).update(priority=CasePriority.URGENT)
    api = _client(world.clerk)
    rows = {row["id"]: row for row in api.get(reverse("api:intake-queue")).json()["results"]}
    assert (rows[plain.pk]["priority"], rows[plain.pk]["priority_label"]) == (0, "一般")
    assert (rows[key.pk]["priority"], rows[key.pk]["priority_label"]) == (20, "重点项目（特急）")
    detail = api.get(reverse("api:intake-case", args=[key.pk])).json()
    assert (detail["priority"], detail["priority_label"]) == (20, "重点项目（特急）")


def test_the_applicant_api_gives_the_priority_of_their_case(world):
    case = submitted_case(world, when="2026-03-02")
    Case.objects.filter(pk=case.pk).update(priority=CasePriority.KEY)
    body = _client(case.applicant).get(f"/api/v1/cases/{case.pk}/").json()
    assert (body["priority"], body["priority_label"]) == (10, "重点项目")
    listing = _client(case.applicant).get("/api/v1/cases/").json()
    assert [(r["id"], r["priority"]) for r in listing["results"]] == [(case.pk, 10)]


def test_the_schema_documents_the_priority(world):
    schema = APIClient().get(reverse("api:schema")).json()
    for name in ("QueueItem", "IntakeCase", "CaseSummary", "CaseDetail"):
        assert "priority" in schema["components"]["schemas"][name]["properties"], name
