"""The errors of consultation and complaints (one family with every app's, ``core.errors``)."""

from __future__ import annotations

from onewindow.core.errors import ConcurrentChange, DomainError, Forbidden, Invalid, WrongState


class ConsultError(DomainError):
    """A rule of questions, FAQ or complaints forbids this action."""

    code = "consult_error"


class ConsultInvalid(Invalid):
    """Submitted values break the rules of docs/rules/consultation.md §K5 (field → messages)."""

    code = "invalid"


class ConsultForbidden(Forbidden):
    code = "consult_forbidden"


class ConsultWrongStatus(WrongState):
    code = "consult_wrong_status"


class ConsultConflict(ConcurrentChange):
    code = "consult_conflict"
