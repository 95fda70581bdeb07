"""Silence counts as consent (DOMAIN-RULES C2): a department that has not answered by its due
date is recorded as 默许同意 and the case flagged for supervision — once, however many workers run
the job."""

from __future__ import annotations

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
from onewindow.review.tests.task_world import accepted_case, at, make_world, task_of


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
    assert task_of(case, tworld.p.dept_a).status == TaskStatus.DEEMED


@pytest.mark.django_db
def test_the_last_silent_department_completes_the_opinions_once(tworld):
    case = accepted_case(tworld)
    assert _deem("2025-10-20") == 3
    assert CaseEvent.objects.filter(case=case, action="opinions_complete").count() == 1
    _deem("2025-10-21")
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
    assert sum(results) == 3
    assert Opinion.objects.filter(task__case=case, kind=OpinionKind.DEEMED_CONSENT).count() == 3
    assert Task.objects.filter(case=case, status=TaskStatus.DEEMED).count() == 3
    assert CaseFlag.objects.filter(case=case, kind=FlagKind.DEEMED_CONSENT).count() == 1
    assert CaseEvent.objects.filter(case=case, action="deemed_consent").count() == 3
    assert CaseEvent.objects.filter(case=case, action="opinions_complete").count() == 1
