"""Demo appointments and extended services (docs/product.md §C15,
docs/rules/hall.md §J1, §J4–§J9), made through the real services at 07:30 on ``today``:

- the hall's hours as the demo centre publishes them (上午 8:30–12:00，下午 14:30–17:30; extended
  hours 12:00–14:30 and 17:30–19:30), 30-minute slots of 4 seats; the demo clerk's first window
  with 20-minute slots of 2 seats;
- the demo applicant's appointment on the next working day and the demo enterprise's on the one
  after, both booked by item at a window serving the item's department; one cancelled;
- an extended-hours request of the demo applicant (requested) and a home visit for a disabled
  applicant (assigned to a staff member of the item's department).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.accounts.roles import STAFF_ROLES
from onewindow.appointments import services
from onewindow.appointments.models import (
    Appointment,
    OpeningPeriod,
    Priority,
    ServiceKind,
    ServiceRequest,
    Slot,
    WindowSchedule,
)
from onewindow.calendars.selectors import get_calendar
from onewindow.catalog.models import Item
from onewindow.core.errors import DomainError

log = logging.getLogger("onewindow.demo")

HALL_PERIODS = "08:30-12:00, 14:30-17:30"
EXTENDED_PERIODS = "12:00-14:30, 17:30-19:30"


def _bookable_item() -> Item | None:
    """The first published item (by code) with an active window serving its department."""
    for item in Item.objects.filter(published_version__isnull=False).order_by("code"):
        if services.windows_for_item(item).exists():
            return item
    return None


def load(today: dt.date) -> None:
    admin = User.objects.filter(username="admin").first()
    applicant = User.objects.filter(username="applicant").first()
    enterprise = User.objects.filter(username="enterprise").first()
    item = _bookable_item()
    if admin is None or applicant is None or enterprise is None or item is None:
        log.warning("demo appointments skipped: demo users or a served item missing")
        return
    services.schedule_set(
        actor=admin,
        window=None,
        periods_value=HALL_PERIODS,
        extended_value=EXTENDED_PERIODS,
        slot_minutes=30,
        capacity=4,
    )
    first_window = services.windows_for_item(item).first()
    assert first_window is not None
    services.schedule_set(
        actor=admin,
        window=first_window,
        periods_value=HALL_PERIODS,
        slot_minutes=20,
        capacity=2,
    )
    cal = get_calendar()
    day1 = cal.next_working_day(today).date
    day2 = cal.next_working_day(day1).date
    now = timezone.make_aware(
        dt.datetime.combine(today, dt.time(7, 30)), timezone.get_default_timezone()
    )
    try:
        services.book(actor=applicant, item=item, day=day1, start=dt.time(9, 10), now=now)
        services.book(
            actor=enterprise,
            item=item,
            day=day2,
            start=dt.time(14, 30),
            priority=Priority.NONE,
            now=now,
        )
        dropped = services.book(
            actor=applicant, item=item, day=day2, start=dt.time(10, 30), now=now
        )
        services.cancel(dropped, actor=applicant, now=now)
        services.request_service(
            actor=applicant,
            applicant=applicant,
            kind=ServiceKind.EXTENDED_HOURS,
            item=item,
            day=day1,
            start=dt.time(18, 0),
            reason="白天上班，无法在办公时间到大厅。",
            now=now,
        )
        visit = services.request_service(
            actor=User.objects.get(username="clerk"),
            applicant=applicant,
            kind=ServiceKind.HOME_VISIT,
            item=item,
            day=day2,
            address="鄂州市鄂城区古楼街道滨湖南路8号",
            reason="下肢残疾，行动不便。",
            priority=Priority.DISABLED,
            priority_proof="42070419850615113X44",
            now=now,
        )
        staff = (
            User.objects.filter(
                is_active=True, role__in=sorted(STAFF_ROLES), department_id=item.department_id
            )
            .order_by("username")
            .first()
        )
        if staff is not None:
            services.assign(visit, actor=admin, staff=staff, now=now)
    except DomainError as err:  # the demo never stops on its own data
        log.warning("demo appointments: %s", err.message)


def reset() -> None:
    """Delete what this module made and put the hall's delivered hours back."""
    ServiceRequest.objects.all().delete()
    Appointment.objects.all().delete()
    Slot.objects.all().delete()
    WindowSchedule.objects.all().delete()
    OpeningPeriod.objects.filter(window__isnull=False).delete()
    services.hall_defaults_restore()
