"""The errors of queue tickets and calling (one family with every app's, ``core.errors``)."""

from __future__ import annotations

from onewindow.core.errors import DomainError, WrongState

__all__ = ["QueueError", "QueueWrongState", "TicketSourceError"]


class QueueError(DomainError):
    """A queue rule forbids this action (docs/rules/hall.md §J10–§J15)."""

    code = "queue_error"


class QueueWrongState(WrongState):
    """The ticket's status does not allow the step (docs/rules/hall.md §J12)."""

    code = "wrong_status"


class TicketSourceError(QueueError):
    """An appointment code cannot be turned into a ticket (docs/rules/hall.md §J10)."""

    code = "bad_appointment_code"
