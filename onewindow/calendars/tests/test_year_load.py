"""Loading a year's arrangement and editing single days: the rules, and nothing half-written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from onewindow.calendars import services
from onewindow.calendars.models import CalendarDay, DayKind, HolidayYear
from onewindow.calendars.selectors import current_revision, get_calendar
from onewindow.calendars.tests.data import ARRANGEMENT_2027_CSV, ARRANGEMENT_2027_JSON

D = dt.date
pytestmark = pytest.mark.django_db


def snapshot() -> tuple[list[tuple[int, str]], list[tuple[dt.date, str, str]], int]:
    return (
        list(HolidayYear.objects.order_by("year").values_list("year", "source")),
        list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name")),
        current_revision(),
    )


@pytest.fixture
def unchanged() -> Callable[[], None]:
    """Call at the end of a test: the tables and the revision are as they were at its start."""
    services.calendar_day_set(day=D(2027, 1, 2), kind=DayKind.WORKDAY, name="既有记录")
    before = snapshot()

    def check() -> None:
        assert snapshot() == before

    return check


def test_loading_a_year_replaces_its_rows_and_marks_it_loaded() -> None:
    services.calendar_day_set(day=D(2027, 3, 1), kind=DayKind.HOLIDAY, name="旧记录")
    row = services.calendar_year_load(
        year=2027,
        holidays={D(2027, 1, 1): "元旦", D(2027, 2, 6): "春节"},
        workdays=[D(2027, 2, 20)],
        source="  国务院办公厅通知  ",
    )
    assert (row.year, row.source) == (2027, "国务院办公厅通知")
    assert list(CalendarDay.objects.values_list("date", "kind", "name")) == [
        (D(2027, 1, 1), DayKind.HOLIDAY, "元旦"),
        (D(2027, 2, 6), DayKind.HOLIDAY, "春节"),
        (D(2027, 2, 20), DayKind.WORKDAY, ""),
    ]
    assert get_calendar().is_loaded(2027)
    assert not get_calendar().add_working_days(D(2027, 3, 1), 3).provisional


def test_loading_twice_keeps_one_year_row_with_the_new_days() -> None:
    services.calendar_file_load(name="a.csv", content=ARRANGEMENT_2027_CSV.encode())
    services.calendar_file_load(name="b.json", content=ARRANGEMENT_2027_JSON.encode())
    assert HolidayYear.objects.count() == 1
    assert HolidayYear.objects.get().source.startswith("国务院办公厅")
    assert CalendarDay.objects.count() == 31


def test_the_csv_and_the_json_forms_load_the_same_arrangement() -> None:
    services.calendar_file_load(name="2027.csv", content=ARRANGEMENT_2027_CSV.encode())
    from_csv = get_calendar().arrangement(2027)
    services.calendar_year_unload(year=2027)
    services.calendar_file_load(name="2027.json", content=ARRANGEMENT_2027_JSON.encode())
    from_json = get_calendar().arrangement(2027)
    assert set(from_csv.holidays) == set(from_json.holidays)
    assert from_csv.workdays.keys() == from_json.workdays.keys()


@pytest.mark.parametrize(
    ("holidays", "workdays", "message"),
    [
        ({D(2028, 1, 1): ""}, {}, "不在 2027 年内"),
        ({D(2027, 1, 1): "", D(2027, 2, 20): ""}, {D(2027, 2, 20): ""}, "同时被列为"),
        (
            {D(2027, 1, 1): ""},
            {D(2027, 2, 22): ""},
            "2027-02-22 是星期一，调休上班日只能是周六或周日",
        ),
        ({}, {D(2027, 2, 20): ""}, "没有任何放假日"),
        ({D(2027, 1, 1): "元" * 51}, {}, "节日名称不能超过 50 个字"),
    ],
)
def test_a_bad_arrangement_is_refused_and_nothing_changes(
    unchanged: Callable[[], None],
    holidays: dict[dt.date, str],
    workdays: dict[dt.date, str],
    message: str,
) -> None:
    with pytest.raises(ValidationError) as error:
        services.calendar_year_load(year=2027, holidays=holidays, workdays=workdays)
    assert any(message in text for text in error.value.messages)
    unchanged()


def test_a_year_outside_the_covered_span_is_refused(unchanged: Callable[[], None]) -> None:
    with pytest.raises(ValidationError, match="超出日历覆盖范围"):
        services.calendar_year_load(year=2100, holidays={D(2100, 1, 1): ""}, workdays={})
    unchanged()


def test_a_bad_file_is_refused_and_nothing_changes(unchanged: Callable[[], None]) -> None:
    broken = ARRANGEMENT_2027_CSV.replace("2027-05-08,班", "2027-05-10,班")  # a Monday
    with pytest.raises(ValidationError, match="2027-05-10 是星期一"):
        services.calendar_file_load(name="2027.csv", content=broken.encode())
    unchanged()


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as error:
        services.calendar_year_load(
            year=2027,
            holidays={D(2026, 12, 31): "", D(2027, 1, 1): ""},
            workdays={D(2027, 1, 4): "", D(2027, 1, 5): ""},
        )
    assert len(error.value.messages) == 3


# --- single days ------------------------------------------------------------------------------
def test_a_single_day_can_be_set_changed_and_deleted() -> None:
    services.calendar_day_set(day=D(2027, 2, 20), kind=DayKind.WORKDAY, name="调休")
    assert get_calendar().is_working_day(D(2027, 2, 20))
    services.calendar_day_set(day=D(2027, 2, 20), kind=DayKind.HOLIDAY, name="改为放假")
    assert CalendarDay.objects.get().name == "改为放假"
    assert not get_calendar().is_working_day(D(2027, 2, 20))
    # A single override does not make the year official.
    assert get_calendar().add_working_days(D(2027, 2, 19), 1).provisional
    assert services.calendar_day_delete(day=D(2027, 2, 20))
    assert not CalendarDay.objects.exists()


@pytest.mark.parametrize(
    ("day", "kind", "message"),
    [
        (D(2025, 3, 3), DayKind.WORKDAY, "是星期一，调休上班日只能是周六或周日"),
        (D(2025, 3, 3), "weekend", "类型“weekend”无效"),
        (D(2100, 1, 2), DayKind.HOLIDAY, "超出日历覆盖范围"),
    ],
)
def test_a_bad_single_day_is_refused_and_nothing_changes(
    unchanged: Callable[[], None], day: dt.date, kind: str, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        services.calendar_day_set(day=day, kind=kind)
    assert any(message in text for text in error.value.messages)
    unchanged()


def test_the_source_of_a_loaded_year_can_be_corrected() -> None:
    services.calendar_file_load(name="2027.csv", content=ARRANGEMENT_2027_CSV.encode())
    services.calendar_year_source_set(year=2027, source="国办发明电〔2026〕X号")
    assert HolidayYear.objects.get().source == "国办发明电〔2026〕X号"
    with pytest.raises(ValidationError, match="来源不能超过"):
        services.calendar_year_source_set(year=2027, source="x" * 201)
