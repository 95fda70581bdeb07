"""The pure working-day calendar against docs/rules/workdays.md §A (no database)."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from chinese_calendar import constants
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.lib.tests.official import (
    A3_HOLIDAYS,
    A3_WORKING_WEEKENDS,
    a3_is_working_day,
    every_day,
)
from onewindow.lib.workdays import (
    FIRST_YEAR,
    LAST_YEAR,
    Due,
    WorkCalendar,
    provisional_holidays,
    qingming,
)

D = dt.date
PACKAGE_YEARS = {day.year for day in constants.holidays}


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    """Built the way the platform builds it, straight from the chinesecalendar package."""
    return WorkCalendar(
        loaded_years=PACKAGE_YEARS,
        holidays=dict(constants.holidays),
        workdays=dict(constants.workdays),
    )


def naive_add(cal: WorkCalendar, start: dt.date, n: int) -> dt.date:
    day = start
    while n:
        day += dt.timedelta(days=1)
        n -= cal.is_working_day(day)
    return day


# --- docs/rules/workdays.md §A2 examples ----------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (D(2025, 9, 30), 5, D(2025, 10, 14)),  # Oct 1-8 holiday; Sat Oct 11 works
        (D(2025, 9, 30), 20, D(2025, 11, 4)),
        (D(2025, 9, 30), 30, D(2025, 11, 18)),  # 20 + the 10-day extension
    ],
)
def test_domain_rule_a2_examples(cal: WorkCalendar, start: dt.date, n: int, due: dt.date) -> None:
    assert cal.add_working_days(start, n) == Due(due, provisional=False)
    assert cal.count_working_days(start, due) == n


def test_the_start_day_is_not_counted(cal: WorkCalendar) -> None:
    # Mon 2025-03-03 is a working day; one working day from it is Tue, not Mon itself.
    assert cal.add_working_days(D(2025, 3, 3), 1).date == D(2025, 3, 4)
    # From a Friday the next working day is the Monday.
    assert cal.add_working_days(D(2025, 3, 7), 1).date == D(2025, 3, 10)


def test_zero_days_is_the_start_day_itself(cal: WorkCalendar) -> None:
    assert cal.add_working_days(D(2025, 10, 4), 0) == Due(D(2025, 10, 4), False)
    assert cal.add_working_days(D(2027, 3, 1), 0) == Due(D(2027, 3, 1), True)


def test_the_2025_correction_notice_example_of_b1(cal: WorkCalendar) -> None:
    # docs/rules/licensing.md §B1: received 2025-04-30, the 5-working-day notice window ends
    # 2025-05-12.
    assert cal.add_working_days(D(2025, 4, 30), 5).date == D(2025, 5, 12)


def test_d2_yellow_and_red_card_days(cal: WorkCalendar) -> None:
    # docs/rules/supervision.md §D2: due 2025-10-14 -> yellow 2025-10-13, red 2025-10-15.
    assert cal.previous_working_day(D(2025, 10, 14)).date == D(2025, 10, 13)
    assert cal.next_working_day(D(2025, 10, 14)).date == D(2025, 10, 15)
    # Before the first working day after the National Day break comes Sep 30.
    assert cal.previous_working_day(D(2025, 10, 9)).date == D(2025, 9, 30)


def test_g2_tolerated_material_example(cal: WorkCalendar) -> None:
    # docs/rules/licensing.md §G2: 10 working days from 2026-04-30 -> 2026-05-18 (May 1-5 off, May 9
    # works).
    assert cal.add_working_days(D(2026, 4, 30), 10).date == D(2026, 5, 18)


# --- docs/rules/workdays.md §A3, every day of 2025 and 2026 ---------------------------------------
@pytest.mark.parametrize("year", [2025, 2026])
def test_every_day_is_classified_as_a3_says(cal: WorkCalendar, year: int) -> None:
    days = every_day(year)
    assert len(days) == 365
    wrong = [d for d in days if cal.is_working_day(d) != a3_is_working_day(d)]
    assert wrong == []
    arrangement = cal.arrangement(year)
    assert arrangement.loaded
    assert set(arrangement.holidays) == A3_HOLIDAYS[year]
    assert set(arrangement.workdays) == A3_WORKING_WEEKENDS[year]
    assert all(d.weekday() >= 5 for d in A3_WORKING_WEEKENDS[year])


def test_agrees_with_chinesecalendar_on_every_packaged_day(cal: WorkCalendar) -> None:
    day, last = D(2004, 1, 1), D(max(PACKAGE_YEARS), 12, 31)
    while day <= last:
        assert cal.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


# --- properties -------------------------------------------------------------------------------
dates_2004_2030 = st.dates(min_value=D(2004, 1, 1), max_value=D(2030, 12, 31))


@settings(max_examples=400, deadline=None)
@given(start=dates_2004_2030, n=st.integers(min_value=0, max_value=400))
def test_count_undoes_add_and_add_matches_a_day_by_day_walk(start: dt.date, n: int) -> None:
    cal = _module_calendar()
    due = cal.add_working_days(start, n)
    assert cal.count_working_days(start, due.date) == n
    assert due.date == naive_add(cal, start, n)
    if n:
        assert cal.is_working_day(due.date)
    touched = range(start.year, due.date.year + 1)
    assert due.provisional == any(year not in PACKAGE_YEARS for year in touched)


@settings(max_examples=300, deadline=None)
@given(start=dates_2004_2030, end=dates_2004_2030)
def test_count_is_the_number_of_working_days_in_the_half_open_span(
    start: dt.date, end: dt.date
) -> None:
    cal = _module_calendar()
    start, end = min(start, end), max(start, end)
    listed = cal.working_days_between(start, end)
    assert cal.count_working_days(start, end) == len(listed)
    assert all(start < d <= end and cal.is_working_day(d) for d in listed)


_CALENDAR: list[WorkCalendar] = []


def _module_calendar() -> WorkCalendar:
    # Hypothesis tests cannot take function-scoped fixtures; build once and share.
    if not _CALENDAR:
        _CALENDAR.append(
            WorkCalendar(
                loaded_years=PACKAGE_YEARS,
                holidays=dict(constants.holidays),
                workdays=dict(constants.workdays),
            )
        )
    return _CALENDAR[0]


# --- bad input --------------------------------------------------------------------------------
def test_negative_days_are_refused_with_a_clear_message(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="工作日数不能为负数"):
        cal.add_working_days(D(2025, 1, 2), -1)


def test_non_integer_days_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(TypeError, match="工作日数应为整数"):
        cal.add_working_days(D(2025, 1, 2), 0.0)  # type: ignore[arg-type]


def test_results_beyond_the_covered_span_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="超出日历覆盖范围"):
        cal.add_working_days(D(2099, 12, 1), 30)
    with pytest.raises(ValueError, match="超出日历覆盖范围"):
        cal.add_working_days(D(2003, 12, 31), 1)
    with pytest.raises(ValueError, match="超出日历覆盖范围"):
        cal.is_working_day(D(2100, 1, 1))
    assert cal.add_working_days(D(2099, 12, 1), 5).date == D(2099, 12, 8)


def test_count_refuses_an_end_before_the_start(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="早于开始日期"):
        cal.count_working_days(D(2025, 10, 14), D(2025, 9, 30))
    assert cal.count_working_days(D(2025, 10, 14), D(2025, 10, 14)) == 0


# --- receipt ----------------------------------------------------------------------------------
def test_a_saturday_submission_counts_from_the_next_working_day(cal: WorkCalendar) -> None:
    saturday = D(2025, 3, 8)
    assert cal.receipt_date(saturday) == Due(D(2025, 3, 10), False)
    assert cal.receipt_date(saturday, "same") == Due(saturday, False)
    # A working Saturday (调休) is itself the receipt day.
    assert cal.receipt_date(D(2025, 10, 11)).date == D(2025, 10, 11)
    # During the National Day break: the first day back.
    assert cal.receipt_date(D(2025, 10, 3)).date == D(2025, 10, 9)
    with pytest.raises(ValueError, match="收件规则"):
        cal.receipt_date(saturday, "later")  # type: ignore[arg-type]


# --- provisional years ------------------------------------------------------------------------
def test_a_result_touching_an_unloaded_year_is_provisional(cal: WorkCalendar) -> None:
    assert not cal.is_loaded(2027)
    # 2026-12-31 Thu; Jan 1 2027 (元旦) is a statutory holiday, Jan 2-3 the weekend.
    assert cal.add_working_days(D(2026, 12, 31), 1) == Due(D(2027, 1, 4), True)
    assert cal.add_working_days(D(2026, 12, 1), 5) == Due(D(2026, 12, 8), False)
    assert cal.add_working_days(D(2027, 6, 1), 3).provisional
    assert cal.is_provisional(D(2026, 12, 1), D(2027, 1, 1))
    assert not cal.is_provisional(D(2026, 1, 1), D(2026, 12, 31))


def test_a_span_through_an_unloaded_year_is_provisional_even_if_both_ends_are_loaded() -> None:
    cal = WorkCalendar(
        loaded_years={2026, 2028},
        holidays={d: n for d, n in constants.holidays.items() if d.year == 2026},
        workdays={},
    )
    due = cal.add_working_days(D(2026, 12, 1), 300)
    assert due.date.year == 2028
    assert due.provisional
    assert not cal.add_working_days(D(2028, 1, 3), 5).provisional


@pytest.mark.parametrize(
    ("year", "new_year", "qingming_day", "dragon_boat", "mid_autumn"),
    [
        (2027, D(2027, 2, 6), D(2027, 4, 5), D(2027, 6, 9), D(2027, 9, 15)),
        (2028, D(2028, 1, 26), D(2028, 4, 4), D(2028, 5, 28), D(2028, 10, 3)),
        (2029, D(2029, 2, 13), D(2029, 4, 4), D(2029, 6, 16), D(2029, 9, 22)),
        (2030, D(2030, 2, 3), D(2030, 4, 5), D(2030, 6, 5), D(2030, 9, 12)),
        (2031, D(2031, 1, 23), D(2031, 4, 5), D(2031, 6, 24), D(2031, 10, 1)),
        (2032, D(2032, 2, 11), D(2032, 4, 4), D(2032, 6, 12), D(2032, 9, 19)),
        (2033, D(2033, 1, 31), D(2033, 4, 4), D(2033, 6, 1), D(2033, 9, 8)),
        (2034, D(2034, 2, 19), D(2034, 4, 5), D(2034, 6, 20), D(2034, 9, 27)),
        (2035, D(2035, 2, 8), D(2035, 4, 5), D(2035, 6, 10), D(2035, 9, 16)),
    ],
)
def test_provisional_holidays_follow_the_2025_rules(
    year: int, new_year: dt.date, qingming_day: dt.date, dragon_boat: dt.date, mid_autumn: dt.date
) -> None:
    days = provisional_holidays(year)
    assert qingming(year) == qingming_day
    spring = {new_year + dt.timedelta(days=i) for i in range(-1, 3)}  # 除夕 through 初三
    expected = {
        D(year, 1, 1),
        *spring,
        qingming_day,
        D(year, 5, 1),
        D(year, 5, 2),
        dragon_boat,
        mid_autumn,
        D(year, 10, 1),
        D(year, 10, 2),
        D(year, 10, 3),
    }
    assert set(days) == expected
    assert {d for d, name in days.items() if name == "春节"} == spring


@pytest.mark.parametrize("year", [2025, 2026])
def test_provisional_holidays_are_within_the_official_ones_since_the_2025_rules(
    year: int,
) -> None:
    assert set(provisional_holidays(year)) <= A3_HOLIDAYS[year]


def test_provisional_calendar_has_weekends_and_statutory_holidays_only(
    cal: WorkCalendar,
) -> None:
    arrangement = cal.arrangement(2027)
    assert not arrangement.loaded
    assert arrangement.workdays == {}
    assert arrangement.holidays == provisional_holidays(2027)
    assert not cal.is_working_day(D(2027, 2, 8))  # Mon, 正月初三
    assert cal.is_working_day(D(2027, 2, 9))
    assert not cal.is_working_day(D(2027, 2, 13))  # an ordinary Saturday


def test_an_override_day_in_an_unloaded_year_applies_and_stays_provisional() -> None:
    cal = WorkCalendar(
        loaded_years=set(), holidays={D(2027, 2, 9): "春节"}, workdays={D(2027, 2, 20): "调休"}
    )
    assert not cal.is_working_day(D(2027, 2, 9))
    assert cal.is_working_day(D(2027, 2, 20))
    assert cal.add_working_days(D(2027, 2, 8), 1) == Due(D(2027, 2, 10), True)


def test_a_loaded_year_uses_exactly_its_arrangement() -> None:
    cal = WorkCalendar(loaded_years={2027}, holidays={D(2027, 1, 1): "元旦"}, workdays={})
    # No provisional 春节 in a loaded year: only what was loaded counts.
    assert cal.is_working_day(D(2027, 2, 8))
    assert not cal.add_working_days(D(2027, 2, 5), 1).provisional


def test_the_covered_span() -> None:
    assert (FIRST_YEAR, LAST_YEAR) == (2004, 2099)
    with pytest.raises(ValueError, match="超出日历覆盖范围"):
        provisional_holidays(2100)
