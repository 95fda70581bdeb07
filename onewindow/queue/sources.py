"""Where appointment codes come from (docs/rules/hall.md §J10).

The appointments app sits above this one, so it registers its resolver here at start-up::

    from onewindow.queue.sources import register_appointment_source
    register_appointment_source(resolve)  # resolve(code, at) -> AppointmentTicketInfo

A resolver raises ``TicketSourceError(message)`` for an unknown, used or expired code. With no
resolver registered every code is refused with a clear message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from onewindow.queue.errors import TicketSourceError

__all__ = [
    "AppointmentTicketInfo",
    "Resolver",
    "TicketSourceError",
    "register_appointment_source",
    "resolve_appointment",
]


@dataclass(frozen=True)
class AppointmentTicketInfo:
    """What an appointment tells the queue: the item or the window booked, the priority reason
    ("" for none, else a ``PriorityReason`` value) and a label shown with the ticket."""

    item_id: int | None
    window_id: int | None
    priority: str
    label: str


Resolver = Callable[[str, dt.datetime], AppointmentTicketInfo]

_resolver: list[Resolver] = []


def register_appointment_source(resolver: Resolver | None) -> None:
    """Register (or, with ``None``, remove) the one resolver of appointment codes."""
    _resolver.clear()
    if resolver is not None:
        _resolver.append(resolver)


def resolve_appointment(code: str, at: dt.datetime) -> AppointmentTicketInfo:
    if not _resolver:
        raise TicketSourceError(_("暂不支持凭预约码取号，请选择办理事项或业务类别取号。"))
    return _resolver[0](code, at)
