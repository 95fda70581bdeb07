"""Situation report figures (情况通报, docs/rules/supervision.md §D9) on a small world with known
numbers.

Department A's single-branch item (5 working days): four cases accepted 2025-09-30 are due
2025-10-14 (docs/rules/workdays.md §A3: Oct 1–8 holiday). In October one is decided early (10-10),
one on its due date (10-14), one late (10-16) and one stays open; a case received 10-09 waits for
intake; one accepted 10-20 (due 10-27) is decided late on 11-03. By hand: October received 2,
closed 3, on time 2, early 1 (66.7 % / 33.3 %), two cases overdue at the month's end (13 and 4
working days); September received 4 and closed none (rates "—").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import timezone

from onewindow.cases.models import Case
from onewindow.review.models import Task
from onewindow.review.tests.task_world import TaskWorld, accepted_case, at, make_world
from onewindow.supervision.models import Card, CardLevel, PeriodKind, SupervisionLetter
from onewindow.supervision.selectors.report_figures import (
    change,
    period_bounds,
    previous_period,
    report_figures,
)
from onewindow.supervision.services.letters import letter_issue
from onewindow.supervision.tests.world import (
    D,
    finish_task_a,
    grant,
    single_branch_version,
    submitted_case,
    sweep_on,
)

pytestmark = pytest.mark.django_db
OCTOBER = (D("2025-10-01"), D("2025-10-31"))
NOVEMBER = (D("2025-11-01"), D("2025-11-30"))


@dataclass
class October:
    w: TaskWorld
    early: Case
    on_time: Case
    late: Case
    still_open: Case
    waiting: Case
    late_in_november: Case


def _decide(w: TaskWorld, case: Case, day: str) -> None:
    finish_task_a(w, Task.objects.get(case=case), day)
    grant(w, case, day)


def _letter(w: TaskWorld, moment: dt.datetime) -> SupervisionLetter:
    with time_machine.travel(moment, tick=False):
        return letter_issue(
            actor=w.p.supervisor, department=w.p.dept_a, subject="督办", text="请说明原因。"
        )


@pytest.fixture
def october(personas) -> October:
    w = make_world(personas)
    version = single_branch_version(w)
    early, on_time, late, still_open = (accepted_case(w, version=version) for _ in range(4))
    waiting = submitted_case(w, day="2025-10-09", version=version)
    late_in_november = accepted_case(w, day="2025-10-20", version=version)
    _decide(w, early, "2025-10-10")
    _decide(w, on_time, "2025-10-14")
    sweep_on("2025-10-15")
    _decide(w, late, "2025-10-16")
    # One letter just before local midnight ending October, one just after (UTC: both Oct 31).
    _letter(w, at("2025-10-31", 23).replace(minute=30))
    _letter(w, at("2025-11-01", 0).replace(minute=10))
    sweep_on("2025-11-03")
    _decide(w, late_in_november, "2025-11-03")
    return October(w, early, on_time, late, still_open, waiting, late_in_november)


def _figures(kind: str, start: dt.date, end: dt.date, today: str = "2025-12-15") -> dict:
    return report_figures(kind, start, end, today=D(today))


def test_periods_are_whole_months_and_quarters_with_the_one_before():
    assert period_bounds(PeriodKind.MONTH, D("2026-02-17")) == (D("2026-02-01"), D("2026-02-28"))
    assert period_bounds(PeriodKind.QUARTER, D("2026-11-30")) == (D("2026-10-01"), D("2026-12-31"))
    assert previous_period(PeriodKind.MONTH, D("2026-01-01")) == (D("2025-12-01"), D("2025-12-31"))
    assert previous_period(PeriodKind.QUARTER, D("2026-01-01")) == (
        D("2025-10-01"),
        D("2025-12-31"),
    )


def test_october_counts_early_on_time_and_late_decisions(october):
    data = _figures(PeriodKind.MONTH, *OCTOBER)
    now = data["headline"]
    assert (now["received"], now["closed"], now["granted"], now["refused"]) == (2, 3, 3, 0)
    assert (now["on_time"], now["early"]) == (2, 1)
    assert (now["on_time_rate"], now["early_rate"]) == (66.7, 33.3)
    [dept_a] = data["departments"]
    assert dept_a["name"] == october.w.p.dept_a.name
    assert (dept_a["received"], dept_a["closed"], dept_a["on_time"], dept_a["early"]) == (
        2,
        3,
        2,
        1,
    )
    assert data["period"] == {
        "kind": "month",
        "start": "2025-10-01",
        "end": "2025-10-31",
        "as_of": "2025-10-31",
    }


def test_cases_still_undecided_at_the_end_are_the_most_overdue(october):
    data = _figures(PeriodKind.MONTH, *OCTOBER)
    assert data["headline"]["overdue_open"] == 2
    rows = [(r["case_id"], r["decision_due"], r["days_overdue"]) for r in data["overdue"]]
    # Due 10-14: 10-15 … 10-31 are 13 working days; due 10-27 (decided only on 11-03): 4.
    assert rows == [
        (october.still_open.pk, "2025-10-14", 13),
        (october.late_in_november.pk, "2025-10-27", 4),
    ]
    assert data["overdue"][0]["number"] == october.still_open.number


def test_the_current_period_is_counted_up_to_today(october):
    data = _figures(PeriodKind.MONTH, *NOVEMBER, today="2025-11-05")
    assert data["period"]["as_of"] == "2025-11-05"
    assert [r["case_id"] for r in data["overdue"]] == [october.still_open.pk]
    assert data["overdue"][0]["days_overdue"] == 16  # 10-15 … 11-05


def test_letters_count_in_the_local_month_they_were_issued(october):
    oct_data = _figures(PeriodKind.MONTH, *OCTOBER)
    nov_data = _figures(PeriodKind.MONTH, *NOVEMBER)
    assert oct_data["headline"]["letters_issued"] == 1
    assert nov_data["headline"]["letters_issued"] == 1
    assert oct_data["departments"][0]["letters"] == 1


def _cards_between(start: dt.date, end: dt.date, level: str) -> int:
    zone = timezone.get_current_timezone()
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return Card.objects.filter(issued_at__gte=begin, issued_at__lt=after, level=level).count()


def test_cards_count_in_the_period_they_were_issued_by_department_and_rule(october):
    data = _figures(PeriodKind.MONTH, *OCTOBER)
    red_in_october = _cards_between(*OCTOBER, CardLevel.RED)
    assert red_in_october > 0 and _cards_between(*NOVEMBER, CardLevel.RED) > 0
    assert data["headline"]["red"] == red_in_october
    assert data["headline"]["yellow"] == _cards_between(*OCTOBER, CardLevel.YELLOW)
    assert sum(r["red"] for r in data["departments"]) == red_in_october
    assert sum(r["red"] for r in data["rules"]) == red_in_october
    assert "task_due" in {r["code"] for r in data["rules"]}


def test_a_cancelled_card_is_counted_apart(october):
    card = Card.objects.filter(issued_at__lt=at("2025-11-01", 0)).first()
    assert card is not None
    Card.objects.filter(pk=card.pk).update(status="cancelled")
    data = _figures(PeriodKind.MONTH, *OCTOBER)
    assert data["headline"]["cards_cancelled"] == 1
    assert data["headline"][card.level] == _cards_between(*OCTOBER, card.level) - 1


def test_the_change_against_the_previous_period(october):
    data = _figures(PeriodKind.MONTH, *NOVEMBER)
    assert data["previous_period"] == {"start": "2025-10-01", "end": "2025-10-31"}
    assert data["previous"]["on_time_rate"] == 66.7
    assert data["headline"]["closed"] == 1 and data["headline"]["on_time_rate"] == 0.0
    assert data["change"]["closed"] == -2
    assert data["change"]["on_time_rate"] == -66.7  # percentage points
    assert data["change"]["received"] == -2


def test_rates_are_none_when_the_previous_period_closed_nothing(october):
    data = _figures(PeriodKind.MONTH, *OCTOBER)
    assert data["previous"]["received"] == 4 and data["previous"]["closed"] == 0
    assert data["previous"]["on_time_rate"] is None
    assert data["change"]["on_time_rate"] is None and data["change"]["received"] == -2


def test_an_empty_period_has_zeros_and_no_rates(personas):
    data = _figures(PeriodKind.QUARTER, D("2026-07-01"), D("2026-09-30"))
    assert data["headline"]["closed"] == data["headline"]["received"] == 0
    assert data["headline"]["on_time_rate"] is None and data["headline"]["early_rate"] is None
    assert data["departments"] == [] and data["rules"] == [] and data["overdue"] == []
    assert data["change"]["early_rate"] is None


def test_change_subtracts_counts_and_gives_rates_in_points():
    keys = ("received", "closed", "on_time", "early", "rejected", "yellow", "red")
    base = {k: 0 for k in (*keys, "letters_issued", "overdue_open")}
    now = base | {"received": 5, "on_time_rate": 80.0, "early_rate": None}
    before = base | {"received": 7, "on_time_rate": 75.5, "early_rate": 10.0}
    delta = change(now, before)
    assert delta["received"] == -2 and delta["on_time_rate"] == 4.5
    assert delta["early_rate"] is None


def test_the_figures_take_a_fixed_number_of_queries(october, django_assert_max_num_queries):
    accepted_case(october.w, version=october.still_open.item_version)  # one more case: same count
    with django_assert_max_num_queries(20) as captured:
        _figures(PeriodKind.MONTH, *OCTOBER)
    assert len(captured) >= 10  # aggregates, not nothing
