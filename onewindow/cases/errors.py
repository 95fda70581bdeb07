"""Domain errors raised by case services; views turn them into messages, the API into 400/409."""

from __future__ import annotations


class CaseError(Exception):
    """A rule of the licensing procedure forbids this action. ``message`` is for the user."""

    code = "case_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WrongStatus(CaseError):
    code = "wrong_status"


class ConcurrentChange(CaseError):
    """Somebody else changed the case between reading and writing it."""

    code = "conflict"
