"""docs/rules/supervision.md §D2: a paused object gets no deadline card; the special procedure's own
overrun rule still applies (docs/rules/licensing.md §B4; docs/rules/supervision.md §D1, §D2).

The task world (``review/tests/task_world.py``), accepted 2025-09-30: A due 2025-10-14, B
2025-10-17, C 2025-10-11 (a working Saturday), the case 2025-10-21. Counted by hand (A3: Oct 1–8
holiday, Sat Oct 11 works):

* testing (检验检测) started Thu 2025-10-09, expected 3 working days: Fri 10-10, Sat 10-11,
  Mon 10-13 → expected end 10-13; its overrun card (suspension_overdue, r = 1) is red from Tue
  10-14, yellow (n = 1) from Sat 10-11 (the working day before 10-13).
* While it runs, C's 10-11 would be yellow on 10-10 and red from 10-13, A's 10-14 yellow on
  10-13 and red from 10-15: none of these is carded, the clock stands still.
* Ended Thu 10-16 by the lead: working days after 10-09 through 10-16 are 10, 11, 13, 14, 15,
  16 = 6, so C's due moves to 10-11 + 6 → 10-20 (13, 14, 15, 16, 17, 20) and is yellow on
  10-17 and red on 10-21 as usual.
"""

from __future__ import annotations

import pytest
import time_machine

from onewindow.review.models import Suspension
from onewindow.review.services.decisions import suspension_end, suspension_start
from onewindow.review.tests.task_world import accepted_case, at, make_world, task_of
from onewindow.supervision.models import Card
from onewindow.supervision.rules import crossed
from onewindow.supervision.tests.world import D, rule, sweep_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def tworld(personas):
    return make_world(personas)


def _hits(code: str, day: str, level: str) -> list[int]:
    return [h.object_id for h in crossed(rule(code), level, D(day))]


@pytest.fixture
def suspended(tworld):
    case = accepted_case(tworld)
    with time_machine.travel(at("2025-10-09"), tick=False):
        suspension = suspension_start(
            case=case,
            actor=tworld.p.handler_a,
            kind="testing",
            reason="委托检验样品",
            expected_days=3,
        )
    return case, suspension


def test_no_deadline_card_for_a_task_whose_case_is_in_a_special_procedure(tworld, suspended):
    case, suspension = suspended
    task_a, task_c = task_of(case, tworld.p.dept_a), task_of(case, tworld.dept_c)
    assert (task_a.due, task_c.due) == (D("2025-10-14"), D("2025-10-11"))
    assert _hits("task_due", "2025-10-10", "yellow") == []
    assert _hits("task_due", "2025-10-13", "red") == []
    assert _hits("task_due", "2025-10-15", "red") == []
    assert _hits("case_decision_due", "2025-10-22", "red") == []
    for day in ("2025-10-10", "2025-10-13", "2025-10-15"):
        sweep_on(day)
    assert not Card.objects.filter(rule__code__in=("task_due", "case_decision_due")).exists()
    # The special procedure's own overrun rule still applies: red from 10-14.
    assert _hits("suspension_overdue", "2025-10-14", "red") == [suspension.pk]
    assert Card.objects.filter(
        rule__code="suspension_overdue", level="red", object_id=suspension.pk
    ).exists()


def test_deadline_cards_resume_from_the_moved_due_date_once_the_procedure_ends(tworld, suspended):
    case, suspension = suspended
    with time_machine.travel(at("2025-10-16", 16), tick=False):
        suspension_end(
            suspension=Suspension.objects.get(pk=suspension.pk),
            actor=tworld.p.handler_a,
            result="检验合格",
        )
    task_c = task_of(case, tworld.dept_c)
    assert task_c.due == D("2025-10-20")
    assert task_c.pk not in _hits("task_due", "2025-10-16", "yellow")
    assert task_c.pk in _hits("task_due", "2025-10-17", "yellow")
    assert task_c.pk in _hits("task_due", "2025-10-21", "red")
