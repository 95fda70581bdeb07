"""The errors of appointments and extended services (one family with every app's,
``core.errors``)."""

from __future__ import annotations

from onewindow.core.errors import DomainError, Forbidden, Invalid, WrongState

__all__ = [
    "AppointmentError",
    "AppointmentForbidden",
    "AppointmentInvalid",
    "AppointmentWrongState",
]


class AppointmentError(DomainError):
    """A rule of appointments forbids this action (docs/rules/hall.md §J1, §J4–§J9)."""

    code = "appointment_error"


class AppointmentInvalid(Invalid):
    """Submitted values break the rules of a booking or a request (field → messages)."""

    code = "invalid"


class AppointmentForbidden(Forbidden):
    code = "appointment_forbidden"


class AppointmentWrongState(WrongState):
    code = "appointment_wrong_state"
