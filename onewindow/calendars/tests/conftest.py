"""Calendar test fixtures: each test starts from a cold calendar cache and a frozen 'today'."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.calendars.selectors import calendar_cache_clear

# The day this feature was written: 2027's arrangement is published but in no package yet.
TODAY = dt.datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _cold_calendar_cache() -> Iterator[None]:
    """A test's rolled-back writes must not leak into the next test through the process cache."""
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def late_november_2026() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield
