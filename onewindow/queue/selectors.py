"""What the hall's screens and the chiefs' page read (docs/rules/hall.md §J13, §J14)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from onewindow.catalog.models import Window
from onewindow.core import clock
from onewindow.queue.models import EventKind, QueueLine, Ticket, TicketEvent, TicketStatus
from onewindow.queue.services import order_at

RECENT_CALLS = 4
NEXT_SHOWN = 5


@dataclass
class WindowBoard:
    window: Window
    current: str | None
    recent: list[str] = field(default_factory=list)
    next: list[str] = field(default_factory=list)


def display(day: dt.date | None = None) -> dict[str, Any]:
    """J13: per active window the number being called, the last few called before it and the
    next waiting numbers; the latest call in the hall (for the cue)."""
    today = day or clock.today()
    boards = []
    for window in Window.objects.filter(is_active=True).order_by("number"):
        calls = list(
            TicketEvent.objects.filter(
                window=window, kind__in=(EventKind.CALL, EventKind.RECALL), ticket__day=today
            )
            .select_related("ticket")
            .order_by("-at", "-pk")[: RECENT_CALLS + 4]
        )
        current = Ticket.objects.filter(
            day=today, served_by=window, status=TicketStatus.CALLED
        ).order_by("-last_called_at", "-pk")
        now_serving = current.first()
        recent: list[str] = []
        for event in calls:
            number = event.ticket.number
            if (now_serving and number == now_serving.number) or number in recent:
                continue
            recent.append(number)
        waiting = [t.number for t in order_at(window, today)[:NEXT_SHOWN]]
        if now_serving is None and not recent and not waiting:
            continue
        boards.append(
            WindowBoard(
                window=window,
                current=now_serving.number if now_serving else None,
                recent=recent[:RECENT_CALLS],
                next=waiting,
            )
        )
    latest = (
        TicketEvent.objects.filter(kind__in=(EventKind.CALL, EventKind.RECALL), ticket__day=today)
        .select_related("ticket", "window")
        .order_by("-at", "-pk")
        .first()
    )
    return {
        "day": today,
        "boards": boards,
        "latest": latest,
        "waiting": Ticket.objects.filter(day=today, status=TicketStatus.WAITING).count(),
    }


def display_data(day: dt.date | None = None) -> dict[str, Any]:
    """The JSON the display page polls."""
    board = display(day)
    latest = board["latest"]
    return {
        "day": board["day"].isoformat(),
        "waiting": board["waiting"],
        "latest": (
            {
                "id": latest.pk,
                "number": latest.ticket.number,
                "window": latest.window.number if latest.window else "",
            }
            if latest
            else None
        ),
        "windows": [
            {
                "number": b.window.number,
                "name": b.window.name,
                "current": b.current,
                "recent": b.recent,
                "next": b.next,
            }
            for b in board["boards"]
        ],
    }


def active_lines() -> QuerySet[QueueLine]:
    return QueueLine.objects.filter(is_active=True).order_by("sort", "letter")


# --- waiting and service times (J14) ------------------------------------------------------------
WAIT = ExpressionWrapper(F("called_at") - F("issued_at"), output_field=DurationField())
SERVICE = ExpressionWrapper(F("finished_at") - F("called_at"), output_field=DurationField())


@dataclass(frozen=True)
class TimeRow:
    key: str
    name: str
    issued: int
    called: int
    finished: int
    avg_wait_minutes: float | None
    avg_service_minutes: float | None


def _minutes(value: dt.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 1)


def times(start: dt.date, end: dt.date, *, by: str) -> list[TimeRow]:
    """Per window (``by="window"``: the window that served the ticket) or per item: tickets
    issued, called and finished between ``start`` and ``end``; the mean wait (issue → first
    call) and the mean service (first call → finish), over the tickets that got that far."""
    tickets = Ticket.objects.filter(day__gte=start, day__lte=end)
    if by == "window":
        keys = ("served_by_id", "served_by__number", "served_by__name")
        tickets = tickets.filter(served_by__isnull=False)
    else:
        keys = ("item_id", "item__code", "item__published_version__name")
        tickets = tickets.filter(item__isnull=False)
    rows = (
        tickets.values(*keys)
        .annotate(
            issued=Count("pk"),
            called=Count("pk", filter=Q(called_at__isnull=False)),
            finished=Count("pk", filter=Q(finished_at__isnull=False)),
            wait=Avg(WAIT, filter=Q(called_at__isnull=False)),
            service=Avg(SERVICE, filter=Q(finished_at__isnull=False)),
        )
        .order_by(keys[1])
    )
    return [
        TimeRow(
            key=str(row[keys[1]]),
            name=row[keys[2]] or "",
            issued=row["issued"],
            called=row["called"],
            finished=row["finished"],
            avg_wait_minutes=_minutes(row["wait"]),
            avg_service_minutes=_minutes(row["service"]),
        )
        for row in rows
    ]
