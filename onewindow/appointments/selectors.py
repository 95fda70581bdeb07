"""Reads of appointments and extended services; what a user may not see is a logged 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest

from onewindow.accounts.roles import Perm, has_perm
from onewindow.appointments import services
from onewindow.appointments.models import (
    Appointment,
    AppointmentStatus,
    PeriodKind,
    Priority,
    ServiceRequest,
    WindowSchedule,
)
from onewindow.catalog.models import Window
from onewindow.core.access import deny


def appointments_of(user: Any) -> QuerySet[Appointment]:
    """The user's own appointments (as the applicant or as who booked them), newest day first."""
    from django.db.models import Q

    return (
        Appointment.objects.filter(Q(applicant=user) | Q(booked_by=user))
        .select_related("applicant", "item", "window")
        .order_by("-day", "-start", "-pk")
    )


def appointment_get(request: HttpRequest, appointment_id: int) -> Appointment:
    appointment = (
        Appointment.objects.select_related("applicant", "item", "window")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None or not services.may_see(request.user, appointment):
        raise deny(request, target=f"appointment:{appointment_id}", reason="not visible")
    return appointment


def desk_today(user: Any, today: dt.date) -> list[Appointment]:
    """Today's appointments at the user's windows (managers: every window), priorities first,
    then by time (docs/rules/hall.md §J6)."""
    rows = Appointment.objects.filter(day=today).exclude(status=AppointmentStatus.CANCELLED)
    if not has_perm(user, Perm.HALL_MANAGE):
        rows = rows.filter(window__in=user.windows.all())
    first = Case(
        When(priority=Priority.NONE, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return list(
        rows.select_related("applicant", "item", "window")
        .annotate(later=first)
        .order_by("start", "later", "pk")
    )


def requests_for(user: Any) -> QuerySet[ServiceRequest]:
    from django.db.models import Q

    rows = ServiceRequest.objects.select_related("applicant", "item", "staff")
    if has_perm(user, Perm.HALL_MANAGE):
        return rows.order_by("-created_at", "-pk")
    return rows.filter(Q(applicant=user) | Q(requested_by=user) | Q(staff=user)).order_by(
        "-created_at", "-pk"
    )


def request_get(request: HttpRequest, request_id: int) -> ServiceRequest:
    row = (
        ServiceRequest.objects.select_related("applicant", "item", "staff")
        .filter(pk=request_id)
        .first()
    )
    if row is None or not services.may_see_request(request.user, row):
        raise deny(request, target=f"service_request:{request_id}", reason="not visible")
    return row


def schedule_row(window: Window | None) -> dict[str, Any]:
    hall = services.hall_schedule()
    own = WindowSchedule.objects.filter(window=window).first() if window is not None else None
    return {
        "window": window.number if window is not None else "",
        "periods": ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in services.periods(window)),
        "extended": services.periods_text(None, PeriodKind.EXTENDED),
        "slot_minutes": own.slot_minutes if own else hall.slot_minutes,
        "capacity": own.capacity if own else hall.capacity,
        "accepts_bookings": own.accepts_bookings if own else True,
    }
