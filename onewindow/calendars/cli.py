"""``onewindow calendar ...``: due dates, working-day counts, loading and showing a year.

Exit status: 0 success; 2 bad arguments or a bad file (nothing changed); 3 the answer touches a
year whose official arrangement is not loaded, so it is provisional (docs/rules/workdays.md §A4).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

from onewindow.lib.workdays import FIRST_YEAR, LAST_YEAR, WorkCalendar

EXIT_BAD_INPUT = 2
EXIT_PROVISIONAL = 3
WEEKDAYS = "一二三四五六日"


def iso_date(value: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise argparse.ArgumentTypeError(
            f"日期应为 YYYY-MM-DD 格式 (a date must look like YYYY-MM-DD): {value!r}"
        )
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期不存在 (no such date): {value}") from None


def working_days(value: str) -> int:
    try:
        n = int(value, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"工作日数应为非负整数 (working days must be a whole number): {value!r}"
        ) from None
    if n < 0:
        raise argparse.ArgumentTypeError(
            f"工作日数不能为负数 (working days must not be negative): {n}"
        )
    return n


def covered_year(value: str) -> int:
    if not value.isdigit() or not FIRST_YEAR <= int(value) <= LAST_YEAR:
        raise argparse.ArgumentTypeError(
            f"年份应在 {FIRST_YEAR}–{LAST_YEAR} 之间 "
            f"(the year must be within {FIRST_YEAR}-{LAST_YEAR}): {value!r}"
        )
    return int(value)


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "calendar",
        help="working-day calendar (工作日历)",
        description="Working days per docs/rules/workdays.md §A. Exit 3 means the answer is provisional.",
    )
    commands = parser.add_subparsers(dest="calendar_command", required=True)

    due = commands.add_parser("due", help="the N-th working day after START (期限到期日)")
    due.add_argument("start", type=iso_date, help="YYYY-MM-DD; the start day is not counted")
    due.add_argument("days", type=working_days, help="working days, 0 or more")
    due.set_defaults(func=_due)

    count = commands.add_parser("count", help="working days after START up to and including END")
    count.add_argument("start", type=iso_date)
    count.add_argument("end", type=iso_date)
    count.set_defaults(func=_count)

    load = commands.add_parser("load", help="load a year's arrangement from a CSV or JSON file")
    load.add_argument("file", type=Path, help="CSV (date,kind[,name]) or JSON")
    load.add_argument("--source", default="", help="e.g. the State Council notice's title")
    load.add_argument("--year", type=covered_year, help="the year, if the file does not say")
    load.set_defaults(func=_load)

    show = commands.add_parser("show", help="a year's holidays and working weekend days")
    show.add_argument("year", type=covered_year)
    show.set_defaults(func=_show)


def _fail(message: str) -> int:
    print(f"错误 (error): {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _warn_provisional(calendar: WorkCalendar, start: dt.date, end: dt.date) -> None:
    unloaded = [y for y in range(start.year, end.year + 1) if not calendar.is_loaded(y)]
    years = "、".join(str(y) for y in unloaded)
    print(
        f"注意：{years} 年节假日安排尚未载入，结果为临时计算 "
        f"(provisional: no holiday arrangement loaded for {', '.join(map(str, unloaded))})",
        file=sys.stderr,
    )


def _due(args: argparse.Namespace) -> int:
    from onewindow.core.commands import setup_django

    setup_django()
    from onewindow.calendars.selectors import get_calendar

    calendar = get_calendar()
    try:
        due = calendar.add_working_days(args.start, args.days)
    except ValueError as exc:
        return _fail(str(exc))
    if due.provisional:
        print(f"{due.date.isoformat()} provisional")
        _warn_provisional(calendar, args.start, due.date)
        return EXIT_PROVISIONAL
    print(due.date.isoformat())
    return 0


def _count(args: argparse.Namespace) -> int:
    from onewindow.core.commands import setup_django

    setup_django()
    from onewindow.calendars.selectors import get_calendar

    calendar = get_calendar()
    try:
        days = calendar.count_working_days(args.start, args.end)
    except ValueError as exc:
        return _fail(str(exc))
    if calendar.is_provisional(args.start, args.end):
        print(f"{days} provisional")
        _warn_provisional(calendar, args.start, args.end)
        return EXIT_PROVISIONAL
    print(days)
    return 0


def _load(args: argparse.Namespace) -> int:
    from onewindow.core.commands import setup_django

    setup_django()
    from django.core.exceptions import ValidationError

    from onewindow.calendars.services import calendar_file_load

    try:
        content = args.file.read_bytes()
    except OSError as exc:
        return _fail(f"无法读取文件 (cannot read the file) {args.file}: {exc.strerror or exc}")
    try:
        row = calendar_file_load(
            name=args.file.name, content=content, source=args.source, year=args.year
        )
    except ValidationError as exc:
        details = "\n  ".join(exc.messages)
        return _fail(
            f"文件未载入，日历未作任何修改 (file not loaded, nothing changed):\n  {details}"
        )
    _print_loaded(row.year)
    _print_recomputed(row.recomputed)
    return 0


def _print_recomputed(recomputed: dict[str, int]) -> None:
    """docs/rules/workdays.md §A4: how many stored deadlines the load counted again (0 when none
    moved)."""
    total = sum(recomputed.values())
    detail = ", ".join(f"{name} {count}" for name, count in sorted(recomputed.items()) if count)
    print(
        f"已重新计算受影响的期限：{total} 项 (deadlines recomputed: {total}"
        + (f"; {detail})" if detail else ")")
    )


def _print_loaded(year: int) -> int:
    from onewindow.calendars.selectors import year_view

    arrangement = year_view(year).arrangement
    print(
        f"已载入 {year} 年节假日安排：放假 {len(arrangement.holidays)} 天，"
        f"调休上班 {len(arrangement.workdays)} 天 "
        f"(loaded {year}: {len(arrangement.holidays)} holidays, "
        f"{len(arrangement.workdays)} working weekend days)"
    )
    return 0


def _show(args: argparse.Namespace) -> int:
    from onewindow.core.commands import setup_django

    setup_django()
    from onewindow.calendars.selectors import year_view

    view = year_view(args.year)
    if view.provisional:
        state = "临时计算，尚未载入官方安排 (provisional: not loaded)"
    else:
        state = f"已载入 (loaded)，来源 (source): {view.source}"
    print(f"{args.year} 年节假日安排：{state}")
    _print_days("放假日 (holidays)", view.arrangement.holidays)
    _print_days("调休上班日 (working weekend days)", view.arrangement.workdays)
    return EXIT_PROVISIONAL if view.provisional else 0


def _print_days(title: str, days: dict[dt.date, str]) -> None:
    print(f"{title}: {len(days)}")
    for day, name in days.items():
        print(f"  {day.isoformat()} 周{WEEKDAYS[day.weekday()]} {name}".rstrip())
