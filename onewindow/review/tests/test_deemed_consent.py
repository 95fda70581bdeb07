"""Silence counts as consent (docs/rules/licensing.md §C2): a department that has not answered by
its due date is recorded as 默许同意 and the case flagged for supervision — once, however many workers
run the job."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any, cast

import pytest
import time_machine
from django.db import connection
from django.test import override_settings

from onewindow.cases.models import CaseEvent, CaseFlag, FlagKind
from onewindow.core.jobs import JOBS
from onewindow.review import services
from onewindow.review.models import Opinion, OpinionKind, Task, TaskStatus
from onewindow.review.selectors import case_opinions_complete
from onewindow.review.tests.task_world import accepted_case, at, make_world, task_of
from onewindow.supervision.models import Card
from onewindow.supervision.services.sweep import supervision_sweep


@pytest.fixture
def tworld(personas):
    return make_world(personas)


def _deem(day: str) -> int:
    with time_machine.travel(at(day, 1), tick=False):
        return services.tasks_deem_consent()


@pytest.mark.django_db
def test_a_department_silent_past_its_due_date_is_deemed_to_consent(tworld):
    case = accepted_case(tworld)
    assert _deem("2025-10-11") == 0  # due today (the working Saturday): still time
    assert _deem("2025-10-13") == 1
    task = task_of(case, tworld.dept_c)
    assert task.status == TaskStatus.DEEMED
    opinion = Opinion.objects.get(task=task)
    assert opinion.kind == OpinionKind.DEEMED_CONSENT and opinion.actor is None
    assert "2025-10-11" in opinion.text
    assert CaseFlag.objects.filter(case=case, kind=FlagKind.DEEMED_CONSENT).count() == 1
    event = CaseEvent.objects.get(case=case, action="deemed_consent")
    assert event.data["department"] == "鄂州市发展和改革委员会"
    assert task_of(case, tworld.p.dept_b).status == TaskStatus.OPEN


@pytest.mark.django_db
def test_running_the_job_twice_records_consent_once(tworld):
    case = accepted_case(tworld)
    assert _deem("2025-10-13") == 1
    assert _deem("2025-10-13") == 0
    assert _deem("2025-10-14") == 0
    assert Opinion.objects.filter(task__case=case).count() == 1


@pytest.mark.django_db
def test_deemed_consent_can_be_switched_off(tworld):
    accepted_case(tworld)
    with override_settings(DEEMED_CONSENT=False):
        assert _deem("2025-10-30") == 0
    assert not Opinion.objects.exists()


@pytest.mark.django_db
def test_a_branch_whose_clock_is_stopped_for_material_is_not_deemed(tworld):
    case = accepted_case(tworld)
    with time_machine.travel(at("2025-10-13"), tick=False):
        services.task_material_request(
            task=task_of(case, tworld.p.dept_b),
            actor=tworld.p.reviewer_b,
            text="补证明",
            revision=0,
        )
    _deem("2025-10-30")
    assert task_of(case, tworld.p.dept_b).status == TaskStatus.WAITING_MATERIAL
    assert task_of(case, tworld.dept_c).status == TaskStatus.DEEMED


@pytest.mark.django_db
def test_the_lead_department_is_never_deemed_to_consent(tworld):
    """C2 applies to co-departments only. Accepted 2025-09-30 (A3: Oct 1–8 holiday, Sat Oct 11
    works), by hand: lead A due 2025-10-14 (5 working days), B 2025-10-17 (8), C 2025-10-11 (3).
    On 2025-10-20 all three are past due and silent: B and C are deemed, A stays open and
    overdue, so the opinions are not complete and nobody may decide yet."""
    case = accepted_case(tworld)
    assert _deem("2025-10-20") == 2
    lead = task_of(case, tworld.p.dept_a)
    assert lead.is_lead and lead.status == TaskStatus.OPEN
    assert lead.due == dt.date(2025, 10, 14)
    assert not Opinion.objects.filter(task=lead).exists()
    assert task_of(case, tworld.p.dept_b).status == TaskStatus.DEEMED
    assert task_of(case, tworld.dept_c).status == TaskStatus.DEEMED
    assert not case_opinions_complete(case)
    assert not CaseEvent.objects.filter(case=case, action="opinions_complete").exists()
    assert _deem("2025-11-30") == 0  # however long the lead stays silent
    assert task_of(case, tworld.p.dept_a).status == TaskStatus.OPEN


@pytest.mark.django_db
def test_the_silent_lead_gets_its_deadline_cards_and_no_deemed_consent_card(tworld):
    """Lead A due 2025-10-14 (by hand, see above): the sweep of 2025-10-15 (the first working
    day after it, D2) gives A's task a red deadline card; the deemed-consent cards go to the
    deemed co-departments B (due 2025-10-17) and C (due 2025-10-11) only."""
    case = accepted_case(tworld)
    _deem("2025-10-20")
    with time_machine.travel(at("2025-10-20", 7), tick=False):
        supervision_sweep()
    lead = task_of(case, tworld.p.dept_a)
    red_due = Card.objects.filter(rule__code="task_due", object_kind="task", level="red")
    assert red_due.filter(object_id=lead.pk).exists()
    deemed_cards = set(
        Card.objects.filter(rule__code="deemed_consent").values_list("object_id", flat=True)
    )
    assert deemed_cards == {task_of(case, tworld.p.dept_b).pk, task_of(case, tworld.dept_c).pk}


@pytest.mark.django_db
def test_the_lead_opinion_after_the_silent_co_departments_completes_the_opinions_once(tworld):
    """B and C are deemed on 2025-10-20 (due 10-17 and 10-11); the lead answers on 10-21."""
    case = accepted_case(tworld)
    assert _deem("2025-10-20") == 2
    lead = task_of(case, tworld.p.dept_a)
    staff = [tworld.p.handler_a, tworld.p.reviewer_a, tworld.p.approver_a]
    with time_machine.travel(at("2025-10-21", 9), tick=False):
        for actor in staff[:-1]:
            lead.refresh_from_db()
            services.task_step_complete(task=lead, actor=actor, revision=lead.revision)
        lead.refresh_from_db()
        services.task_opinion_give(
            task=lead, actor=staff[-1], kind=OpinionKind.AGREE, revision=lead.revision
        )
    assert case_opinions_complete(case)
    assert CaseEvent.objects.filter(case=case, action="opinions_complete").count() == 1
    _deem("2025-10-22")
    assert CaseEvent.objects.filter(case=case, action="opinions_complete").count() == 1


def test_the_job_is_registered_for_the_background_loop():
    __import__("onewindow.review.jobs")
    assert "review.deem_consent" in JOBS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_record_each_consent_once(tworld):
    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        pytest.skip("SQLite in-memory test database: set SQLITE_TEST_NAME to a file path")
    case = accepted_case(tworld)
    results: list[Any] = [None, None]
    start = threading.Barrier(2)

    def run(i: int) -> None:
        try:
            start.wait(timeout=10)
            results[i] = services.tasks_deem_consent()
        except BaseException as exc:
            results[i] = exc
        finally:
            connection.close()

    with time_machine.travel(at("2025-10-20", 1), tick=False):
        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not [r for r in results if isinstance(r, BaseException)], results
    # The two co-departments, each once; the lead is never deemed (C2).
    assert sum(results) == 2
    assert Opinion.objects.filter(task__case=case, kind=OpinionKind.DEEMED_CONSENT).count() == 2
    assert Task.objects.filter(case=case, status=TaskStatus.DEEMED).count() == 2
    assert CaseFlag.objects.filter(case=case, kind=FlagKind.DEEMED_CONSENT).count() == 1
    assert CaseEvent.objects.filter(case=case, action="deemed_consent").count() == 2
