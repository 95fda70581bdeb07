"""The errors of announcements and result publicity (one family with every app's,
``core.errors``)."""

from __future__ import annotations

from onewindow.core.errors import DomainError, Forbidden, WrongState


class PublicityClosed(WrongState):
    """docs/rules/publicity.md §L3: the publicity period is over; no objection is taken."""

    code = "publicity_closed"


class ObjectionAnswered(WrongState):
    code = "objection_answered"


class TooManyObjections(DomainError):
    code = "too_many_objections"


class NotLeadDepartment(Forbidden):
    code = "not_lead_department"
