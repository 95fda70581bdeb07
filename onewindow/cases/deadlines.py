"""Case deadlines, computed once with the working-day calendar and stored (STYLE: stored columns)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from onewindow.calendars.selectors import get_calendar
from onewindow.lib.workdays import ReceiptPolicy

# ALL Art. 32: the intake decision (accept, correction notice or rejection) within 5 working days.
INTAKE_DAYS = 5


@dataclass(frozen=True)
class IntakeDates:
    received_on: dt.date
    intake_due: dt.date
    provisional: bool


@dataclass(frozen=True)
class DecisionDates:
    decision_due: dt.date  # the committed limit (承诺时限), what supervision measures against
    statutory_due: dt.date  # the legal limit (法定时限, ALL Art. 42)
    provisional: bool


def intake_dates(submitted_on: dt.date) -> IntakeDates:
    """DOMAIN-RULES A2: receipt on a non-working day counts from the next working day (setting)."""
    calendar = get_calendar()
    policy: ReceiptPolicy = "same" if settings.RECEIVE_ON_NON_WORKING_DAY == "same" else "next"
    received = calendar.receipt_date(submitted_on, policy)
    due = calendar.add_working_days(received.date, INTAKE_DAYS)
    return IntakeDates(received.date, due.date, received.provisional or due.provisional)


def decision_dates(
    accepted_on: dt.date, *, committed_days: int, statutory_days: int
) -> DecisionDates:
    calendar = get_calendar()
    committed = calendar.add_working_days(accepted_on, committed_days)
    statutory = calendar.add_working_days(accepted_on, statutory_days)
    return DecisionDates(
        committed.date, statutory.date, committed.provisional or statutory.provisional
    )
