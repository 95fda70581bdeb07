"""docs/rules/supervision.md §D2 with a frozen clock: due 2025-10-14 → yellow card on 2025-10-13
(the working day before), red card on 2025-10-15 (the first working day after) if still open;
nothing on the days between, nothing red when closed in time. For a review task, a case's committed
limit and an intake period."""

from __future__ import annotations

import pytest

from onewindow.review.models import Task
from onewindow.review.tests.task_world import accepted_case, make_world
from onewindow.supervision.models import Card
from onewindow.supervision.tests.world import (
    D,
    accept,
    finish_task_a,
    grant,
    levels,
    single_branch_version,
    submitted_case,
    sweep_on,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tworld(personas):
    return make_world(personas)


def test_a_task_due_october_14_is_yellow_on_the_13th_and_red_on_the_15th(tworld):
    case = accepted_case(tworld, version=single_branch_version(tworld))
    task = Task.objects.get(case=case)
    assert task.due == D("2025-10-14")
    seen = []
    for day in ("2025-10-09", "2025-10-10", "2025-10-11", "2025-10-13", "2025-10-14", "2025-10-15"):
        sweep_on(day)
        seen.append((day, levels("task_due", "task", task.pk)))
    assert seen == [
        ("2025-10-09", []),
        ("2025-10-10", []),
        ("2025-10-11", []),  # a working Saturday, still two working days before
        ("2025-10-13", ["yellow"]),
        ("2025-10-14", ["yellow"]),  # the due date itself: nothing new
        ("2025-10-15", ["yellow", "red"]),
    ]


def test_a_case_due_october_14_is_yellow_on_the_13th_and_red_on_the_15th(tworld):
    case = accepted_case(tworld, version=single_branch_version(tworld))
    assert case.decision_due == D("2025-10-14")
    seen = []
    for day in ("2025-10-10", "2025-10-13", "2025-10-14", "2025-10-15", "2025-10-16"):
        sweep_on(day)
        seen.append(levels("case_decision_due", "case", case.pk))
    assert seen == [[], ["yellow"], ["yellow"], ["yellow", "red"], ["yellow", "red"]]


def test_an_intake_period_ending_october_14_is_yellow_on_the_13th_and_red_on_the_15th(tworld):
    case = submitted_case(tworld)
    assert case.intake_due == D("2025-10-14")
    seen = []
    for day in ("2025-10-10", "2025-10-13", "2025-10-14", "2025-10-15"):
        sweep_on(day)
        seen.append(levels("case_intake_due", "case", case.pk))
    assert seen == [[], ["yellow"], ["yellow"], ["yellow", "red"]]


def test_a_task_and_case_closed_on_their_due_date_get_no_red_card(tworld):
    case = accepted_case(tworld, version=single_branch_version(tworld))
    task = Task.objects.get(case=case)
    sweep_on("2025-10-13")
    finish_task_a(tworld, task, "2025-10-14")
    grant(tworld, case, "2025-10-14")
    case.refresh_from_db()
    assert case.status == "granted"
    sweep_on("2025-10-15")
    sweep_on("2025-10-20")
    assert levels("task_due", "task", task.pk) == ["yellow"]
    assert levels("case_decision_due", "case", case.pk) == ["yellow"]


def test_an_application_accepted_on_the_last_intake_day_gets_no_red_card(tworld):
    case = submitted_case(tworld)
    sweep_on("2025-10-13")
    accept(tworld, case, "2025-10-14")
    sweep_on("2025-10-15")
    assert levels("case_intake_due", "case", case.pk) == ["yellow"]


def test_nothing_is_issued_before_the_yellow_day(tworld):
    accepted_case(tworld, version=single_branch_version(tworld))
    submitted_case(tworld)
    assert sweep_on("2025-10-10").total == 0
    assert not Card.objects.exists()
