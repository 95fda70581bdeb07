"""Working-day calendar throughput: the precomputed WorkCalendar against a naive day loop.

Usage: .venv/bin/python -m bench.calendar_bench [--ops 300000] [--rounds 5]
Builds the calendar straight from the chinesecalendar package (2004-2026 loaded, later years
provisional), pins the process to one CPU, draws random starts in 2004-2026 and random N in
1-60, checks that both implementations agree on every drawn case, and prints the best of
``--rounds`` timings for each as operations per second, and their ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections.abc import Callable

from chinese_calendar import constants

from onewindow.lib.workdays import WorkCalendar

ONE_DAY = dt.timedelta(days=1)


def package_calendar() -> WorkCalendar:
    return WorkCalendar(
        loaded_years={day.year for day in constants.holidays},
        holidays=dict(constants.holidays),
        workdays=dict(constants.workdays),
    )


def naive_adder(calendar: WorkCalendar) -> Callable[[dt.date, int], dt.date]:
    """What one would write first: step one day at a time and test each day."""
    arrangement = [calendar.arrangement(year) for year in range(2004, 2028)]
    holidays = frozenset(d for a in arrangement for d in a.holidays)
    workdays = frozenset(d for a in arrangement for d in a.workdays)

    def add(start: dt.date, n: int) -> dt.date:
        day = start
        while n:
            day += ONE_DAY
            if day in workdays or (day.weekday() < 5 and day not in holidays):
                n -= 1
        return day

    return add


def cases(count: int, seed: int) -> list[tuple[dt.date, int]]:
    rng = random.Random(seed)
    low, high = dt.date(2004, 1, 1).toordinal(), dt.date(2026, 12, 31).toordinal()
    return [(dt.date.fromordinal(rng.randint(low, high)), rng.randint(1, 60)) for _ in range(count)]


def best_rate(
    func: Callable[[dt.date, int], object], work: list[tuple[dt.date, int]], rounds: int
) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for start, n in work:
            func(start, n)
        best = min(best, time.perf_counter() - started)
    return len(work) / best


def pin_to_one_cpu() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--ops", type=int, default=300_000, help="operations per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the best one counts")
    parser.add_argument("--seed", type=int, default=20251001)
    args = parser.parse_args()
    pinned = pin_to_one_cpu()

    started = time.perf_counter()
    calendar = package_calendar()
    build_ms = (time.perf_counter() - started) * 1000
    naive = naive_adder(calendar)
    work = cases(args.ops, args.seed)
    naive_work = work[: max(1, args.ops // 20)]  # the loop is slow; time a slice of the cases
    mismatches = [
        (s, n) for s, n in naive_work if calendar.add_working_days(s, n).date != naive(s, n)
    ]
    if mismatches:
        print(f"implementations disagree, e.g. {mismatches[:3]}", file=sys.stderr)
        return 1

    fast = best_rate(calendar.add_working_days, work, args.rounds)
    slow = best_rate(naive, naive_work, args.rounds)
    print(f"calendar built in {build_ms:.0f} ms ({pinned}, Python {sys.version.split()[0]})")
    print(
        f"WorkCalendar.add_working_days: {fast:>12,.0f} ops/s  ({len(work):,} ops x {args.rounds})"
    )
    print(
        f"naive day loop:                {slow:>12,.0f} ops/s  ({len(naive_work):,} ops x {args.rounds})"
    )
    print(
        f"ratio: {fast / slow:.1f}x  (goal: >= 1,000,000 ops/s: {'met' if fast >= 1e6 else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
