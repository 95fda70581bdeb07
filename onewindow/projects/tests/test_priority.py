"""The priority of key-project cases (docs/rules/projects.md §H4): the 「重点项目」 badge in every
inbox — the window's intake and delivery queues, the department's review inbox, the lead's
pending decisions, the supervision console, the case pages — and key-project cases first where a queue is ordered by urgency."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CasePriority
from onewindow.cases.selectors import intake_queue
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.uploads import case_file_add
from onewindow.projects.tests.world import (
    accept,
    agree,
    at,
    file_and_submit,
    make_project,
    make_world,
)
from onewindow.review.models import Task
from onewindow.review.services import decisions as decision_services

pytestmark = pytest.mark.django_db
BADGE = re.compile(r'class="badge badge-priority"[^>]*>重点项目<')


def _get(user, url):
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _plain_case(w, key, day):
    """An ordinary case of the same item (no project): no badge."""
    import time_machine

    from onewindow.projects.tests.world import at

    case = case_services.case_create_draft(
        item_version=w.items[key].published_version,
        applicant=w.p.applicant,
        created_by=w.p.applicant,
        region=w.region,
    )
    with time_machine.travel(at(day, 8), tick=False):
        for line in case.materials.all():
            case_file_add(case_material=line, upload=pdf(), actor=w.p.applicant)
        case_services.case_submit(case=case, actor=w.p.applicant)
    case.refresh_from_db()
    return case


@pytest.fixture
def w(personas):
    return make_world(personas)


def test_the_badge_shows_in_every_inbox_and_key_cases_come_first(w):
    project = make_project(w)
    plain = _plain_case(w, "1A", "2025-09-24")  # submitted first: due first
    key = file_and_submit(w, project, 1, "1A", "2025-09-24")
    assert key.priority == CasePriority.KEY and plain.priority == CasePriority.NORMAL
    # The window's queue: the key case first although the plain one was submitted earlier.
    assert list(intake_queue(w.p.clerk))[:2] == [key, plain]
    queue = _get(w.p.clerk, "/intake/")
    assert len(BADGE.findall(queue)) == 1
    assert queue.index(key.number) < queue.index(plain.number)
    assert BADGE.search(_get(w.p.clerk, f"/intake/{key.pk}/"))
    assert not BADGE.search(_get(w.p.clerk, f"/intake/{plain.pk}/"))

    accept(w, key, "2025-09-25")
    accept(w, plain, "2025-09-25")
    task = Task.objects.get(case=key)
    inbox = _get(w.p.handler_a, "/review/")
    assert len(BADGE.findall(inbox)) == 1
    assert inbox.index(key.number) < inbox.index(plain.number)
    assert BADGE.search(_get(w.p.handler_a, f"/review/tasks/{task.pk}/"))
    console = _get(w.p.supervisor, "/supervision/cases/")
    assert len(BADGE.findall(console)) == 1
    assert BADGE.search(_get(w.p.supervisor, f"/supervision/cases/{key.pk}/"))
    # The lead's pending decisions, then the window's delivery queue.
    agree(w, key, "2025-09-30")
    agree(w, plain, "2025-09-30")
    decisions = _get(w.p.approver_a, reverse("review:decisions"))
    assert f'{key.number}</a> <span class="badge badge-priority"' in decisions
    assert f"{plain.number}</a></th>" in decisions
    for case in (key, plain):
        with time_machine.travel(at("2025-10-09", 14), tick=False):
            decision_services.decision_make(
                case=Case.objects.get(pk=case.pk), actor=w.p.approver_a, kind="grant"
            )
    with time_machine.travel(at("2025-10-09", 15), tick=False):
        deliveries = _get(w.p.clerk, reverse("certificates:queue"))
    assert len(BADGE.findall(deliveries)) == 1 and plain.number in deliveries
    # The applicant's and agent's own case list.
    assert len(BADGE.findall(_get(w.p.enterprise, "/my/cases/"))) == 1
    assert not BADGE.search(_get(w.p.applicant, "/my/cases/"))
