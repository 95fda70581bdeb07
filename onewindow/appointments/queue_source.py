"""The appointments' side of the queue (docs/rules/hall.md §J7, §J10).

The queue sits below this app: at start-up ``AppointmentsConfig.ready`` registers ``resolve`` as
the queue's source of appointment codes, so a code typed at the kiosk checks the appointment in
and the ticket carries its window, item and priority. Check-in and ticket are one transaction
(``queue.services.issue`` is atomic): a ticket the queue refuses leaves the appointment booked.

At the window's desk a check-in issues the ticket the same way when the hall runs a queue (at
least one active business category); a hall without one only checks the appointment in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from onewindow.appointments.errors import AppointmentError
from onewindow.appointments.models import Appointment
from onewindow.appointments.services import check_in, ticket_info
from onewindow.queue.errors import TicketSourceError
from onewindow.queue.models import QueueLine, Ticket, TicketSource
from onewindow.queue.services import IssueRequest, issue
from onewindow.queue.sources import AppointmentTicketInfo


def resolve(code: str, at: dt.datetime) -> AppointmentTicketInfo:
    """The queue's resolver: check the appointment in, or say why not in the queue's terms."""
    try:
        appointment = check_in(code, at=at)
    except AppointmentError as error:
        raise TicketSourceError(error.message) from error
    info = ticket_info(appointment)
    return AppointmentTicketInfo(
        item_id=info["item_id"],
        window_id=info["window_id"],
        priority=info["priority"],
        label=info["label"],
    )


def hall_runs_a_queue() -> bool:
    return QueueLine.objects.filter(is_active=True).exists()


def desk_check_in(code: str, *, at: dt.datetime, actor: Any) -> tuple[Appointment, Ticket | None]:
    """The clerk's check-in at the desk: through the queue (one ticket, source 窗口代取) when the
    hall runs one, else the check-in alone. Raises the queue's or the appointments' error."""
    if not hall_runs_a_queue():
        return check_in(code, at=at), None
    ticket = issue(
        IssueRequest(appointment_code=code), source=TicketSource.CLERK, actor=actor, at=at
    )
    appointment = Appointment.objects.get(code=ticket.appointment_code.strip().upper())
    return appointment, ticket
