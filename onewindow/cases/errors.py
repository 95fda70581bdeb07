"""Domain errors raised by case services; views turn them into messages, the API into 400/409."""

from __future__ import annotations

from onewindow.core import errors


class CaseError(errors.DomainError):
    """A rule of the licensing procedure forbids this action. ``message`` is for the user."""

    code = "case_error"


class WrongStatus(CaseError, errors.WrongState):
    code = "wrong_status"


class ConcurrentChange(CaseError, errors.ConcurrentChange):
    """Somebody else changed the case between reading and writing it."""

    code = "conflict"
