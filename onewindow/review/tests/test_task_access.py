"""Who sees and acts on which task: a department's own staff only (404 and logged otherwise);
supervisors read everything and change nothing."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from onewindow.core.models import AccessDenied
from onewindow.review import services
from onewindow.review.models import Opinion
from onewindow.review.services import TaskNotAllowed
from onewindow.review.tests.task_world import accepted_case, at, make_world, task_of


@pytest.fixture
def tworld(personas):
    return make_world(personas)


pytestmark = pytest.mark.django_db


@pytest.fixture
def case(tworld):
    c = accepted_case(tworld)
    with time_machine.travel(at("2025-10-09"), tick=False):
        yield c


def _denied(task) -> bool:
    return AccessDenied.objects.filter(target=f"review.task:{task.pk}").exists()


def test_a_reviewer_in_department_a_cannot_see_department_bs_task(client, tworld, case):
    task_b = task_of(case, tworld.p.dept_b)
    client.force_login(tworld.p.reviewer_a)
    assert client.get(reverse("review:task", args=[task_b.pk])).status_code == 404
    assert _denied(task_b)


def test_a_reviewer_in_department_a_cannot_act_on_department_bs_task(client, tworld, case):
    task_b = task_of(case, tworld.p.dept_b)
    client.force_login(tworld.p.reviewer_a)
    url = reverse("review:task_opinion", args=[task_b.pk])
    response = client.post(url, {"revision": 0, "kind": "agree"})
    assert response.status_code == 404 and _denied(task_b)
    assert not Opinion.objects.exists()
    with pytest.raises(TaskNotAllowed):
        services.task_opinion_give(task=task_b, actor=tworld.p.chief_a, kind="agree", revision=0)
    assert not Opinion.objects.exists()


def test_another_departments_task_is_not_in_the_inbox(client, tworld, case):
    client.force_login(tworld.p.handler_a)  # the lead task is at the handler's step
    page = client.get(reverse("review:inbox")).content.decode()
    assert reverse("review:task", args=[task_of(case, tworld.p.dept_a).pk]) in page
    assert reverse("review:task", args=[task_of(case, tworld.p.dept_b).pk]) not in page


def test_the_case_files_are_served_only_through_the_task(client, tworld, case):
    line = case.materials.first()
    attached = line.files.first()
    task_b = task_of(case, tworld.p.dept_b)
    client.force_login(tworld.p.reviewer_b)
    url = reverse("review:task_file", args=[task_b.pk, attached.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(tworld.p.reviewer_a)
    assert client.get(url).status_code == 404


def test_a_supervisor_reads_every_task_but_cannot_act(client, tworld, case):
    task_b = task_of(case, tworld.p.dept_b)
    client.force_login(tworld.p.supervisor)
    page = client.get(reverse("review:task", args=[task_b.pk]))
    assert page.status_code == 200
    assert reverse("review:task_opinion", args=[task_b.pk]) not in page.content.decode()
    assert client.get(reverse("review:inbox")).status_code == 200
    response = client.post(
        reverse("review:task_opinion", args=[task_b.pk]), {"revision": 0, "kind": "agree"}
    )
    # docs/rules/supervision.md §D13: a supervisor's attempt at a case action is a 404 and logged
    # (was a 400).
    assert response.status_code == 404 and _denied(task_b)
    assert not Opinion.objects.exists()


@pytest.mark.parametrize("name", ["applicant", "clerk", "outsider", "admin", "auditor"])
def test_people_without_review_rights_get_a_logged_404(client, tworld, case, name):
    task_a = task_of(case, tworld.p.dept_a)
    client.force_login(tworld.p.get(name))
    assert client.get(reverse("review:inbox")).status_code == 404
    assert client.get(reverse("review:task", args=[task_a.pk])).status_code == 404
    assert AccessDenied.objects.exists()


def test_other_departments_opinions_show_only_once_given(client, tworld, case):
    p = tworld.p
    task_a = task_of(case, p.dept_a)
    client.force_login(p.handler_a)
    url = reverse("review:task", args=[task_a.pk])
    assert "不符合规划" not in client.get(url).content.decode()
    services.task_opinion_give(
        task=task_of(case, p.dept_b),
        actor=p.reviewer_b,
        kind="disagree",
        text="不符合规划",
        revision=0,
    )
    assert "不符合规划" in client.get(url).content.decode()
