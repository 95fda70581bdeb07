"""The one clock business code reads. Tests freeze it with time-machine."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    """Today's date in the configured time zone (Asia/Shanghai by default)."""
    return timezone.localdate()


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date of ``moment`` in the configured time zone."""
    return timezone.localdate(moment)
