"""The errors of queue tickets and calling (one family with every app's, ``core.errors``)."""

from __future__ import annotations

from onewindow.core.errors import DomainError, WrongState

__all__ = ["QueueError", "QueueWrongState", "TicketSourceError", "TooManyTickets"]


class QueueError(DomainError):
    """A queue rule forbids this action (docs/rules/hall.md §J10–§J15)."""

    code = "queue_error"


class QueueWrongState(WrongState):
    """The ticket's status does not allow the step (docs/rules/hall.md §J12)."""

    code = "wrong_status"


class TooManyTickets(QueueError):
    """docs/rules/hall.md §J10: this address took too many tickets this minute."""

    code = "rate_limited"

    def __init__(self, message: str, wait: int) -> None:
        super().__init__(message)
        self.wait = wait


class TicketSourceError(QueueError):
    """An appointment code cannot be turned into a ticket (docs/rules/hall.md §J10)."""

    code = "bad_appointment_code"
