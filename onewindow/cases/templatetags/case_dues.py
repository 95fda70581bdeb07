"""Filters turning a case's stored dates into the one due-date value (``cases.dues``), for
``{% due_date case|decision_due %}`` (the tag is in ``calendars``' ``due_dates`` library)."""

from __future__ import annotations

from django import template

from onewindow.cases import dues
from onewindow.cases.models import Case, Commitment
from onewindow.lib.workdays import Due

register = template.Library()


@register.filter
def intake_due(case: Case) -> Due | None:
    return dues.case_intake_due(case)


@register.filter
def decision_due(case: Case) -> Due | None:
    return dues.case_decision_due(case)


@register.filter
def statutory_due(case: Case) -> Due | None:
    return dues.case_statutory_due(case)


@register.filter
def commitment_due(commitment: Commitment) -> Due | None:
    return dues.commitment_due(commitment)
