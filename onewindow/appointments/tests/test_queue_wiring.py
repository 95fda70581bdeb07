"""An appointment code at the queue's kiosk and at the window's desk (docs/rules/hall.md §J7
and docs/rules/hall.md §J10): the ticket carries the appointment's window and priority, check-in and ticket are one
transaction, and a hall without a queue still checks people in."""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.test import APIClient

from onewindow.appointments import services
from onewindow.appointments.models import Appointment, AppointmentStatus, Priority
from onewindow.appointments.tests.world import WORKDAY, T, at
from onewindow.queue.errors import TicketSourceError
from onewindow.queue.models import PriorityReason, QueueLine, Ticket, TicketSource
from onewindow.queue.services import IssueRequest, issue

pytestmark = pytest.mark.django_db


def _book(hall, *, priority: str = "", proof: str = "") -> Appointment:
    return services.book(
        actor=hall.applicant,
        item=hall.item,
        day=WORKDAY,
        start=T("10:00"),
        priority=priority,
        priority_proof=proof,
    )


@pytest.fixture
def line(hall):
    line = QueueLine.objects.create(letter="A", name="市场准入", sort=1)
    line.departments.add(hall.p.dept_a)
    return line


def test_a_code_at_the_kiosk_checks_in_and_the_ticket_keeps_window_and_priority(hall, frozen, line):
    appointment = _book(hall, priority=Priority.DISABLED, proof="42070219800101123X")
    moment = at("2026-09-29", "09:45")
    ticket = issue(
        IssueRequest(appointment_code=appointment.code), source=TicketSource.KIOSK, at=moment
    )
    assert ticket.source == TicketSource.APPOINTMENT
    assert ticket.window_id == hall.window.pk and ticket.line_id == line.pk
    assert ticket.priority == PriorityReason.DISABLED and ticket.number == "V001"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    # The same code again: refused with the appointment's reason, no second ticket.
    with pytest.raises(TicketSourceError, match="已签到"):
        issue(IssueRequest(appointment_code=appointment.code), source=TicketSource.KIOSK, at=moment)
    assert Ticket.objects.count() == 1


def test_a_ticket_the_queue_refuses_leaves_the_appointment_booked(hall, frozen, line):
    appointment = _book(hall)
    hall.window.is_active = False
    hall.window.save()
    with pytest.raises(Exception, match="窗口已停用"):
        issue(
            IssueRequest(appointment_code=appointment.code),
            source=TicketSource.KIOSK,
            at=at("2026-09-29", "09:45"),
        )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert not Ticket.objects.exists()


def test_a_bad_code_at_the_kiosk_is_the_appointments_message(hall, frozen, line):
    with pytest.raises(TicketSourceError, match="预约码不存在"):
        issue(
            IssueRequest(appointment_code="ZZZZZZZZ"),
            source=TicketSource.KIOSK,
            at=at("2026-09-29", "09:45"),
        )
    assert not Ticket.objects.exists()


def test_the_desk_check_in_issues_the_ticket_when_the_hall_runs_a_queue(hall, frozen, line):
    appointment = _book(hall)
    clerk = APIClient()
    clerk.force_authenticate(hall.p.clerk)
    with time_machine.travel(at("2026-09-29", "09:40"), tick=False):
        done = clerk.post(
            "/api/v1/appointments/check-in/", {"code": appointment.code}, format="json"
        )
    assert done.status_code == 200, done.content
    assert done.json()["queue_number"] == "A001"
    ticket = Ticket.objects.get()
    assert ticket.source == TicketSource.APPOINTMENT and ticket.window_id == hall.window.pk


def test_without_a_queue_the_desk_only_checks_in(hall, frozen):
    appointment = _book(hall)
    clerk = APIClient()
    clerk.force_authenticate(hall.p.clerk)
    with time_machine.travel(at("2026-09-29", "09:40"), tick=False):
        done = clerk.post(
            "/api/v1/appointments/check-in/", {"code": appointment.code}, format="json"
        )
    assert done.status_code == 200 and done.json()["queue_number"] is None
    assert not Ticket.objects.exists()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
