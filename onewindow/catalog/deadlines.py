"""Every deadline of a case, in one place: intake, decision, review branches, extensions,
certificates — pure functions over the working-day calendar.

The process plan sits here next to the process template it reads (``catalog.models``); services
store what these functions return (docs/rules/workdays.md §A7: deadlines are stored columns computed
once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings

from onewindow.calendars.selectors import get_calendar
from onewindow.lib.workdays import Due, ReceiptPolicy

# --- intake and decision (cases) ------------------------------------------------------------

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
    """docs/rules/workdays.md §A2: a non-working day's submission counts from the next working day
    ("next") or that day ("same"), as the deployment configures."""
    return "same" if settings.RECEIVE_ON_NON_WORKING_DAY == "same" else "next"


def intake_dates(submitted_on: dt.date) -> IntakeDates:
    """docs/rules/workdays.md §A2: receipt on a non-working day counts from the next working day
    (setting)."""
    calendar = get_calendar()
    received = calendar.receipt_date(submitted_on, receipt_policy())
    due = calendar.add_working_days(received.date, INTAKE_DAYS)
    return IntakeDates(received.date, due.date, received.provisional or due.provisional)


def acceptance_date(received_on: dt.date | None, decided_on: dt.date) -> dt.date:
    """The acceptance date of an intake decision taken on ``decided_on``: never before receipt.

    docs/rules/workdays.md §A2: a submission on a non-working day is deemed received on the next
    working day, so a clerk accepting it at the window that weekend must not date the acceptance a
    day before the receipt; the periods run from the later of the two (B1, B2).
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


# --- review branches, extensions and certificates ------------------------------------------

# ALL Art. 42 (docs/rules/licensing.md §B2): one extension of at most 10 working days, 15 for joint
# handling.
EXTENSION_MAX_DAYS = 10
EXTENSION_MAX_DAYS_JOINT = 15
# ALL Art. 44 (docs/rules/licensing.md §B3): certificate issued and delivered within 10 working
# days.
CERTIFICATE_DAYS = 10
# ALL Art. 26/42 (docs/rules/licensing.md §C3): joint handling is decided within 45 working days.
JOINT_HANDLING_DAYS = 45

DEFAULT_STEPS: tuple[dict[str, str], ...] = (
    {"kind": "handle", "role": "handler"},
    {"kind": "review", "role": "reviewer"},
    {"kind": "approve", "role": "approver"},
)


@dataclass(frozen=True)
class BranchPlan:
    """One department's part of the review as a case will get it."""

    department_id: int
    is_lead: bool
    allotted_days: int
    steps: list[dict[str, str]] = field(default_factory=list)
    branch_id: int | None = None  # None: the fallback for a version without a template


def process_plan(version: Any) -> list[BranchPlan]:
    """The branches of ``version``'s process template, lead first; without a template, one
    branch for the item's department taking the committed limit less consolidation.

    A published version's process cannot change (``PublishedVersionError``), so its plan is kept
    on the version object for the rest of the request (an acceptance asks twice: for the notice's
    departments and to open the tasks); a draft's is read each time. Every call gets its own
    copy."""
    if getattr(version, "status", "draft") == "draft":
        return _plan_of(version)
    kept: list[BranchPlan] | None = version.__dict__.get("_process_plan")
    if kept is None:
        kept = version.__dict__["_process_plan"] = _plan_of(version)
    return [replace(plan, steps=[dict(step) for step in plan.steps]) for plan in kept]


def _plan_of(version: Any) -> list[BranchPlan]:
    branches = sorted(version.process_branches.all(), key=lambda b: (not b.is_lead, b.sort, b.pk))
    if branches:
        return [
            BranchPlan(b.department_id, b.is_lead, b.allotted_days, list(b.steps), b.pk)
            for b in branches
        ]
    days = max(1, version.committed_days - version.consolidation_days)
    return [BranchPlan(version.item.department_id, True, days, [dict(s) for s in DEFAULT_STEPS])]


def critical_path_days(allotted: Iterable[int], consolidation_days: int) -> int:
    """docs/rules/licensing.md §C3: the latest branch plus the lead's consolidation, never the
    sum."""
    return max(allotted, default=0) + consolidation_days


def branch_due(opened_on: dt.date, allotted_days: int) -> Due:
    """A department's due date: ``allotted_days`` working days after the task opened (A2)."""
    return get_calendar().add_working_days(opened_on, allotted_days)


def case_decision_due(branch_dues: Iterable[dt.date], consolidation_days: int) -> Due:
    """docs/rules/licensing.md §C3: the case deadline is the latest branch deadline plus the lead's
    consolidation time — never the sum of the branches."""
    latest = max(branch_dues)
    return get_calendar().add_working_days(latest, consolidation_days)


def shift(due: dt.date, days: int) -> Due:
    """``due`` moved later by ``days`` working days (a special procedure's or a paused branch's
    time is not counted: ALL Art. 45, docs/rules/licensing.md §B4)."""
    return get_calendar().add_working_days(due, days)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` ≤ ``start``).

    The time a special procedure or a material request took: started on S and ended on E, the
    clock stood still for the working days after S through E (the start day itself was already
    counted as a day of review, as A2 counts periods from the day after the start).
    """
    if end <= start:
        return 0
    return get_calendar().count_working_days(start, end)


def extension_limit(*, joint_handling: bool) -> int:
    """ALL Art. 42: +10 working days approved by the agency head; +15 for joint / centralised
    handling approved by the government head (who approves: ``review.selectors.decisions.
    may_approve_extension``). The joint limit itself is capped at 45 working days when the item
    is published, unless its version records the law and article allowing more
    (``catalog.process.joint_limit_errors``)."""
    return EXTENSION_MAX_DAYS_JOINT if joint_handling else EXTENSION_MAX_DAYS


def certificate_due(decided_on: dt.date) -> Due:
    """ALL Art. 44 (B3): issued and delivered within 10 working days of the grant."""
    return get_calendar().add_working_days(decided_on, CERTIFICATE_DAYS)
