"""The process calendar: package + override tables, provisional years, and its cache."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import F

from onewindow.calendars import selectors, services
from onewindow.calendars.models import CalendarDay, CalendarRevision, DayKind
from onewindow.calendars.selectors import get_calendar, unloaded_years_alert
from onewindow.calendars.tests.data import ARRANGEMENT_2027_CSV
from onewindow.lib.tests.official import a3_is_working_day, every_day
from onewindow.lib.workdays import Due

D = dt.date
pytestmark = pytest.mark.django_db


def load_2027() -> None:
    services.calendar_file_load(name="2027.csv", content=ARRANGEMENT_2027_CSV.encode())


def test_domain_rule_a2_examples_through_the_process_calendar() -> None:
    cal = get_calendar()
    assert cal.add_working_days(D(2025, 9, 30), 5) == Due(D(2025, 10, 14), False)
    assert cal.add_working_days(D(2025, 9, 30), 20) == Due(D(2025, 11, 4), False)
    assert cal.add_working_days(D(2025, 9, 30), 30) == Due(D(2025, 11, 18), False)
    assert selectors.add_working_days(D(2025, 9, 30), 5).date == D(2025, 10, 14)


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_day_of_2025_and_2026_is_classified_as_a3_says(year: int) -> None:
    cal = get_calendar()
    assert [d for d in every_day(year) if cal.is_working_day(d) != a3_is_working_day(d)] == []


def test_2027_is_provisional_until_its_arrangement_is_loaded() -> None:
    cal = get_calendar()
    assert not cal.is_loaded(2027)
    # Provisional: 除夕 Fri Feb 5 through 初三 Mon Feb 8 off, nothing else.
    assert cal.add_working_days(D(2027, 2, 4), 1) == Due(D(2027, 2, 9), True)
    assert cal.add_working_days(D(2027, 2, 19), 1) == Due(D(2027, 2, 22), True)
    assert cal.add_working_days(D(2026, 12, 31), 1).provisional

    load_2027()

    cal = get_calendar()
    assert cal.is_loaded(2027)
    # Loaded: Feb 5-12 off, Sat Feb 20 works.
    assert cal.add_working_days(D(2027, 2, 4), 1) == Due(D(2027, 2, 15), False)
    assert cal.add_working_days(D(2027, 2, 19), 1) == Due(D(2027, 2, 20), False)
    assert not cal.add_working_days(D(2026, 12, 31), 1).provisional


def test_an_override_row_beats_the_package() -> None:
    monday = D(2025, 3, 3)
    assert get_calendar().add_working_days(D(2025, 2, 28), 1).date == monday

    services.calendar_day_set(day=monday, kind=DayKind.HOLIDAY, name="地方假日")
    assert get_calendar().add_working_days(D(2025, 2, 28), 1).date == D(2025, 3, 4)
    assert get_calendar().arrangement(2025).holidays[monday] == "地方假日"

    services.calendar_day_set(day=D(2025, 10, 4), kind=DayKind.WORKDAY)  # a package holiday
    assert get_calendar().is_working_day(D(2025, 10, 4))
    assert D(2025, 10, 4) not in get_calendar().arrangement(2025).holidays

    assert services.calendar_day_delete(day=monday)
    assert get_calendar().add_working_days(D(2025, 2, 28), 1).date == monday
    assert not services.calendar_day_delete(day=monday)


def test_a_loaded_year_replaces_the_package_arrangement_of_that_year() -> None:
    services.calendar_year_load(
        year=2026, holidays={D(2026, 1, 1): "元旦"}, workdays={}, source="更正"
    )
    cal = get_calendar()
    assert cal.arrangement(2026).holidays == {D(2026, 1, 1): "元旦"}
    assert cal.is_working_day(D(2026, 2, 16))  # the package's 春节 no longer applies
    assert not cal.is_working_day(D(2026, 2, 14))  # nor its working Saturday

    assert services.calendar_year_unload(year=2026)
    assert not get_calendar().is_working_day(D(2026, 2, 16))
    assert not services.calendar_year_unload(year=2026)


def test_unloaded_years_alert_names_the_current_or_next_year() -> None:
    assert unloaded_years_alert(D(2026, 11, 26)) == [2027]
    assert unloaded_years_alert(D(2025, 6, 1)) == []
    assert unloaded_years_alert(D(2027, 3, 1)) == [2027, 2028]
    load_2027()
    assert unloaded_years_alert(D(2026, 11, 26)) == []
    assert unloaded_years_alert(D(2027, 3, 1)) == [2028]


def test_unloaded_years_alert_reads_the_clock(late_november_2026: None) -> None:
    assert unloaded_years_alert() == [2027]


def test_year_view_tells_where_a_year_comes_from() -> None:
    assert selectors.year_view(2025).source == "chinesecalendar"
    assert selectors.year_view(2027).provisional
    load_2027()
    view = selectors.year_view(2027)
    assert not view.provisional
    assert view.override_days == 31
    assert len(view.arrangement.holidays) == 28
    assert view.arrangement.workdays == {
        D(2027, 2, 20): "春节调休",
        D(2027, 5, 8): "劳动节调休",
        D(2027, 10, 9): "国庆节调休",
    }


# --- the cache --------------------------------------------------------------------------------
def test_the_cached_calendar_costs_no_query(
    django_assert_num_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "CHECK_SECONDS", 3.0)  # the root conftest sets 0 for tests
    first = get_calendar()
    with django_assert_num_queries(0):
        assert get_calendar() is first


def test_a_change_made_by_another_process_is_seen_after_the_check_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(selectors, "CHECK_SECONDS", 3.0)  # the root conftest sets 0 for tests
    clock = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock[0])
    before = get_calendar()
    assert before.is_working_day(D(2025, 3, 3))

    # What another process's service commits: the row and the revision bump, nothing here.
    CalendarDay.objects.create(date=D(2025, 3, 3), kind=DayKind.HOLIDAY, name="")
    CalendarRevision.objects.filter(pk=1).update(number=F("number") + 1)

    clock[0] += selectors.CHECK_SECONDS / 2
    assert get_calendar() is before  # within the interval: no query, the old calendar

    clock[0] += selectors.CHECK_SECONDS
    after = get_calendar()
    assert after is not before
    assert not after.is_working_day(D(2025, 3, 3))


def test_an_unchanged_revision_keeps_the_built_calendar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "CHECK_SECONDS", 3.0)  # the root conftest sets 0 for tests
    clock = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock[0])
    first = get_calendar()
    clock[0] += selectors.CHECK_SECONDS * 10
    assert get_calendar() is first


def test_every_service_write_bumps_the_revision() -> None:
    start = selectors.current_revision()
    services.calendar_day_set(day=D(2025, 3, 3), kind=DayKind.HOLIDAY)
    services.calendar_day_delete(day=D(2025, 3, 3))
    load_2027()
    services.calendar_year_unload(year=2027)
    assert selectors.current_revision() == start + 4


def test_the_revision_row_is_recreated_if_missing() -> None:
    CalendarRevision.objects.all().delete()
    assert selectors.current_revision() == 0
    services.calendar_day_set(day=D(2025, 3, 3), kind=DayKind.HOLIDAY)
    assert selectors.current_revision() == 1


def test_receipt_on_a_saturday_follows_the_setting(settings: Any) -> None:
    saturday = D(2025, 3, 8)
    assert selectors.receipt_date(saturday) == Due(D(2025, 3, 10), False)
    settings.RECEIVE_ON_NON_WORKING_DAY = "same"
    assert selectors.receipt_date(saturday) == Due(saturday, False)
