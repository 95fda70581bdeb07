"""A key project through two stages with a joint site survey, through the pages and the API
(docs/product.md §C8, docs/rules/projects.md §H1–§H8).

Dates counted by hand (2025: Oct 1–8 National Day holiday; Sunday Sep 28 and Saturday Oct 11
are working days; a case's days are the working days after its acceptance up to and including
its delivery, special procedures taken out; docs/rules/projects.md §H6):

Stage 1 (立项用地规划许可):
- GC-1A accepted Thu 09-25, delivered Fri 10-10:
  09-26, 09-28 (Sun, working), 09-29, 09-30, 10-09, 10-10 → 6 days.
- GC-1B accepted Mon 09-29; on-site inspection 10-09 → 10-13 (10-10, 10-11 Sat working, 10-13
  do not count); delivered Wed 10-15:
  09-30, 10-09, 10-14, 10-15 → 4 days.
- The stage: the union, each day once: 09-26, 09-28, 09-29, 09-30, 10-09, 10-10, 10-14, 10-15
  → 8 days (10-11 and 10-13: 1A delivered, 1B suspended — not counted).
Stage 2 (工程建设许可), opened by 1B's delivery on 10-15:
- GC-2 filed and submitted Thu 10-16, accepted Fri 10-17; today Fri 10-24, still in review:
  10-20, 10-21, 10-22, 10-23, 10-24 → 5 days (the weekend 10-18/19 does not count).
Total: 8 + 5 = 13 working days of the target 62.
"""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseEvent, CasePriority, CaseStatus
from onewindow.core.models import AccessDenied
from onewindow.projects.models import JointActivity, JointFinding, Project, ProjectCase
from onewindow.projects.tests.world import (
    D,
    accept,
    agree,
    at,
    file_and_submit,
    grant_and_deliver,
    make_world,
    submit,
    suspend,
)

pytestmark = pytest.mark.django_db


def api_as(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page_as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ok(response: Any, code: int = 200) -> Any:
    assert response.status_code == code, (response.status_code, response.content[:800])
    return response.json()


@pytest.fixture
def w(personas):
    return make_world(personas)


def test_a_key_project_goes_through_two_stages_with_a_joint_site_survey(w):
    p = w.p
    # The administrator registers the project through the API.
    with time_machine.travel(at("2025-09-01"), tick=False):
        created = ok(
            api_as(p.admin).post(
                "/api/v1/projects/",
                {
                    "name": "鄂州临空经济区智能制造产业园一期厂房",
                    "enterprise": p.enterprise.credit_code,
                    "agent": p.agent.pk,
                    "priority": 10,
                    "target_days": 62,
                    "stages": [
                        {"name": "立项用地规划许可", "items": ["GC-1A", "GC-1B"]},
                        {"name": "工程建设许可", "items": ["GC-2"]},
                    ],
                },
                format="json",
            ),
            201,
        )
    project_id = created["id"]
    stage1, stage2 = (s["id"] for s in created["stages"])
    assert [s["is_open"] for s in created["stages"]] == [True, False]

    # Stage 2 cannot be filed before stage 1 is done (docs/rules/projects.md §H5).
    with time_machine.travel(at("2025-09-24"), tick=False):
        refused = api_as(p.agent).post(
            f"/api/v1/projects/stages/{stage2}/cases/", {"item": "GC-2"}, format="json"
        )
    assert refused.status_code == 400 and "尚未开启" in refused.json()["message"]

    project = Project.objects.get(pk=project_id)
    case_1a = file_and_submit(w, project, 1, "1A", "2025-09-24")
    case_1b = file_and_submit(w, project, 1, "1B", "2025-09-26")
    # Filed by the designated agent on the enterprise's behalf, with the project's priority.
    assert (case_1a.applicant_id, case_1a.agent_id) == (p.enterprise.pk, p.agent.pk)
    assert case_1a.priority == CasePriority.KEY
    assert case_1a.project_link.stage_id == stage1

    case_1a = accept(w, case_1a, "2025-09-25")
    case_1b = accept(w, case_1b, "2025-09-29")
    assert (case_1a.accepted_on, case_1b.accepted_on) == (D("2025-09-25"), D("2025-09-29"))
    agree(w, case_1a, "2025-10-09")
    grant_and_deliver(w, case_1a, "2025-10-09", "2025-10-10")
    suspend(w, case_1b, "2025-10-09", "2025-10-13")
    agree(w, case_1b, "2025-10-14")
    case_1b = grant_and_deliver(w, case_1b, "2025-10-14", "2025-10-15")
    assert case_1b.status == CaseStatus.COMPLETED

    # Stage 2 is open now: the agent files through the API, submits, the window accepts.
    with time_machine.travel(at("2025-10-16", 8), tick=False):
        filed = ok(
            api_as(p.agent).post(
                f"/api/v1/projects/stages/{stage2}/cases/", {"item": "GC-2"}, format="json"
            ),
            201,
        )
        assert filed["priority"] == CasePriority.KEY
        # The same item once only while its case is alive.
        again = api_as(p.agent).post(
            f"/api/v1/projects/stages/{stage2}/cases/", {"item": "GC-2"}, format="json"
        )
        assert again.status_code == 400
    case_2 = submit(w, Case.objects.get(pk=filed["case"]), "2025-10-16")
    assert ProjectCase.objects.get(case=case_2).stage_id == stage2
    case_2 = accept(w, case_2, "2025-10-17")
    assert case_2.status == CaseStatus.IN_REVIEW

    # The joint site survey, scheduled once for the stage's departments (B leads, A reviews).
    with time_machine.travel(at("2025-10-17", 15), tick=False):
        survey = ok(
            api_as(p.agent).post(
                f"/api/v1/projects/stages/{stage2}/activities/",
                {
                    "kind": "site_survey",
                    "date": "2025-10-21",
                    "place": "葛店开发区高新大道项目现场",
                },
                format="json",
            ),
            201,
        )
        twice = api_as(p.admin).post(
            f"/api/v1/projects/stages/{stage2}/activities/",
            {"kind": "site_survey", "date": "2025-10-22", "place": "现场"},
            format="json",
        )
        assert twice.status_code == 400
    assert sorted(survey["departments"]) == sorted([p.dept_a.name, p.dept_b.name])

    # Each department records its own finding on its own case: B through the page, A by API.
    with time_machine.travel(at("2025-10-21", 16), tick=False):
        response = page_as(p.reviewer_b).post(
            f"/projects/activities/{survey['id']}/findings/",
            {"result": "pass", "text": "用地红线与规划条件一致"},
        )
        assert response.status_code == 302
        ok(
            api_as(p.reviewer_a).post(
                f"/api/v1/projects/activities/{survey['id']}/findings/",
                {"result": "conditions", "text": "消防车道宽度需按图纸复核"},
                format="json",
            ),
            201,
        )
        # Department C takes no part: a logged 404, nothing recorded.
        before = AccessDenied.objects.count()
        outsider = api_as(w.reviewer_c).post(
            f"/api/v1/projects/activities/{survey['id']}/findings/",
            {"result": "pass", "text": "无意见"},
            format="json",
        )
        assert outsider.status_code == 404
        assert AccessDenied.objects.count() == before + 1
        # A department records once.
        second = api_as(p.reviewer_a).post(
            f"/api/v1/projects/activities/{survey['id']}/findings/",
            {"result": "pass", "text": "再记一次"},
            format="json",
        )
        assert second.status_code == 400
    assert JointFinding.objects.filter(activity_id=survey["id"]).count() == 2
    events = CaseEvent.objects.filter(case=case_2, action="joint_finding")
    assert events.count() == 2
    assert any("用地红线与规划条件一致" in e.reason for e in events)
    assert JointActivity.objects.get(pk=survey["id"]).departments.count() == 2

    # Friday 10-24: the project page and the API count 8 + 5 = 13 working days of 62.
    with time_machine.travel(at("2025-10-24", 9), tick=False):
        detail = ok(api_as(p.supervisor).get(f"/api/v1/projects/{project_id}/"))
        html = page_as(p.agent).get(f"/projects/{project_id}/").content.decode()
        html_b = page_as(p.reviewer_b).get(f"/projects/{project_id}/").content.decode()
    by_number = {c["number"]: c for s in detail["stages"] for c in s["cases"]}
    assert by_number[case_1a.number]["working_days"] == 6
    assert by_number[case_1b.number]["working_days"] == 4
    assert by_number[case_2.number]["working_days"] == 5
    assert [s["working_days"] for s in detail["stages"]] == [8, 5]
    assert detail["total_working_days"] == 13 and detail["target_days"] == 62
    assert [s["is_done"] for s in detail["stages"]] == [True, False]
    # What holds it up: stage 2's two open department reviews.
    assert {h["who"].split(" · ")[0] for h in detail["holdups"]} == {p.dept_a.name, p.dept_b.name}
    assert all(h["number"] == case_2.number for h in detail["holdups"])
    for page in (html, html_b):
        assert "本阶段用时 8 个工作日" in page and "本阶段用时 5 个工作日" in page
        assert "<strong>13</strong>" in page and "目标 62 个工作日" in page
        assert "联合踏勘" in page and "消防车道宽度需按图纸复核" in page
    # Department C has no case in the project: its staff do not see it (logged 404).
    before = AccessDenied.objects.count()
    assert page_as(w.reviewer_c).get(f"/projects/{project_id}/").status_code == 404
    assert api_as(w.reviewer_c).get(f"/api/v1/projects/{project_id}/").status_code == 404
    assert AccessDenied.objects.count() == before + 2
