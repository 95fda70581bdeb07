"""Working-day arithmetic for statutory time limits (docs/rules/workdays.md §A). Pure Python, no
Django.

A ``WorkCalendar`` is built once from the official arrangements of the loaded years and covers
the fixed span ``FIRST_YEAR``..``LAST_YEAR``. Years without a loaded arrangement get a
provisional calendar (weekends plus the statutory holidays of the 2025 State Council rules, see
``provisional_holidays``) and every result touching such a year is flagged ``provisional``.

Everything is precomputed over day ordinals, so adding or counting working days is a few list
look-ups, never a loop over days:

* ``_cum[i]`` — working days from the first covered day up to and including day ``i``;
* ``_firm[k]`` / ``_provisional[k]`` — the ``k``-th working day (0-based) as a ready ``Due``;
* ``_limit[i]`` — the working-day index from which a result counted from day ``i`` touches an
  unloaded year (0 when day ``i`` itself lies in one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

# lunardate covers lunar years 1900-2099, and 2004 is the first year chinesecalendar carries.
FIRST_YEAR = 2004
LAST_YEAR = 2099

ReceiptPolicy = Literal["next", "same"]

NEW_YEAR = "元旦"
SPRING_FESTIVAL = "春节"
TOMB_SWEEPING = "清明节"
LABOUR_DAY = "劳动节"
DRAGON_BOAT = "端午节"
MID_AUTUMN = "中秋节"
NATIONAL_DAY = "国庆节"


@dataclass(frozen=True, slots=True)
class Due:
    """A date computed by the calendar; ``provisional`` when an unloaded year was involved.

    The same value carries a stored due date to every page and API answer
    (``calendars.selectors.stored_due``); there ``paused`` says the clock of the case or branch
    stands still (a special procedure, docs/rules/licensing.md §B4), so the date moves later and is
    not due.
    """

    date: dt.date
    provisional: bool
    paused: bool = False


@dataclass(frozen=True, slots=True)
class YearArrangement:
    """One year's holidays and working weekend days (调休上班日) as the calendar applies them."""

    year: int
    loaded: bool
    holidays: dict[dt.date, str]
    workdays: dict[dt.date, str]


@lru_cache(maxsize=256)
def provisional_holidays(year: int) -> dict[dt.date, str]:
    """The statutory holidays of ``year`` when no official arrangement is known.

    Rules for national annual holidays (全国年节及纪念日放假办法, revised by the State Council
    effective 2025-01-01): 元旦 Jan 1; 春节 农历除夕 through 正月初三; 清明 the solar term day;
    劳动节 May 1-2; 端午 农历五月初五; 中秋 农历八月十五; 国庆 Oct 1-3. The bridging days and
    working weekends (调休) are only known from the yearly notice, so none are guessed here.
    """
    from lunardate import LunarDate

    _check_year(year)
    days: dict[dt.date, str] = {dt.date(year, 1, 1): NEW_YEAR}
    new_year = LunarDate(year, 1, 1).to_solar_date()
    for offset in range(-1, 3):  # 除夕, 初一, 初二, 初三
        days[new_year + dt.timedelta(days=offset)] = SPRING_FESTIVAL
    days[qingming(year)] = TOMB_SWEEPING
    days[dt.date(year, 5, 1)] = days[dt.date(year, 5, 2)] = LABOUR_DAY
    days[LunarDate(year, 5, 5).to_solar_date()] = DRAGON_BOAT
    days[LunarDate(year, 8, 15).to_solar_date()] = MID_AUTUMN
    for day in (1, 2, 3):
        days[dt.date(year, 10, day)] = NATIONAL_DAY
    return dict(sorted(days.items()))


def qingming(year: int) -> dt.date:
    """The 清明 solar term of ``year`` (April 4, 5 or 6), from chinesecalendar's solar terms."""
    from chinese_calendar import get_solar_terms

    terms = get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 10))
    return next(day for day, name in terms if name == "清明")


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            f"年份 {year} 超出日历覆盖范围 {FIRST_YEAR}–{LAST_YEAR} 年 "
            f"(year {year} is outside the covered span {FIRST_YEAR}-{LAST_YEAR})"
        )


class WorkCalendar:
    """Working days over ``FIRST_YEAR``..``LAST_YEAR`` from the loaded years' arrangements.

    ``holidays`` and ``workdays`` (working weekend days) map dates to names. For a year not in
    ``loaded_years`` the provisional statutory holidays are added beneath them, so a single
    override day in such a year still applies while the year stays provisional.
    """

    def __init__(
        self,
        *,
        loaded_years: Iterable[int],
        holidays: Mapping[dt.date, str],
        workdays: Mapping[dt.date, str],
    ) -> None:
        self.loaded_years = frozenset(y for y in loaded_years if FIRST_YEAR <= y <= LAST_YEAR)
        self.first_day = dt.date(FIRST_YEAR, 1, 1)
        self.last_day = dt.date(LAST_YEAR, 12, 31)
        self._first_ordinal = self.first_day.toordinal()
        self._size = self.last_day.toordinal() - self._first_ordinal + 1
        self._holidays, self._workdays = self._effective_days(holidays, workdays)
        self._build_index()

    # --- construction -----------------------------------------------------------------------
    def _effective_days(
        self, holidays: Mapping[dt.date, str], workdays: Mapping[dt.date, str]
    ) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
        effective: dict[dt.date, str] = {}
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            if year not in self.loaded_years:
                effective.update(provisional_holidays(year))
        effective.update(holidays)
        inside = self.first_day, self.last_day
        merged_holidays = {
            d: name
            for d, name in sorted(effective.items())
            if inside[0] <= d <= inside[1] and d not in workdays
        }
        merged_workdays = {d: n for d, n in sorted(workdays.items()) if inside[0] <= d <= inside[1]}
        return merged_holidays, merged_workdays

    def _build_index(self) -> None:
        first = self._first_ordinal
        working = bytearray(self._size)
        for i in range(self._size):
            # date.fromordinal(1).weekday() == 0 (Monday), so ordinal % 7 gives 1..5 on Mon-Fri.
            working[i] = 1 <= (first + i) % 7 <= 5
        for day in self._holidays:
            working[day.toordinal() - first] = 0
        for day in self._workdays:
            working[day.toordinal() - first] = 1
        self._working = working
        cum: list[int] = []
        ordinals: list[int] = []
        count = 0
        for i, flag in enumerate(working):
            if flag:
                count += 1
                ordinals.append(first + i)
            cum.append(count)
        self._cum = cum
        self._work_count = count
        self._firm = [Due(dt.date.fromordinal(o), False) for o in ordinals]
        self._provisional = [Due(d.date, True) for d in self._firm]
        self._limit = self._provisional_limits()

    def _provisional_limits(self) -> list[int]:
        """Per day: the first working-day index whose result touches an unloaded year."""
        limits: list[int] = [0] * self._size
        next_unloaded = self._work_count  # past the end: never provisional
        for year in range(LAST_YEAR, FIRST_YEAR - 1, -1):
            lo = dt.date(year, 1, 1).toordinal() - self._first_ordinal
            hi = dt.date(year, 12, 31).toordinal() - self._first_ordinal
            if year in self.loaded_years:
                limit = next_unloaded
            else:
                limit = 0
                next_unloaded = self._cum[lo - 1] if lo else 0
            limits[lo : hi + 1] = [limit] * (hi - lo + 1)
        return limits

    # --- queries ----------------------------------------------------------------------------
    def _index(self, day: dt.date) -> int:
        i = day.toordinal() - self._first_ordinal
        if not 0 <= i < self._size:
            raise ValueError(
                f"日期 {day.isoformat()} 超出日历覆盖范围 {FIRST_YEAR}–{LAST_YEAR} 年 "
                f"({day.isoformat()} is outside the covered span {FIRST_YEAR}-{LAST_YEAR})"
            )
        return i

    def is_loaded(self, year: int) -> bool:
        return year in self.loaded_years

    def is_working_day(self, day: dt.date) -> bool:
        """docs/rules/workdays.md §A1: Mon-Fri that is not a holiday, plus declared working weekend
        days."""
        return bool(self._working[self._index(day)])

    def add_working_days(self, start: dt.date, n: int) -> Due:
        """The ``n``-th working day after ``start``.

        docs/rules/workdays.md §A2 / Civil Code Art. 201: the start day is not counted, so 5 working
        days from 2025-09-30 end on 2025-10-14. ``n == 0`` returns ``start`` itself (no time
        allowed). The result is provisional when any year from ``start`` to it is unloaded.
        """
        # Hot path: a few list look-ups; everything else goes to _add_checked.
        i = start.toordinal() - self._first_ordinal
        if n > 0 and 0 <= i < self._size:
            k = self._cum[i] + n - 1
            if k < self._work_count:
                return self._provisional[k] if k >= self._limit[i] else self._firm[k]
        return self._add_checked(start, n)

    def _add_checked(self, start: dt.date, n: int) -> Due:
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"工作日数应为整数 (working days must be an integer): {n!r}")
        if n < 0:
            raise ValueError(f"工作日数不能为负数 (working days must not be negative): {n}")
        i = self._index(start)
        if n == 0:
            return Due(start, self._limit[i] == 0)
        raise ValueError(
            f"自 {start.isoformat()} 起 {n} 个工作日超出日历覆盖范围（至 {LAST_YEAR} 年底）"
            f" ({n} working days from {start.isoformat()} end after {self.last_day.isoformat()},"
            " beyond the covered span)"
        )

    def count_working_days(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``: count(d, add(d, n)) == n."""
        i, j = self._index(start), self._index(end)
        if j < i:
            raise ValueError(
                f"结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()} "
                f"(end {end.isoformat()} is before start {start.isoformat()})"
            )
        return self._cum[j] - self._cum[i]

    def is_provisional(self, start: dt.date, end: dt.date) -> bool:
        """Whether any year from ``start`` to ``end`` (inclusive) has no loaded arrangement."""
        low, high = sorted((start, end))
        self._index(low)
        self._index(high)
        return any(y not in self.loaded_years for y in range(low.year, high.year + 1))

    def next_working_day(self, day: dt.date) -> Due:
        """The first working day strictly after ``day`` (red card day after a due date, D2)."""
        return self.add_working_days(day, 1)

    def previous_working_day(self, day: dt.date) -> Due:
        """The last working day strictly before ``day`` (yellow card day before a due date, D2)."""
        i = self._index(day)
        k = self._cum[i] - self._working[i] - 1
        if k < 0:
            raise ValueError(
                f"{day.isoformat()} 之前在日历覆盖范围内没有工作日 "
                f"(no working day before {day.isoformat()} in the covered span)"
            )
        found = self._firm[k].date
        return Due(found, self.is_provisional(found, day))

    def receipt_date(self, day: dt.date, policy: ReceiptPolicy = "next") -> Due:
        """The day a submission made on ``day`` counts as received (docs/rules/workdays.md §A2).

        On a non-working day it is deemed received on the next working day ("next", the
        default) or on that day itself ("same"), as the deployment configures.
        """
        if policy not in ("next", "same"):
            raise ValueError(f"未知的收件规则 (unknown receipt policy) {policy!r}: next 或 same")
        if policy == "same" or self.is_working_day(day):
            return self.add_working_days(day, 0)
        return self.add_working_days(day, 1)

    def working_days_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The working days after ``start`` up to and including ``end``, in order."""
        count = self.count_working_days(start, end)
        first = self._cum[self._index(start)]
        return [due.date for due in self._firm[first : first + count]]

    def changed_span(self, other: WorkCalendar) -> tuple[dt.date, dt.date] | None:
        """The first and last day on which ``other`` differs from this calendar: a day working
        on one and not the other, or a day of a year loaded on one and not the other (its
        results change from or to provisional, A4). None when both agree on every day."""
        spans: list[tuple[dt.date, dt.date]] = []
        if self._working != other._working:
            pairs = zip(self._working, other._working, strict=True)  # both span the same days
            changed = [i for i, (a, b) in enumerate(pairs) if a != b]
            spans.append((self._day(changed[0]), self._day(changed[-1])))
        for year in self.loaded_years ^ other.loaded_years:
            spans.append((dt.date(year, 1, 1), dt.date(year, 12, 31)))
        if not spans:
            return None
        return min(s[0] for s in spans), max(s[1] for s in spans)

    def _day(self, index: int) -> dt.date:
        return dt.date.fromordinal(self._first_ordinal + index)

    def arrangement(self, year: int) -> YearArrangement:
        """The holidays and working weekend days the calendar applies in ``year``."""
        _check_year(year)
        return YearArrangement(
            year=year,
            loaded=self.is_loaded(year),
            holidays={d: n for d, n in self._holidays.items() if d.year == year},
            workdays={d: n for d, n in self._workdays.items() if d.year == year},
        )
