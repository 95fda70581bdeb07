"""The demo's appointments and extended services (docs/rules/hall.md §J1, §J4–§J9): the hall's
hours, appointments of the demo applicant and enterprise, an extended-hours request and an
assigned home visit, all made through the services; the demo resets cleanly."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client, override_settings

from onewindow.accounts.models import User
from onewindow.appointments import services
from onewindow.appointments.models import (
    Appointment,
    AppointmentStatus,
    OpeningPeriod,
    RequestStatus,
    ServiceKind,
    ServiceRequest,
)
from onewindow.demo import catalog as demo

TODAY = dt.date(2026, 6, 15)  # a Monday
MORNING = dt.datetime(2026, 6, 15, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_has_appointments_and_extended_services(tmp_path):
    with (
        override_settings(
            MEDIA_ROOT=tmp_path, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ),
        time_machine.travel(MORNING, tick=False),
    ):
        demo.load_demo(progress=False, cases=8, today=TODAY)
        applicant = User.objects.get(username="applicant")
        booked = Appointment.objects.filter(status=AppointmentStatus.BOOKED)
        assert booked.filter(applicant=applicant, day=dt.date(2026, 6, 16)).count() == 1
        assert booked.filter(applicant__username="enterprise").count() == 1
        assert Appointment.objects.filter(status=AppointmentStatus.CANCELLED).count() == 1
        kinds = dict(ServiceRequest.objects.values_list("kind", "status"))
        assert kinds == {
            ServiceKind.EXTENDED_HOURS: RequestStatus.REQUESTED,
            ServiceKind.HOME_VISIT: RequestStatus.ASSIGNED,
        }
        window = booked.first().window  # type: ignore[union-attr]
        assert services.slot_rule(window).capacity == 2
        client = Client()
        client.force_login(applicant)
        html = client.get("/appointments/").content.decode()
        assert booked.filter(applicant=applicant).get().code in html
        client.force_login(User.objects.get(username="admin"))
        assert "08:30-12:00, 14:30-17:30" in client.get("/appointments/hall/").content.decode()
        demo.demo_reset()
        assert not Appointment.objects.exists() and not ServiceRequest.objects.exists()
        assert services.periods(None) == list(services.DEFAULT_REGULAR)
        assert not OpeningPeriod.objects.filter(window__isnull=False).exists()
