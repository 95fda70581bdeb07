"""Two people booking the last seat of a slot at the same moment, with real threads and real
transactions: exactly one gets it (docs/rules/hall.md §J5). Runs on SQLite (a file database:
SQLITE_TEST_NAME) and on PostgreSQL (whichever DATABASE_URL names)."""

from __future__ import annotations

import threading
from typing import Any, cast

import pytest
import time_machine
from django.db import connection
from django.test import Client

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.appointments import services
from onewindow.appointments.errors import AppointmentError
from onewindow.appointments.models import Appointment, AppointmentStatus, Slot, WindowSchedule
from onewindow.appointments.tests.world import NOW, WORKDAY, T, make_hall
from onewindow.lib.idnumbers import make_citizen_id
from onewindow.testing import make_personas

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _real_database_file() -> None:
    # Django's in-memory SQLite test database is shared between threads through SQLite's shared
    # cache, whose table locks fail at once instead of waiting: not how the app runs (a WAL file
    # with a busy timeout). SQLITE_TEST_NAME=<file> gives the tests a real file.
    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        pytest.skip("SQLite in-memory test database: set SQLITE_TEST_NAME to a file path")


def _race(jobs: list[Any]) -> list[Any]:
    results: list[Any] = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def run(i: int) -> None:
        try:
            start.wait(timeout=10)
            results[i] = jobs[i]()
        except BaseException as exc:  # surfaced by the assertions below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _people(n: int) -> list[User]:
    return [
        User.objects.create_user(
            username=f"racer{i}",
            password="x",
            role=Role.APPLICANT,
            full_name=f"抢号人{i}",
            id_number=make_citizen_id(
                "420700", __import__("datetime").date(1980, 1, 1 + i), 50 + i
            ),
        )
        for i in range(n)
    ]


@pytest.fixture
def last_seat():
    with time_machine.travel(NOW, tick=False):
        personas = make_personas()
        hall = make_hall(personas)
        WindowSchedule.objects.create(window=hall.window, slot_minutes=30, capacity=2)
        # one seat taken: one left
        services.book(actor=personas.outsider, window=hall.window, day=WORKDAY, start=T("09:30"))
        yield hall


def test_two_people_racing_for_the_last_seat_one_wins(last_seat):
    hall = last_seat
    people = _people(2)

    def booking(user: User) -> Any:
        def go() -> Any:
            with time_machine.travel(NOW, tick=False):
                return services.book(actor=user, window=hall.window, day=WORKDAY, start=T("09:30"))

        return go

    results = _race([booking(u) for u in people])
    won = [r for r in results if isinstance(r, Appointment)]
    lost = [r for r in results if isinstance(r, AppointmentError)]
    assert len(won) == 1, results
    assert len(lost) == 1, results
    assert lost[0].message == "该时段已约满，请选择其他时段。"
    slot = Slot.objects.get(window=hall.window, day=WORKDAY, start=T("09:30"))
    assert slot.booked == slot.capacity == 2
    assert Appointment.objects.filter(slot=slot, status=AppointmentStatus.BOOKED).count() == 2


def test_many_people_racing_through_the_api_never_overbook(last_seat):
    hall = last_seat
    people = _people(4)
    clients = []
    for user in people:
        client = Client()
        client.force_login(user)
        clients.append(client)

    def post(client: Client) -> Any:
        def go() -> Any:
            with time_machine.travel(NOW, tick=False):
                return client.post(
                    "/api/v1/appointments/",
                    {"window": "A01", "day": WORKDAY.isoformat(), "start": "09:30"},
                    content_type="application/json",
                )

        return go

    results = _race([post(c) for c in clients])
    assert not [r for r in results if isinstance(r, BaseException)], results
    codes = sorted(r.status_code for r in results)
    assert codes == [201, 400, 400, 400], [r.content for r in results]
    for r in results:
        if r.status_code == 400:
            assert r.json()["message"] == "该时段已约满，请选择其他时段。"
    slot = Slot.objects.get(window=hall.window, day=WORKDAY, start=T("09:30"))
    assert slot.booked == 2
    assert Appointment.objects.filter(slot=slot).count() == 2


def test_racing_for_the_only_seat_of_a_slot_nobody_booked_yet(last_seat):
    """The slot's counter row does not exist yet: both create it at once, one creation yields to
    the other, and still exactly one seat is taken."""
    hall = last_seat
    WindowSchedule.objects.filter(window=hall.window).update(capacity=1)
    people = _people(2)

    def booking(user: User) -> Any:
        def go() -> Any:
            with time_machine.travel(NOW, tick=False):
                return services.book(actor=user, window=hall.window, day=WORKDAY, start=T("11:00"))

        return go

    results = _race([booking(u) for u in people])
    assert sorted(type(r).__name__ for r in results) == ["Appointment", "AppointmentError"], results
    slot = Slot.objects.get(window=hall.window, day=WORKDAY, start=T("11:00"))
    assert slot.booked == 1
