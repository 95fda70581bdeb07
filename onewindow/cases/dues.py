"""A case's stored due dates as the value pages and the API show (docs/rules/workdays.md §A5).

Each function turns one stored date into a ``Due`` (date, provisional, paused) through
``calendars.selectors.stored_due``: provisional exactly when the date's counting, from the day its
period started, reaches a year whose holiday arrangement is not loaded (docs/rules/workdays.md §A4);
paused while a special procedure stops the case's clock (B4, ALL Art. 45: its time does not count,
so the decision dates move by the days spent and are not due meanwhile).
"""

from __future__ import annotations

from onewindow.calendars.selectors import stored_due
from onewindow.cases.models import Case, CaseStatus, Commitment
from onewindow.core import clock
from onewindow.lib.workdays import Due


def case_paused(case: Case) -> bool:
    """B4: the case's clock stands still during a special procedure (status 特别程序中)."""
    return case.status == CaseStatus.SUSPENDED


def case_intake_due(case: Case) -> Due | None:
    """ALL Art. 32: five working days from receipt (A2)."""
    return stored_due(
        case.intake_due, counted_from=case.received_on, provisional=case.due_provisional
    )


def case_decision_due(case: Case) -> Due | None:
    """The committed limit from acceptance (B2), moved by extensions and special procedures."""
    return stored_due(
        case.decision_due,
        counted_from=case.accepted_on,
        provisional=case.due_provisional,
        paused=case_paused(case),
    )


def case_statutory_due(case: Case) -> Due | None:
    """The statutory limit from acceptance (B2), moved like the committed one."""
    return stored_due(
        case.statutory_due,
        counted_from=case.accepted_on,
        provisional=case.due_provisional,
        paused=case_paused(case),
    )


def commitment_due(commitment: Commitment) -> Due | None:
    """G2: a 容缺 supplement's due date, counted from the day the commitment was signed."""
    return stored_due(
        commitment.due_on,
        counted_from=clock.local_date(commitment.signed_at) if commitment.signed_at else None,
        provisional=commitment.due_provisional,
    )
