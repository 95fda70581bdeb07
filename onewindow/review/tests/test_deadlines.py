"""Review deadlines against docs/rules/workdays.md §A (dates worked out by hand from the 2025
official arrangement, A3) and the process plan behind them (docs/rules/licensing.md §C3: latest
branch plus consolidation)."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.calendars.selectors import calendar_cache_clear
from onewindow.catalog import deadlines, process
from onewindow.catalog.deadlines import (
    branch_due,
    case_decision_due,
    certificate_due,
    critical_path_days,
    shift,
    working_days_between,
)
from onewindow.catalog.tests import builders as b

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def fresh_calendar():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


def test_a_branch_of_five_days_from_the_eve_of_national_day_ends_on_october_14():
    # A2: Oct 1–8 are holidays, Sat Oct 11 is worked: 9, 10, 11, 13, 14.
    due = branch_due(D(2025, 9, 30), 5)
    assert (due.date, due.provisional) == (D(2025, 10, 14), False)


def test_twenty_days_end_on_november_4_and_the_extension_moves_it_to_november_18():
    due = branch_due(D(2025, 9, 30), 20)
    assert due.date == D(2025, 11, 4)
    # B2 / A2: the 10-day extension counts on from the old due date.
    assert shift(due.date, 10).date == D(2025, 11, 18)
    assert branch_due(D(2025, 9, 30), 30).date == D(2025, 11, 18)


def test_the_case_is_due_one_working_day_after_the_latest_branch_not_after_their_sum():
    # C3: branches due Oct 14 and Oct 9; consolidation 1 → the working day after Oct 14.
    due = case_decision_due([D(2025, 10, 14), D(2025, 10, 9)], 1)
    assert due.date == D(2025, 10, 15)
    assert case_decision_due([D(2025, 10, 9), D(2025, 10, 14)], 1).date == D(2025, 10, 15)


def test_the_critical_path_is_the_longest_branch_plus_consolidation():
    assert critical_path_days([4, 3, 3], 1) == 5
    assert critical_path_days([], 1) == 1


def test_shift_skips_holidays_and_counts_official_working_weekend_days():
    # Sep 29 + 2: Sep 30, then Oct 1–8 off, Oct 9.
    assert shift(D(2025, 9, 29), 2).date == D(2025, 10, 9)
    # Fri Sep 26 + 1: Sun Sep 28 is an official working day (调休).
    assert shift(D(2025, 9, 26), 1).date == D(2025, 9, 28)
    # Spring Festival 2025: Jan 28 – Feb 4 off, Sat Feb 8 worked.
    assert shift(D(2025, 1, 27), 1).date == D(2025, 2, 5)
    assert shift(D(2025, 2, 7), 1).date == D(2025, 2, 8)


def test_working_days_between_counts_after_the_start_through_the_end():
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 14)) == 5
    # A special procedure started and ended on the same day, or "ended" before it began.
    assert working_days_between(D(2025, 10, 14), D(2025, 10, 14)) == 0
    assert working_days_between(D(2025, 10, 14), D(2025, 10, 9)) == 0
    # Over the holiday only Sep 30 counts up to Oct 8.
    assert working_days_between(D(2025, 9, 29), D(2025, 10, 8)) == 1


def test_shift_by_the_days_a_suspension_took_moves_the_due_date_as_far():
    started, ended = D(2025, 10, 9), D(2025, 10, 14)
    paused = working_days_between(started, ended)  # Oct 10, 11, 13, 14
    assert paused == 4
    assert shift(D(2025, 10, 15), paused).date == D(2025, 10, 21)


def test_the_certificate_is_due_ten_working_days_after_the_decision():
    # B3 / ALL Art. 44: Oct 15 (Wed) → 16, 17, 20, 21, 22, 23, 24, 27, 28, 29.
    assert certificate_due(D(2025, 10, 15)).date == D(2025, 10, 29)
    # Across the 2025 Labour Day holiday (May 1–5 off, Sun Apr 27 worked):
    # Apr 25 → 27, 28, 29, 30, May 6, 7, 8, 9, 12, 13.
    assert certificate_due(D(2025, 4, 25)).date == D(2025, 5, 13)


def test_a_deadline_in_a_year_without_an_official_arrangement_is_provisional():
    due = branch_due(D(2026, 12, 28), 5)
    assert due.provisional
    assert due.date.year == 2027
    assert not branch_due(D(2026, 12, 1), 5).provisional


def test_extension_limits_follow_article_42():
    assert deadlines.extension_limit(joint_handling=False) == 10
    assert deadlines.extension_limit(joint_handling=True) == 15


def test_the_plan_puts_the_lead_first_whatever_the_row_order():
    market = b.department()
    fire = b.department("XFZD", "鄂州市消防救援支队")
    version = b.draft(market)
    process.process_branch_add(version=version, department=fire, allotted_days=3)
    process.process_branch_add(version=version, department=market, allotted_days=4, is_lead=True)
    plan = deadlines.process_plan(version)
    assert [(p.department_id, p.is_lead, p.allotted_days) for p in plan] == [
        (market.pk, True, 4),
        (fire.pk, False, 3),
    ]
    assert all(p.branch_id is not None for p in plan)


def test_without_a_template_the_items_department_gets_the_committed_limit_less_consolidation():
    version = b.draft(b.department(), committed_days=5)
    [only] = deadlines.process_plan(version)
    assert (only.department_id, only.is_lead, only.allotted_days) == (
        version.item.department_id,
        True,
        4,
    )
    assert only.steps == list(deadlines.DEFAULT_STEPS)
    assert only.branch_id is None
