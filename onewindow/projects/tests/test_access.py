"""Who sees a project (docs/rules/projects.md §H8): someone else's project is a logged 404 on the
page and in the API; the list holds only one's own."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from onewindow.core.models import AccessDenied
from onewindow.projects.tests.world import at, file_and_submit, make_project, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(personas):
    return make_world(personas)


def _page(user, url):
    client = Client()
    client.force_login(user)
    return client.get(url)


def _api(user, url):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(url)


def test_someone_elses_project_is_a_logged_404(w):
    project = make_project(w)
    url = f"/projects/{project.pk}/"
    for user in (w.p.admin, w.p.supervisor, w.p.agent, w.p.enterprise):
        assert _page(user, url).status_code == 200, user
        assert _api(user, f"/api/v1{url}").status_code == 200, user
    for user in (w.p.outsider, w.p.applicant, w.p.reviewer_b, w.p.clerk, w.reviewer_c):
        before = AccessDenied.objects.count()
        assert _page(user, url).status_code == 404, user
        assert _api(user, f"/api/v1{url}").status_code == 404, user
        assert _api(user, f"/api/v1/projects/{project.pk}/stages/").status_code == 404
        assert AccessDenied.objects.count() == before + 3
        assert _api(user, "/api/v1/projects/").json()["count"] == 0
    assert _page(w.p.outsider, "/projects/").content.decode().count(project.name) == 0


def test_a_department_sees_the_projects_it_has_cases_in(w):
    project = make_project(w)
    file_and_submit(w, project, 1, "1B", "2025-09-26")  # department B's item
    url = f"/projects/{project.pk}/"
    assert _page(w.p.reviewer_b, url).status_code == 200
    assert project.name in _page(w.p.reviewer_b, "/projects/").content.decode()
    assert _page(w.reviewer_c, url).status_code == 404


def test_only_the_designated_agent_files_and_only_in_scope(w, personas):
    project = make_project(w)
    stage = project.stages.get(sort=1)
    client = APIClient()
    client.force_authenticate(w.p.enterprise)
    with time_machine.travel(at("2025-09-24"), tick=False):
        refused = client.post(
            f"/api/v1/projects/stages/{stage.pk}/cases/", {"item": "GC-1A"}, format="json"
        )
        assert refused.status_code == 403
        agent = APIClient()
        agent.force_authenticate(w.p.agent)
        other = agent.post(
            f"/api/v1/projects/stages/{stage.pk}/cases/", {"item": "GC-2"}, format="json"
        )
        assert other.status_code == 400  # GC-2 belongs to stage 2
    assert not stage.links.exists()


def test_without_a_mandate_the_agent_cannot_file(w):
    from onewindow.cases.models import Mandate

    Mandate.objects.update(revoked_at=at("2025-09-02"))
    project = make_project(w)
    stage = project.stages.get(sort=1)
    agent = APIClient()
    agent.force_authenticate(w.p.agent)
    with time_machine.travel(at("2025-09-24"), tick=False):
        response = agent.post(
            f"/api/v1/projects/stages/{stage.pk}/cases/", {"item": "GC-1A"}, format="json"
        )
    assert response.status_code == 400 and "代办委托" in response.json()["message"]
    assert not stage.links.exists()
