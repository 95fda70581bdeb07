"""The demo's queue (docs/rules/hall.md §J10–§J15): one business category per hall area, a
morning of tickets with some still waiting for the demo clerk, and a clean reset."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from onewindow.catalog.models import Window
from onewindow.demo import catalog as demo
from onewindow.queue import selectors, services
from onewindow.queue.models import QueueLine, Ticket, TicketStatus

TODAY = dt.date(2026, 6, 17)
NOON = dt.datetime(2026, 6, 17, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_hall_has_queues_and_tickets_today(tmp_path):
    with (
        override_settings(
            MEDIA_ROOT=tmp_path, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ),
        time_machine.travel(NOON, tick=False),
    ):
        demo.load_demo(progress=False, cases=20, today=TODAY)
        assert list(QueueLine.objects.values_list("letter", flat=True)) == list("ABCDE")
        assert Ticket.objects.filter(day=TODAY, status=TicketStatus.FINISHED).exists()
        assert Ticket.objects.filter(day=TODAY, status=TicketStatus.WAITING).count() >= 5 * 3
        assert Ticket.objects.filter(priority="key_project").exists()  # the demo key project
        c01 = Window.objects.get(number="C01")
        assert services.order_at(c01, TODAY)  # the demo clerk has tickets to call
        board = selectors.display_data(TODAY)
        assert board["latest"] is not None and board["windows"]
        assert selectors.times(TODAY, TODAY, by="window")
        demo.demo_reset()
        assert not Ticket.objects.exists() and not QueueLine.objects.exists()
