"""docs/rules/workdays.md §A3 written out literally, for tests to check a calendar against day by
day."""

from __future__ import annotations

import datetime as dt


def _days(year: int, *spans: str) -> set[dt.date]:
    """'01-28…02-04' style spans (inclusive) of ``year`` as dates."""
    days: set[dt.date] = set()
    for span in spans:
        first, _, last = span.partition("…")
        start = dt.date(year, *map(int, first.split("-")))
        end = dt.date(year, *map(int, (last or first).split("-")))
        days.update(start + dt.timedelta(days=i) for i in range((end - start).days + 1))
    return days


# A3: 2025 holidays 01-01; 01-28…02-04; 04-04…06; 05-01…05; 05-31…06-02; 10-01…08;
# working weekend days 01-26, 02-08, 04-27, 09-28, 10-11.
A3_HOLIDAYS = {
    2025: _days(
        2025, "01-01", "01-28…02-04", "04-04…04-06", "05-01…05-05", "05-31…06-02", "10-01…10-08"
    ),
    # 2026 holidays 01-01…03; 02-15…23; 04-04…06; 05-01…05; 06-19…21; 09-25…27; 10-01…07.
    2026: _days(
        2026,
        "01-01…01-03",
        "02-15…02-23",
        "04-04…04-06",
        "05-01…05-05",
        "06-19…06-21",
        "09-25…09-27",
        "10-01…10-07",
    ),
}
A3_WORKING_WEEKENDS = {
    2025: _days(2025, "01-26", "02-08", "04-27", "09-28", "10-11"),
    # 2026 working weekend days 01-04, 02-14, 02-28, 05-09, 09-20, 10-10.
    2026: _days(2026, "01-04", "02-14", "02-28", "05-09", "09-20", "10-10"),
}


def a3_is_working_day(day: dt.date) -> bool:
    """A1 with the A3 lists: a weekday that is not a holiday, or a listed working weekend day."""
    if day in A3_WORKING_WEEKENDS[day.year]:
        return True
    return day.weekday() < 5 and day not in A3_HOLIDAYS[day.year]


def every_day(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=i) for i in range((dt.date(year, 12, 31) - first).days + 1)]
