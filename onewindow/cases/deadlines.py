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


def receipt_policy() -> ReceiptPolicy:
    """DOMAIN-RULES A2: a non-working day's submission counts from the next working day
    ("next") or that day ("same"), as the deployment configures."""
    return "same" if settings.RECEIVE_ON_NON_WORKING_DAY == "same" else "next"


def intake_dates(submitted_on: dt.date) -> IntakeDates:
    """DOMAIN-RULES A2: receipt on a non-working day counts from the next working day (setting)."""
    calendar = get_calendar()
    received = calendar.receipt_date(submitted_on, receipt_policy())
    due = calendar.add_working_days(received.date, INTAKE_DAYS)
    return IntakeDates(received.date, due.date, received.provisional or due.provisional)


def acceptance_date(received_on: dt.date | None, decided_on: dt.date) -> dt.date:
    """The acceptance date of an intake decision taken on ``decided_on``: never before receipt.

    DOMAIN-RULES A2: a submission on a non-working day is deemed received on the next working
    day, so a clerk accepting it at the window that weekend must not date the acceptance a day
    before the receipt; the periods run from the later of the two (B1, B2).
    """
    return max(decided_on, received_on) if received_on else decided_on


def decision_dates(
    accepted_on: dt.date, *, committed_days: int, statutory_days: int
) -> DecisionDates:
    calendar = get_calendar()
    committed = calendar.add_working_days(accepted_on, committed_days)
    statutory = calendar.add_working_days(accepted_on, statutory_days)
    return DecisionDates(
        committed.date, statutory.date, committed.provisional or statutory.provisional
    )
