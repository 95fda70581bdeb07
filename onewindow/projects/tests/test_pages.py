"""The project pages' actions (docs/rules/projects.md §H5, §H7): the agent files a stage item and
schedules a joint activity from the project page; bad input is a clear message and nothing
changes; someone else's project or activity is a logged 404."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client

from onewindow.cases.models import Case, CasePriority
from onewindow.core.models import AccessDenied
from onewindow.projects.models import JointActivity
from onewindow.projects.tests.world import accept, at, make_project, make_world, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(personas):
    return make_world(personas)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_agent_files_and_schedules_from_the_project_page(w):
    project = make_project(w)
    stage = project.stages.get(sort=1)
    agent = _client(w.p.agent)
    with time_machine.travel(at("2025-09-24", 9), tick=False):
        page = agent.get(f"/projects/{project.pk}/").content.decode()
        assert "为建设单位申报" in page
        response = agent.post(
            f"/projects/{project.pk}/stages/{stage.pk}/file/", {"item": w.items["1A"].pk}
        )
    case = Case.objects.get(project_link__stage=stage)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/application/"
    assert case.priority == CasePriority.KEY and case.agent_id == w.p.agent.pk
    # Stage 2 is not open yet: a message, nothing filed.
    second = project.stages.get(sort=2)
    with time_machine.travel(at("2025-09-24", 9), tick=False):
        refused = agent.post(
            f"/projects/{project.pk}/stages/{second.pk}/file/", {"item": w.items["2"].pk}
        )
    assert any("尚未开启" in m for m in _messages(refused))
    assert not second.links.exists()

    accept(w, submit(w, case, "2025-09-24"), "2025-09-25")
    url = f"/projects/{project.pk}/stages/{stage.pk}/activities/"
    with time_machine.travel(at("2025-09-25", 15), tick=False):
        past = agent.post(url, {"kind": "site_survey", "date": "2025-09-20", "place": "现场"})
        assert any("不能早于今天" in m for m in _messages(past))
        bad = agent.post(url, {"kind": "site_survey", "date": "明天", "place": "现场"})
        assert any("年-月-日" in m for m in _messages(bad))
        assert not JointActivity.objects.exists()
        done = agent.post(url, {"kind": "site_survey", "date": "2025-09-28", "place": "项目现场"})
    assert done.status_code == 302
    activity = JointActivity.objects.get()
    assert list(activity.departments.all()) == [w.p.dept_a]
    # The enterprise sees the project but may not schedule: a logged 404.
    before = AccessDenied.objects.count()
    assert _client(w.p.enterprise).post(url, {"kind": "acceptance"}).status_code == 404
    assert AccessDenied.objects.count() == before + 1
    # Department B takes no part in this activity: a logged 404 on the finding.
    findings = f"/projects/activities/{activity.pk}/findings/"
    before = AccessDenied.objects.count()
    response = _client(w.p.reviewer_b).post(findings, {"result": "pass", "text": "同意"})
    assert response.status_code == 404 and AccessDenied.objects.count() == before + 1
    # Department A: an empty finding is refused, then recorded once.
    reviewer_a = _client(w.p.reviewer_a)
    with time_machine.travel(at("2025-09-28", 16), tick=False):
        empty = reviewer_a.post(findings, {"result": "pass", "text": " "})
        assert any("请填写本部门意见" in m for m in _messages(empty))
        assert not activity.findings.exists()
        reviewer_a.post(findings, {"result": "pass", "text": "现场与申报一致"})
    assert activity.findings.get().case_id == case.pk
    trail = _client(w.p.clerk).get(f"/intake/{case.pk}/").content.decode()
    assert "现场与申报一致" in trail
