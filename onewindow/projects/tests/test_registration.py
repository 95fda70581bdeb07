"""Registering a key project (docs/rules/projects.md §H4, §H5): the administrator only; a stage
without items, an unknown item, a wrong enterprise or agent → a clear error and nothing saved,
through the service, the page and the API."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from onewindow.core.models import AccessDenied
from onewindow.projects import services
from onewindow.projects.errors import ProjectForbidden, ProjectInvalid
from onewindow.projects.models import Project, Stage
from onewindow.projects.tests.world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(personas):
    return make_world(personas)


def _create(w, **changes):
    values = dict(
        actor=w.p.admin,
        name="鄂州市葛店新城·滨湖花园住宅小区",
        enterprise=w.p.enterprise,
        agent=w.p.agent,
        target_days=62,
        stages=[
            services.StageSpec("立项用地规划许可", [w.items["1A"].pk]),
            services.StageSpec("工程建设许可", [w.items["2"].pk]),
        ],
    )
    values.update(changes)
    return services.project_create(**values)


def test_a_project_is_registered_with_its_ordered_stages(w):
    project = _create(w)
    assert [s.name for s in project.stages.order_by("sort")] == ["立项用地规划许可", "工程建设许可"]
    first, second = project.stages.order_by("sort")
    assert services.stage_open(first) and not services.stage_open(second)


def test_a_stage_without_items_is_refused_and_nothing_is_saved(w):
    with pytest.raises(ProjectInvalid) as err:
        _create(
            w,
            stages=[
                services.StageSpec("立项用地规划许可", [w.items["1A"].pk]),
                services.StageSpec("施工许可", []),
            ],
        )
    assert "阶段“施工许可”没有审批事项" in err.value.errors["stages"][0]
    assert not Project.objects.exists() and not Stage.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"stages": []}, "stages", "至少设置一个审批阶段"),
        ({"name": "  "}, "name", "项目名称"),
        ({"target_days": 0}, "target_days", "目标用时"),
        ({"priority": 3}, "priority", "优先级无效"),
        ({"enterprise_is": "applicant"}, "enterprise", "统一社会信用代码"),
        ({"agent_is": "clerk"}, "agent", "代办员"),
        ({"duplicate": True}, "stages", "不止一次"),
    ],
)
def test_bad_values_are_refused_with_the_field_and_nothing_is_saved(w, changes, field, words):
    changes = dict(changes)
    if changes.pop("enterprise_is", None):
        changes["enterprise"] = w.p.applicant  # a person: no credit code
    if changes.pop("agent_is", None):
        changes["agent"] = w.p.clerk
    if changes.pop("duplicate", None):
        changes["stages"] = [
            services.StageSpec("一", [w.items["1A"].pk]),
            services.StageSpec("二", [w.items["1A"].pk]),
        ]
    with pytest.raises(ProjectInvalid) as err:
        _create(w, **changes)
    assert any(words in m for m in err.value.errors[field])
    assert not Project.objects.exists()


def test_only_the_administrator_registers(w):
    with pytest.raises(ProjectForbidden):
        _create(w, actor=w.p.supervisor)
    assert not Project.objects.exists()


def test_the_page_refuses_a_stage_without_items_and_keeps_what_was_typed(w):
    client = Client()
    client.force_login(w.p.admin)
    form = {
        "name": "鄂州市葛店新城·滨湖花园住宅小区",
        "enterprise": w.p.enterprise.credit_code,
        "agent": str(w.p.agent.pk),
        "priority": "10",
        "target_days": "62",
        "stage_name_1": "立项用地规划许可",
        "stage_items_1": "GC-1A GC-1B",
        "stage_name_2": "工程建设许可",
        "stage_items_2": "",
    }
    response = client.post("/projects/new/", form)
    assert response.status_code == 400
    html = response.content.decode()
    assert "阶段“工程建设许可”没有审批事项" in html and "滨湖花园住宅小区" in html
    assert not Project.objects.exists()
    unknown = client.post("/projects/new/", form | {"stage_items_2": "NO-SUCH"})
    assert unknown.status_code == 400 and "NO-SUCH" in unknown.content.decode()
    assert not Project.objects.exists()
    done = client.post("/projects/new/", form | {"stage_items_2": "GC-2"})
    assert done.status_code == 302
    project = Project.objects.get()
    assert done["Location"] == f"/projects/{project.pk}/"
    assert project.stages.get(sort=1).items.count() == 2


def test_the_api_refuses_a_stage_without_items_and_a_non_administrator(w):
    body = {
        "name": "鄂州市葛店新城·滨湖花园住宅小区",
        "enterprise": w.p.enterprise.credit_code,
        "agent": w.p.agent.pk,
        "target_days": 62,
        "stages": [
            {"name": "立项用地规划许可", "items": ["GC-1A"]},
            {"name": "施工许可", "items": []},
        ],
    }
    admin = APIClient()
    admin.force_authenticate(w.p.admin)
    response = admin.post("/api/v1/projects/", body, format="json")
    assert response.status_code == 400
    assert "没有审批事项" in response.json()["message"]
    assert "stages" in response.json()["errors"]
    assert not Project.objects.exists()
    before = AccessDenied.objects.count()
    agent = APIClient()
    agent.force_authenticate(w.p.agent)
    body["stages"][1]["items"] = ["GC-2"]
    assert agent.post("/api/v1/projects/", body, format="json").status_code == 404
    assert AccessDenied.objects.count() == before + 1
    assert not Project.objects.exists()
    assert admin.post("/api/v1/projects/", body, format="json").status_code == 201
