"""Demo queue (docs/rules/hall.md §J10–§J15): one business category per hall area (A 民生配套 …
E 投资建设) taking the departments of that area's windows, and a morning of tickets on ``today``
through the real services: most called and finished at the area's windows, a few skipped, some
still waiting (so the demo clerk at C01/C02 has tickets to call), a few priority tickets.
Deterministic (a fixed seed)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from onewindow.catalog.models import Item, Window
from onewindow.demo.data import plan
from onewindow.projects.models import Project
from onewindow.queue import services
from onewindow.queue.errors import QueueError
from onewindow.queue.models import (
    PriorityReason,
    QueueLine,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketSource,
)
from onewindow.queue.services import IssueRequest

SEED = 20260302
LINE_NAMES = {
    "A": "民生配套",
    "B": "出入境",
    "C": "注册登记",
    "D": "经济社会",
    "E": "投资建设",
}
TICKETS_PER_LINE = 12
WAITING_PER_LINE = 4  # the last tickets of each line are left waiting


def reset() -> None:
    with transaction.atomic():
        TicketEvent.objects.all().delete()
        Ticket.objects.all().delete()
        TicketCounter.objects.all().delete()
        QueueLine.objects.all().delete()


def load(today: dt.date) -> None:
    rng = random.Random(SEED)
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(today, dt.time(8, 30), tzinfo=zone)
    with transaction.atomic():
        for sort, (letter, name) in enumerate(LINE_NAMES.items(), start=1):
            line = QueueLine.objects.create(letter=letter, name=name, sort=sort)
            windows = [w for w in plan.WINDOWS if w.number.startswith(letter)]
            codes = {code for w in windows for code in w.departments}
            line.departments.set(
                Window.objects.filter(
                    number__in=[w.number for w in windows], departments__isnull=False
                )
                .values_list("departments", flat=True)
                .distinct()
            )
            items = list(Item.objects.filter(department__code__in=codes).order_by("code")[:20])
            _morning(line, items, start, rng, letter)


def _morning(
    line: QueueLine, items: list[Item], start: dt.datetime, rng: random.Random, letter: str
) -> None:
    key_enterprise = (
        Project.objects.order_by("pk").values_list("enterprise__credit_code", flat=True).first()
    )
    tickets = []
    for n in range(TICKETS_PER_LINE):
        moment = start + dt.timedelta(minutes=4 * n + rng.randint(0, 3))
        roll = rng.random()
        priority = ""
        if roll < 0.1:
            priority = PriorityReason.ELDERLY
        elif roll < 0.15:
            priority = PriorityReason.DISABLED
        credit_code = ""
        if not priority and letter == "E" and n % 4 == 1 and key_enterprise:
            credit_code = key_enterprise  # the demo key project's enterprise: a priority ticket
        request = (
            IssueRequest(item_id=rng.choice(items).pk, priority=priority, credit_code=credit_code)
            if items and rng.random() < 0.6
            else IssueRequest(line_id=line.pk, priority=priority, credit_code=credit_code)
        )
        tickets.append(services.issue(request, source=TicketSource.KIOSK, at=moment))
    windows = list(services.serving_windows(line))
    if not windows:
        return
    clock = start + dt.timedelta(minutes=10)
    for turn in range(TICKETS_PER_LINE - WAITING_PER_LINE):
        window = windows[turn % len(windows)]
        clock += dt.timedelta(minutes=rng.randint(2, 6))
        try:
            ticket = services.call_next(window, None, at=clock)
        except QueueError:
            continue
        finished_at = clock + dt.timedelta(minutes=rng.randint(4, 15))
        if rng.random() < 0.1:
            services.skip(window, ticket, None, at=clock + dt.timedelta(minutes=2))
        else:
            services.finish(window, ticket, None, at=finished_at)
