"""The errors of window conduct and the monthly evaluation (one family, ``core.errors``)."""

from __future__ import annotations

from onewindow.core.errors import ConcurrentChange, DomainError, Forbidden, Invalid, WrongState

__all__ = ["ConcurrentChange", "ConductError", "ConductWrongState", "Forbidden", "Invalid"]


class ConductError(DomainError):
    """A conduct rule forbids this action."""

    code = "conduct_error"


class ConductWrongState(WrongState):
    """The record's state does not allow the step (acknowledged already, reinstated already)."""

    code = "wrong_status"
