"""Supervisors read everything and change no case (docs/rules/supervision.md §D13,
docs/product.md §C10): every case transition they attempt — through the services, the pages or the
API — is refused, nothing changes, and the page/API attempts are logged as AccessDenied."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.cases import services as case_services
from onewindow.cases.errors import CaseError
from onewindow.cases.models import CaseEvent, CaseStatus
from onewindow.core.models import AccessDenied
from onewindow.review.models import Decision, Suspension, Task
from onewindow.review.services import decisions, task_opinion_give, task_step_complete
from onewindow.review.tests.task_world import accepted_case, make_world, task_of
from onewindow.supervision.tests.world import finish_task_a, single_branch_version, submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def tworld(personas):
    return make_world(personas)


def _unchanged(case, status: str, events: int) -> None:
    case.refresh_from_db()
    assert case.status == status
    assert CaseEvent.objects.filter(case=case).count() == events


def test_the_intake_services_refuse_a_supervisor(tworld):
    sup = tworld.p.supervisor
    case = submitted_case(tworld)
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(CaseError):
        case_services.case_accept(case=case, actor=sup)
    with pytest.raises(CaseError):
        case_services.case_reject(case=case, actor=sup, reasons="不属于本机关职权范围")
    _unchanged(case, CaseStatus.SUBMITTED, events)


def test_the_review_services_refuse_a_supervisor(tworld):
    sup = tworld.p.supervisor
    case = accepted_case(tworld)
    events = CaseEvent.objects.filter(case=case).count()
    task = task_of(case, tworld.p.dept_a)
    with pytest.raises(CaseError):
        task_step_complete(task=task, actor=sup, revision=task.revision)
    with pytest.raises(CaseError):
        task_opinion_give(task=task, actor=sup, kind="agree", revision=task.revision)
    with pytest.raises(CaseError):
        decisions.suspension_start(
            case=case, actor=sup, kind="inspection", reason="现场核查", expected_days=5
        )
    _unchanged(case, CaseStatus.IN_REVIEW, events)
    assert not Suspension.objects.exists()
    task.refresh_from_db()
    assert task.step == 0 and not task.step_records.exists()


def test_the_decision_service_refuses_a_supervisor(tworld):
    case = accepted_case(tworld, version=single_branch_version(tworld))
    finish_task_a(tworld, Task.objects.get(case=case), "2025-10-14")
    case.refresh_from_db()
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(CaseError):
        decisions.decision_make(case=case, actor=tworld.p.supervisor, kind="grant")
    assert not Decision.objects.exists()
    _unchanged(case, case.status, events)


def test_a_supervisors_page_attempts_are_404_and_logged(tworld):
    client = Client()
    client.force_login(tworld.p.supervisor)
    waiting = submitted_case(tworld)
    case = accepted_case(tworld)
    task = task_of(case, tworld.p.dept_a)
    attempts = [
        (reverse("cases:intake_accept", args=[waiting.pk]), {"revision": waiting.revision}),
        (reverse("review:task_opinion", args=[task.pk]), {"revision": 0, "kind": "agree"}),
        (reverse("review:decision_make", args=[case.pk]), {"kind": "grant"}),
    ]
    before = AccessDenied.objects.count()
    for url, data in attempts:
        assert client.post(url, data).status_code in (403, 404), url
    assert AccessDenied.objects.count() - before == len(attempts)
    assert set(AccessDenied.objects.values_list("user_id", flat=True)) == {tworld.p.supervisor.pk}
    _unchanged(waiting, CaseStatus.SUBMITTED, CaseEvent.objects.filter(case=waiting).count())
    task.refresh_from_db()
    assert task.status == "open" and task.step == 0


def test_a_supervisors_api_attempts_are_refused_and_logged(tworld):
    api = APIClient()
    api.force_authenticate(tworld.p.supervisor)
    waiting = submitted_case(tworld)
    case = accepted_case(tworld)
    task = task_of(case, tworld.p.dept_a)
    attempts = [
        (f"/api/v1/intake/cases/{waiting.pk}/accept/", {"revision": waiting.revision}),
        (f"/api/v1/review/tasks/{task.pk}/opinion/", {"revision": 0, "kind": "agree"}),
        (f"/api/v1/review/cases/{case.pk}/decision/", {"kind": "grant"}),
    ]
    before = AccessDenied.objects.count()
    for url, data in attempts:
        assert api.post(url, data, format="json").status_code in (403, 404), url
    assert AccessDenied.objects.count() - before == len(attempts)
    waiting.refresh_from_db()
    assert waiting.status == CaseStatus.SUBMITTED
