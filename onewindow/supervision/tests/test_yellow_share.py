"""docs/rules/supervision.md §D2 "or at a share of the allotted time used": with ``yellow_share``
set, the yellow card comes once that share of the allotted working days is used, or on the working
day before the due date, whichever is first; the red card is unchanged.

World (``world.py``): department A's task opens 2025-09-30 with 5 working days, due 2025-10-14
(Oct 1–8 holiday, Oct 11 a working Saturday: the working days are Oct 9, 10, 11, 13, 14).
At 60 % of 5 days (3 used, 2 left) the yellow bound is "due ≤ 2 working days ahead": on
2025-10-11 (Oct 13, 14 left) the task turns yellow, not on Oct 10 (Oct 11, 13, 14 left).
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from onewindow.review.models import Task
from onewindow.review.tests.task_world import accepted_case, make_world
from onewindow.supervision.models import Rule
from onewindow.supervision.rules import share_last_due
from onewindow.supervision.tests.world import (
    D,
    levels,
    single_branch_version,
    submitted_case,
    sweep_on,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tworld(personas):
    return make_world(personas)


def share(code: str, percent: int | None) -> None:
    Rule.objects.filter(code=code).update(yellow_share=percent)


def test_share_bound_counts_the_working_days_left():
    rule = Rule(yellow_share=60)
    # 5 days, 60 % → 3 used, at most 2 left: due ≤ the 2nd working day after today.
    assert share_last_due(rule, D("2025-10-10"), 5) == D("2025-10-13")
    assert share_last_due(rule, D("2025-10-11"), 5) == D("2025-10-14")
    # 99 % of 5 days rounds up to all 5: yellow only on the due date itself.
    assert share_last_due(Rule(yellow_share=99), D("2025-10-14"), 5) == D("2025-10-14")
    assert share_last_due(Rule(yellow_share=None), D("2025-10-14"), 5) is None


def test_a_task_turns_yellow_once_sixty_percent_of_its_days_are_used(tworld):
    share("task_due", 60)
    case = accepted_case(tworld, version=single_branch_version(tworld))
    task = Task.objects.get(case=case)
    assert (task.allotted_days, task.due) == (5, D("2025-10-14"))
    seen = []
    for day in ("2025-10-09", "2025-10-10", "2025-10-11", "2025-10-15"):
        sweep_on(day)
        seen.append(levels("task_due", "task", task.pk))
    assert seen == [[], [], ["yellow"], ["yellow", "red"]]


def test_a_case_turns_yellow_at_its_share_of_the_critical_path(tworld):
    share("case_decision_due", 60)
    case = accepted_case(tworld, version=single_branch_version(tworld))
    assert case.decision_due == D("2025-10-14")
    seen = []
    for day in ("2025-10-10", "2025-10-11"):
        sweep_on(day)
        seen.append(levels("case_decision_due", "case", case.pk))
    assert seen == [[], ["yellow"]]


def test_an_intake_period_turns_yellow_at_its_share_of_five_days(tworld):
    share("case_intake_due", 40)  # 2 of 5 used, 3 left: due ≤ the 3rd working day ahead
    case = submitted_case(tworld)
    assert case.intake_due == D("2025-10-14")
    sweep_on("2025-10-09")  # Oct 10, 11, 13, 14 left
    assert levels("case_intake_due", "case", case.pk) == []
    sweep_on("2025-10-10")  # Oct 11, 13, 14 left
    assert levels("case_intake_due", "case", case.pk) == ["yellow"]


def test_without_a_share_the_working_day_before_still_rules(tworld):
    share("task_due", None)
    case = accepted_case(tworld, version=single_branch_version(tworld))
    task = Task.objects.get(case=case)
    sweep_on("2025-10-11")
    assert levels("task_due", "task", task.pk) == []
    sweep_on("2025-10-13")
    assert levels("task_due", "task", task.pk) == ["yellow"]


def test_a_share_outside_one_to_ninety_nine_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        share("task_due", 100)
