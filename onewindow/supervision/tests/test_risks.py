"""The integrity-risk register (廉政风险点及防控措施, docs/product.md §C10): risk points at a
department's step of an item version, shown to the handler at that step and to supervisors,
copied into every new draft."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from onewindow.cases.tests.conftest import make_version
from onewindow.catalog import risks
from onewindow.catalog.models import ItemVersion, RiskPoint, VersionStatus
from onewindow.catalog.services import item_version_create_draft
from onewindow.review import services
from onewindow.review.tests.task_world import accepted_case, at, make_world, task_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def tworld(personas):
    w = make_world(personas)
    ItemVersion.objects.filter(pk=w.version.pk).update(status=VersionStatus.DRAFT)
    p = w.p
    risks.risk_point_add(
        version=w.version,
        department=p.dept_a,
        step_kind="handle",
        risk="擅自增加申请材料",
        measure="严格按材料清单收件",
        level="medium",
    )
    risks.risk_point_add(
        version=w.version,
        department=p.dept_a,
        step_kind="review",
        risk="超时限办理",
        measure="系统到期预警",
        level="medium",
    )
    risks.risk_point_add(
        version=w.version,
        department=p.dept_b,
        step_kind="review",
        risk="违规收取费用",
        measure="按收费清单收费",
        level="high",
    )
    ItemVersion.objects.filter(pk=w.version.pk).update(status=VersionStatus.PUBLISHED)
    return w


@pytest.fixture
def case(tworld):
    c = accepted_case(tworld)
    with time_machine.travel(at("2025-10-09"), tick=False):
        yield c


def test_the_handler_sees_the_risks_of_the_current_step_only(client, tworld, case):
    p = tworld.p
    task = task_of(case, p.dept_a)
    client.force_login(p.handler_a)
    page = client.get(reverse("review:task", args=[task.pk])).content.decode()
    assert "擅自增加申请材料" in page
    assert "超时限办理" not in page and "违规收取费用" not in page
    services.task_step_complete(task=task, actor=p.handler_a, comment="材料齐全", revision=0)
    client.force_login(p.reviewer_a)
    page = client.get(reverse("review:task", args=[task.pk])).content.decode()
    assert "超时限办理" in page and "擅自增加申请材料" not in page


def test_another_department_sees_its_own_risks(client, tworld, case):
    p = tworld.p
    client.force_login(p.reviewer_b)
    page = client.get(reverse("review:task", args=[task_of(case, p.dept_b).pk])).content.decode()
    assert "违规收取费用" in page and "擅自增加申请材料" not in page


def test_a_new_draft_copies_the_risk_points(tworld):
    draft = item_version_create_draft(item=tworld.version.item)
    copied = list(draft.risk_points.order_by("sort").values_list("risk", "step_kind"))
    assert copied == [
        ("擅自增加申请材料", "handle"),
        ("超时限办理", "review"),
        ("违规收取费用", "review"),
    ]
    assert tworld.version.risk_points.count() == 3


def test_a_published_versions_risks_cannot_be_changed(tworld):
    point = tworld.version.risk_points.first()
    with pytest.raises(ValidationError):
        risks.risk_point_update(risk_point=point, risk="改动")
    with pytest.raises(ValidationError):
        risks.risk_point_add(
            version=tworld.version,
            department=tworld.p.dept_a,
            step_kind="approve",
            risk="x",
            measure="y",
        )
    assert RiskPoint.objects.filter(version=tworld.version).count() == 3


def test_supervisors_see_the_register_by_department(client, tworld):
    p = tworld.p
    client.force_login(p.supervisor)
    page = client.get(reverse("supervision:risks")).content.decode()
    assert "擅自增加申请材料" in page and "违规收取费用" in page
    only_b = client.get(reverse("supervision:risks"), {"department": p.dept_b.pk})
    assert "违规收取费用" in only_b.content.decode()
    assert "擅自增加申请材料" not in only_b.content.decode()


@pytest.mark.parametrize("name", ["handler_a", "chief_a", "applicant", "admin", "auditor"])
def test_the_register_is_a_logged_404_for_non_supervisors(client, tworld, name):
    client.force_login(tworld.p.get(name))
    assert client.get(reverse("supervision:risks")).status_code == 404


def test_the_admin_records_a_risk_point_on_a_draft(client, tworld):
    from onewindow.catalog.tests.test_admin import change_url, version_post

    client.force_login(tworld.p.admin)
    version, _core, _others = make_version(tworld.p.dept_a, code="RISK-ADMIN-1")
    draft = item_version_create_draft(item=version.item)
    data = version_post(draft)
    data |= {
        "risk_points-TOTAL_FORMS": 1,
        "risk_points-0-sort": 9,
        "risk_points-0-department": tworld.p.dept_b.pk,
        "risk_points-0-step_kind": "review",
        "risk_points-0-level": "low",
        "risk_points-0-risk": "利用职务便利索取财物",
        "risk_points-0-measure": "公开监督电话，接受举报",
    }
    response = client.post(change_url(draft), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    added = draft.risk_points.get(sort=9)
    assert (added.department, added.step_kind, added.level) == (tworld.p.dept_b, "review", "low")
    assert not version.risk_points.exists()
