"""Writes and rules of appointments and extended services (docs/product.md §C15,
docs/rules/hall.md §J1, §J4–§J9): opening hours and slots, booking (seat taken by a conditional
UPDATE), cancellation, check-in, the reminder and no-show sweeps, extended hours and home visits.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.accounts.roles import STAFF_ROLES, Perm, Role, has_perm
from onewindow.appointments.errors import (
    AppointmentError,
    AppointmentForbidden,
    AppointmentInvalid,
    AppointmentWrongState,
)
from onewindow.appointments.models import (
    DEFAULT_CAPACITY,
    DEFAULT_SLOT_MINUTES,
    Appointment,
    AppointmentStatus,
    HallSchedule,
    OpeningPeriod,
    PeriodKind,
    Priority,
    RequestStatus,
    ServiceKind,
    ServiceRequest,
    Slot,
    WindowSchedule,
)
from onewindow.calendars.selectors import get_calendar
from onewindow.cases.models import Mandate
from onewindow.cases.selectors import mandates_in_force_q
from onewindow.catalog.models import Item, Window
from onewindow.core import clock
from onewindow.lib.idnumbers import id_birth_date
from onewindow.notifications.models import Channel, OutboxMessage
from onewindow.notifications.services import outbox_hand_over
from onewindow.projects.models import Project

# docs/rules/hall.md §J7: check-in opens this long before the slot; an appointment not checked in
# by the slot's end plus the grace is a no-show.
CHECK_IN_EARLY = dt.timedelta(minutes=30)
NO_SHOW_GRACE = dt.timedelta(minutes=15)
NO_SHOW_WINDOW_DAYS = 30
# docs/rules/hall.md §J6: the age from which an applicant counts as elderly.
ELDERLY_AGE = 60
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud at the window
CODE_LENGTH = 8
ADDRESS_MAX = 200
REASON_MAX = 1000


# --- settings ---------------------------------------------------------------------------------
# docs/rules/hall.md §J4: the hall's hours as delivered (also the data migration's).
DEFAULT_REGULAR = ((dt.time(9, 0), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))
DEFAULT_EXTENDED = ((dt.time(12, 0), dt.time(13, 30)), (dt.time(17, 30), dt.time(19, 30)))


def hall_defaults_restore() -> None:
    """The hall's delivered hours, slot length and seats back (the demo's reset)."""
    HallSchedule.objects.update_or_create(
        pk=1, defaults={"slot_minutes": DEFAULT_SLOT_MINUTES, "capacity": DEFAULT_CAPACITY}
    )
    OpeningPeriod.objects.filter(window__isnull=True).delete()
    OpeningPeriod.objects.bulk_create(
        [OpeningPeriod(kind=PeriodKind.REGULAR, start=s, end=e) for s, e in DEFAULT_REGULAR]
        + [OpeningPeriod(kind=PeriodKind.EXTENDED, start=s, end=e) for s, e in DEFAULT_EXTENDED]
    )


def hall_schedule() -> HallSchedule:
    row, _created = HallSchedule.objects.get_or_create(pk=1)
    return row


@dataclass(frozen=True)
class SlotRule:
    minutes: int
    capacity: int
    accepts: bool


def slot_rule(window: Window) -> SlotRule:
    own = WindowSchedule.objects.filter(window=window).first()
    if own is not None:
        return SlotRule(own.slot_minutes, own.capacity, own.accepts_bookings)
    hall = hall_schedule()
    return SlotRule(hall.slot_minutes, hall.capacity, True)


def periods(window: Window | None, kind: str = PeriodKind.REGULAR) -> list[tuple[dt.time, dt.time]]:
    """docs/rules/hall.md §J4: the window's own periods if it has any, else the hall's."""
    rows: QuerySet[OpeningPeriod] = OpeningPeriod.objects.none()
    if window is not None:
        rows = OpeningPeriod.objects.filter(window=window, kind=kind)
    if window is None or not rows.exists():
        rows = OpeningPeriod.objects.filter(window__isnull=True, kind=kind)
    return [(p.start, p.end) for p in rows.order_by("start")]


def _add(t: dt.time, minutes: int) -> dt.time | None:
    total = t.hour * 60 + t.minute + minutes
    if total >= 24 * 60:
        return None
    return dt.time(total // 60, total % 60)


def slot_times(window: Window) -> list[tuple[dt.time, dt.time]]:
    """Every slot of a working day: each period cut into slots of the window's length."""
    rule = slot_rule(window)
    times = []
    for start, end in periods(window):
        current: dt.time | None = start
        while current is not None:
            stop = _add(current, rule.minutes)
            if stop is None or stop > end:
                break
            times.append((current, stop))
            current = stop
    return times


def is_working_day(day: dt.date) -> bool:
    try:
        return get_calendar().is_working_day(day)
    except ValueError:
        return False


@dataclass(frozen=True)
class SlotView:
    start: dt.time
    end: dt.time
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


def slots_of(window: Window, day: dt.date) -> list[SlotView]:
    """The slots of a window on a day with their seats; none on a non-working day (docs/rules/hall.md §J4)."""
    if not is_working_day(day):
        return []
    rule = slot_rule(window)
    if not rule.accepts:
        return []
    stored = {s.start: s for s in Slot.objects.filter(window=window, day=day)}
    views = []
    for start, end in slot_times(window):
        row = stored.get(start)
        views.append(
            SlotView(
                start,
                end,
                row.capacity if row else rule.capacity,
                row.booked if row else 0,
            )
        )
    return views


def windows_for_item(item: Item) -> QuerySet[Window]:
    """docs/rules/hall.md §J4: an item is booked at an active window serving its department."""
    return Window.objects.filter(is_active=True, departments=item.department_id).order_by("number")


# --- who may book, and with what priority -----------------------------------------------------
def age_on(user: Any, day: dt.date) -> int | None:
    born = id_birth_date(getattr(user, "id_number", "") or "")
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_elderly(user: Any, day: dt.date) -> bool:
    age = age_on(user, day)
    return age is not None and age >= ELDERLY_AGE


def has_key_project(user: Any) -> bool:
    return Project.objects.filter(enterprise_id=user.pk).exists()


def check_priority(applicant: Any, priority: str, proof: str, day: dt.date) -> list[str]:
    """docs/rules/hall.md §J6: the messages refusing the priority claimed (empty: accepted)."""
    if priority not in Priority.values:
        return [_("优先类别无效。")]
    if priority == Priority.ELDERLY and not is_elderly(applicant, day):
        return [
            _("老年人优先须年满 %(n)s 周岁（按身份证号中的出生日期计算）。") % {"n": ELDERLY_AGE}
        ]
    if priority == Priority.DISABLED and not proof.strip():
        return [_("残疾人优先请填写残疾人证号，到窗口时出示证件。")]
    if priority == Priority.KEY_PROJECT and not has_key_project(applicant):
        return [_("只有已登记重点项目的建设单位可以选择重点项目优先。")]
    return []


def acts_for(actor: Any, applicant: Any, item: Item | None, today: dt.date) -> bool:
    """The applicant themself, or an agent under a mandate in force covering the item (or every
    item) — docs/rules/hall.md §J5."""
    if actor.pk == applicant.pk:
        return actor.role == Role.APPLICANT
    if actor.role != Role.AGENT:
        return False
    # A mandate for every item, or for this item; not one for a key project or a single case.
    scope = Q(item__isnull=True) if item is None else Q(item__isnull=True) | Q(item_id=item.pk)
    scope &= Q(project_id__isnull=True)
    return (
        Mandate.objects.filter(
            mandates_in_force_q(today), agent_id=actor.pk, applicant_id=applicant.pk
        )
        .filter(scope, case__isnull=True)
        .exists()
    )


def blocked_until(applicant: Any, today: dt.date) -> dt.date | None:
    """docs/rules/hall.md §J7: N no-shows within 30 days stop new bookings for the blocking
    period counted from the latest of them; None when the applicant may book."""
    hall = hall_schedule()
    latest = (
        Appointment.objects.filter(applicant=applicant, status=AppointmentStatus.NO_SHOW)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    if latest is None:
        return None
    until = latest + dt.timedelta(days=hall.block_days)
    if today > until:
        return None
    since = latest - dt.timedelta(days=NO_SHOW_WINDOW_DAYS - 1)
    count = Appointment.objects.filter(
        applicant=applicant, status=AppointmentStatus.NO_SHOW, day__gte=since, day__lte=latest
    ).count()
    return until if count >= hall.no_show_limit else None


# --- booking ----------------------------------------------------------------------------------
def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def _slot_row(window: Window, day: dt.date, start: dt.time, end: dt.time, capacity: int) -> Slot:
    """The slot's counter row, created on first booking; a racing creation takes the other's."""
    row = Slot.objects.filter(window=window, day=day, start=start).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return Slot.objects.create(
                window=window, day=day, start=start, end=end, capacity=capacity
            )
    except IntegrityError:
        return Slot.objects.get(window=window, day=day, start=start)


def seat_take(slot: Slot) -> bool:
    """docs/rules/hall.md §J5: one seat, only while one is free — a single conditional UPDATE, so
    of two bookings racing for the last seat exactly one changes the row."""
    return bool(
        Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    )


def seat_free(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def _check_day(day: dt.date, now: dt.datetime, errors: dict[str, list[str]]) -> None:
    today = clock.local_date(now)
    if day < today:
        errors.setdefault("day", []).append(_("不能预约已经过去的日期。"))
        return
    ahead = hall_schedule().days_ahead
    if day > today + dt.timedelta(days=ahead):
        errors.setdefault("day", []).append(_("最多只能预约 %(n)s 天以内的时段。") % {"n": ahead})
        return
    if not is_working_day(day):
        errors.setdefault("day", []).append(
            _("%(d)s 不是工作日（法定节假日或休息日），大厅不办公，请选择工作日。")
            % {"d": day.isoformat()}
        )


@transaction.atomic
def book(
    *,
    actor: Any,
    day: dt.date,
    start: dt.time,
    item: Item | None = None,
    window: Window | None = None,
    applicant: Any = None,
    priority: str = "",
    priority_proof: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """Book one seat of a slot (docs/rules/hall.md §J1, §J4–§J6); any refusal changes nothing."""
    now = now or clock.now()
    today = clock.local_date(now)
    applicant = applicant or actor
    errors: dict[str, list[str]] = {}
    if not acts_for(actor, applicant, item, today):
        raise AppointmentForbidden(_("只有申请人本人，或持有有效代办委托的代办员，可以预约。"))
    if item is None and window is None:
        errors["item"] = [_("请选择要办理的事项或窗口。")]
        raise AppointmentInvalid(errors)
    if item is not None and item.published_version_id is None:
        errors["item"] = [_("该事项尚未发布，不能预约。")]
    if window is not None and not window.is_active:
        errors["window"] = [_("该窗口已停用，不能预约。")]
    if (
        item is not None
        and window is not None
        and not windows_for_item(item).filter(pk=window.pk).exists()
    ):
        errors["window"] = [
            _("窗口“%(w)s”不受理事项“%(i)s”，请选择受理该事项部门的窗口。")
            % {"w": str(window), "i": item.code}
        ]
    if item is not None and window is None and not windows_for_item(item).exists():
        errors["item"] = [_("目前没有受理该事项的窗口，不能预约。")]
    _check_day(day, now, errors)
    errors_priority = check_priority(applicant, priority, priority_proof, day)
    if errors_priority:
        errors["priority"] = errors_priority
    if errors:
        raise AppointmentInvalid(errors)
    until = blocked_until(applicant, today)
    if until is not None:
        raise AppointmentError(
            _("您近 30 日内爽约已达 %(n)s 次，%(d)s 前不能新预约。")
            % {"n": hall_schedule().no_show_limit, "d": until.isoformat()}
        )
    candidates = [window] if window is not None else list(windows_for_item(item))  # type: ignore[arg-type]
    chosen: tuple[Window, Slot] | None = None
    in_hours = False
    for candidate in candidates:
        times = dict(slot_times(candidate))
        if start not in times or not slot_rule(candidate).accepts:
            continue
        in_hours = True
        if timezone.make_aware(dt.datetime.combine(day, start)) <= now:
            raise AppointmentInvalid({"start": [_("该时段已经开始，不能再预约。")]})
        slot = _slot_row(candidate, day, start, times[start], slot_rule(candidate).capacity)
        if seat_take(slot):
            chosen = (candidate, slot)
            break
    if not in_hours:
        raise AppointmentInvalid(
            {
                "start": [
                    _("%(t)s 不是开放时间内的预约时段，请从可选时段中选择。")
                    % {"t": f"{start:%H:%M}"}
                ]
            }
        )
    if chosen is None:
        raise AppointmentError(_("该时段已约满，请选择其他时段。"))
    if Appointment.objects.filter(
        applicant=applicant, day=day, start=start, status=AppointmentStatus.BOOKED
    ).exists():
        raise AppointmentError(_("您在该时段已有预约。"))
    booked_window, slot = chosen
    for _attempt in range(5):
        code = _new_code()
        if not Appointment.objects.filter(code=code).exists():
            break
    appointment = Appointment.objects.create(
        code=code,
        applicant=applicant,
        booked_by=actor,
        item=item,
        window=booked_window,
        slot=slot,
        day=day,
        start=slot.start,
        end=slot.end,
        priority=priority,
        priority_proof=priority_proof.strip()[:40],
        created_at=now,
    )
    _tell(
        applicant,
        subject=_("预约成功：%(d)s %(t)s，预约码 %(c)s")
        % {"d": day.isoformat(), "t": f"{slot.start:%H:%M}", "c": code},
        body=_describe(appointment),
        now=now,
    )
    return appointment


def _describe(appointment: Appointment) -> str:
    what = appointment.item.code if appointment.item is not None else ""
    return _(
        "预约码：%(c)s\n日期：%(d)s %(s)s–%(e)s\n窗口：%(w)s\n事项：%(i)s\n"
        "请在时段开始前 30 分钟内到大厅签到取号；不能前往请提前取消。"
    ) % {
        "c": appointment.code,
        "d": appointment.day.isoformat(),
        "s": f"{appointment.start:%H:%M}",
        "e": f"{appointment.end:%H:%M}",
        "w": str(appointment.window),
        "i": what or "—",
    }


def _tell(user: Any, *, subject: str, body: str, now: dt.datetime) -> list[OutboxMessage]:
    """An email and an SMS where the account has the address, sent after commit."""
    rows = [
        OutboxMessage(
            channel=channel,
            recipient=address,
            user=user,
            subject=subject[:200],
            body=body,
            next_attempt_at=now,
            created_at=now,
        )
        for channel, address in ((Channel.EMAIL, user.email), (Channel.SMS, user.phone))
        if (address or "").strip()
    ]
    if not rows:
        return []
    created = OutboxMessage.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    outbox_hand_over(ids)  # docs/rules/tasks.md §X4
    return created


def may_see(user: Any, appointment: Appointment) -> bool:
    """The applicant, whoever booked it, the clerks of its window and the hall's managers."""
    if user.pk in (appointment.applicant_id, appointment.booked_by_id):
        return True
    if has_perm(user, Perm.HALL_MANAGE):
        return True
    return user.role in STAFF_ROLES and user.windows.filter(pk=appointment.window_id).exists()


@transaction.atomic
def cancel(appointment: Appointment, *, actor: Any, now: dt.datetime | None = None) -> Appointment:
    """docs/rules/hall.md §J5: the applicant (or who booked it) cancels until the slot starts; the
    seat is free again at once."""
    now = now or clock.now()
    if actor.pk not in (appointment.applicant_id, appointment.booked_by_id):
        raise AppointmentForbidden(_("只有预约人本人可以取消预约。"))
    if appointment.starts_at() <= now:
        raise AppointmentWrongState(_("预约时段已经开始，不能再取消。"))
    changed = Appointment.objects.filter(pk=appointment.pk, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.CANCELLED, cancelled_at=now
    )
    if not changed:
        raise AppointmentWrongState(_("该预约已取消、已签到或已记为爽约，不能取消。"))
    seat_free(appointment.slot_id)
    appointment.refresh_from_db()
    return appointment


# --- check-in (the queue's resolver) ----------------------------------------------------------
@transaction.atomic
def check_in(code: str, *, at: dt.datetime) -> Appointment:
    """docs/rules/hall.md §J7: a valid code on the day, from 30 minutes before the slot until its
    end plus the grace, once."""
    code = (code or "").strip().upper()
    appointment = Appointment.objects.select_for_update().filter(code=code).first()
    if appointment is None:
        raise AppointmentError(_("预约码不存在，请核对后重新输入。"))
    if appointment.status == AppointmentStatus.CANCELLED:
        raise AppointmentError(_("该预约已取消。"))
    if appointment.status == AppointmentStatus.CHECKED_IN:
        raise AppointmentError(_("该预约已签到，请勿重复取号。"))
    if appointment.status == AppointmentStatus.NO_SHOW:
        raise AppointmentError(_("该预约已过时段，已记为爽约。"))
    if appointment.day != clock.local_date(at):
        raise AppointmentError(
            _("该预约的日期是 %(d)s，不是今天。") % {"d": appointment.day.isoformat()}
        )
    opens = appointment.starts_at() - CHECK_IN_EARLY
    if at < opens:
        raise AppointmentError(
            _("签到时间未到：请在 %(t)s 以后签到。") % {"t": f"{timezone.localtime(opens):%H:%M}"}
        )
    if at > appointment.ends_at() + NO_SHOW_GRACE:
        raise AppointmentError(_("预约时段已过，请重新预约或现场取号。"))
    Appointment.objects.filter(pk=appointment.pk).update(
        status=AppointmentStatus.CHECKED_IN, checked_in_at=at
    )
    appointment.refresh_from_db()
    return appointment


def ticket_info(appointment: Appointment) -> dict[str, Any]:
    """What the queue needs to issue a ticket for a checked-in appointment."""
    return {
        "item_id": appointment.item_id,
        "window_id": appointment.window_id,
        "priority": appointment.priority or "",
        "label": _("预约 %(c)s %(t)s") % {"c": appointment.code, "t": f"{appointment.start:%H:%M}"},
    }


# --- periodic sweeps --------------------------------------------------------------------------
def remind_due(*, now: dt.datetime | None = None) -> int:
    """docs/rules/hall.md §J7: the day before, one reminder per appointment still booked."""
    now = now or clock.now()
    tomorrow = clock.local_date(now) + dt.timedelta(days=1)
    sent = 0
    for appointment in Appointment.objects.filter(
        status=AppointmentStatus.BOOKED, day=tomorrow, reminded_at__isnull=True
    ).select_related("applicant", "window", "item"):
        with transaction.atomic():
            # The conditional UPDATE claims the row: two workers never remind twice.
            if not Appointment.objects.filter(
                pk=appointment.pk, reminded_at__isnull=True, status=AppointmentStatus.BOOKED
            ).update(reminded_at=now):
                continue
            _tell(
                appointment.applicant,
                subject=_("预约提醒：明天 %(t)s，预约码 %(c)s")
                % {"t": f"{appointment.start:%H:%M}", "c": appointment.code},
                body=_describe(appointment),
                now=now,
            )
            sent += 1
    return sent


def mark_no_shows(*, now: dt.datetime | None = None) -> int:
    """docs/rules/hall.md §J7: booked, not checked in by the slot's end plus the grace."""
    now = now or clock.now()
    today = clock.local_date(now)
    marked = 0
    for appointment in Appointment.objects.filter(
        status=AppointmentStatus.BOOKED, day__lte=today
    ).only("pk", "day", "end"):
        if appointment.ends_at() + NO_SHOW_GRACE >= now:
            continue
        marked += Appointment.objects.filter(
            pk=appointment.pk, status=AppointmentStatus.BOOKED
        ).update(status=AppointmentStatus.NO_SHOW, no_show_at=now)
    return marked


# --- extended services ------------------------------------------------------------------------
def _clean(value: Any, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def in_extended_hours(start: dt.time) -> bool:
    return any(s <= start < e for s, e in periods(None, PeriodKind.EXTENDED))


def home_visit_eligible(applicant: Any, priority: str, proof: str, day: dt.date) -> bool:
    """docs/rules/hall.md §J9: the elderly (by the ID number) and the disabled (with the
    certificate number) only."""
    if priority == Priority.ELDERLY:
        return is_elderly(applicant, day)
    if priority == Priority.DISABLED:
        return bool(proof.strip())
    return False


def may_request_for(actor: Any, applicant: Any, item: Item, today: dt.date) -> bool:
    """The applicant, their agent under mandate, or a clerk of the hall for them (docs/rules/hall.md §J8)."""
    if acts_for(actor, applicant, item, today):
        return True
    return actor.role in (Role.CLERK, Role.CHIEF, Role.ADMIN) and applicant.role == Role.APPLICANT


@transaction.atomic
def request_service(
    *,
    actor: Any,
    applicant: Any,
    kind: str,
    item: Item | None,
    day: dt.date,
    start: dt.time | None = None,
    address: str = "",
    reason: str = "",
    priority: str = "",
    priority_proof: str = "",
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """docs/rules/hall.md §J8, §J9: a request for extended hours or a home visit."""
    now = now or clock.now()
    today = clock.local_date(now)
    errors: dict[str, list[str]] = {}
    if kind not in ServiceKind.values:
        raise AppointmentInvalid({"kind": [_("请选择延时服务或上门服务。")]})
    if item is None:
        raise AppointmentInvalid({"item": [_("请选择要办理的事项。")]})
    if applicant is None or applicant.role != Role.APPLICANT:
        raise AppointmentInvalid({"applicant": [_("申请人须为已注册的申请人账户。")]})
    if not may_request_for(actor, applicant, item, today):
        raise AppointmentForbidden(_("只有申请人本人、其代办员或大厅工作人员可以提出申请。"))
    if item.published_version_id is None:
        errors["item"] = [_("该事项尚未发布。")]
    _check_day(day, now, errors)
    errors_priority = check_priority(applicant, priority, priority_proof, day)
    if errors_priority:
        errors["priority"] = errors_priority
    address = _clean(address, ADDRESS_MAX)
    reason = _clean(reason, REASON_MAX)
    if kind == ServiceKind.EXTENDED_HOURS:
        if start is None:
            errors["start"] = [_("请选择延时服务的时间。")]
        elif not in_extended_hours(start):
            spans = "、".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in periods(None, PeriodKind.EXTENDED))
            errors["start"] = [
                _("延时服务只在 %(s)s 提供，请在其中选择时间。") % {"s": spans or "—"}
            ]
        elif day == today and start <= timezone.localtime(now).time():
            errors["start"] = [_("该时间已经过去。")]
    else:
        if not home_visit_eligible(applicant, priority, priority_proof, day):
            errors["priority"] = [
                _("上门服务只为老年人（年满 %(n)s 周岁）和持残疾人证的申请人提供。")
                % {"n": ELDERLY_AGE}
            ]
        if not address:
            errors["address"] = [_("请填写上门服务的地址。")]
        if not reason:
            errors["reason"] = [_("请说明需要上门服务的原因。")]
        start = None
    if errors:
        raise AppointmentInvalid(errors)
    return ServiceRequest.objects.create(
        kind=kind,
        applicant=applicant,
        requested_by=actor,
        item=item,
        day=day,
        start=start,
        address=address,
        reason=reason,
        priority=priority,
        priority_proof=_clean(priority_proof, 40),
        created_at=now,
    )


def serving_departments(item: Item) -> set[int]:
    """docs/rules/hall.md §J8: the department that implements the item."""
    ids = {item.department_id}
    return ids


def may_see_request(user: Any, request: ServiceRequest) -> bool:
    return user.pk in (request.applicant_id, request.requested_by_id, request.staff_id) or has_perm(
        user, Perm.HALL_MANAGE
    )


def _require_manager(actor: Any) -> None:
    if not has_perm(actor, Perm.HALL_MANAGE):
        raise AppointmentForbidden(_("只有中心负责人或管理员可以安排延伸服务。"))


@transaction.atomic
def assign(
    request: ServiceRequest, *, actor: Any, staff: Any, now: dt.datetime | None = None
) -> ServiceRequest:
    """docs/rules/hall.md §J8: a staff member of a department serving the item."""
    _require_manager(actor)
    now = now or clock.now()
    if (
        staff is None
        or not staff.is_active
        or staff.role not in STAFF_ROLES
        or staff.department_id not in serving_departments(request.item)
    ):
        raise AppointmentInvalid({"staff": [_("承办人员须为受理该事项部门的在岗工作人员。")]})
    changed = ServiceRequest.objects.filter(
        pk=request.pk, status__in=(RequestStatus.REQUESTED, RequestStatus.ASSIGNED)
    ).update(status=RequestStatus.ASSIGNED, staff=staff, assigned_by=actor, assigned_at=now)
    if not changed:
        raise AppointmentWrongState(_("该申请已办结或已不予安排，不能再安排人员。"))
    request.refresh_from_db()
    _tell(
        request.applicant,
        subject=_("%(k)s已安排：%(d)s") % {"k": request.get_kind_display(), "d": request.day},
        body=_("承办人员：%(s)s") % {"s": staff.full_name or staff.username},
        now=now,
    )
    return request


@transaction.atomic
def refuse(
    request: ServiceRequest, *, actor: Any, reason: str, now: dt.datetime | None = None
) -> ServiceRequest:
    _require_manager(actor)
    reason = _clean(reason, REASON_MAX)
    if not reason:
        raise AppointmentInvalid({"reason": [_("请填写不予安排的理由。")]})
    now = now or clock.now()
    changed = ServiceRequest.objects.filter(
        pk=request.pk, status__in=(RequestStatus.REQUESTED, RequestStatus.ASSIGNED)
    ).update(status=RequestStatus.REFUSED, refusal_reason=reason, closed_at=now)
    if not changed:
        raise AppointmentWrongState(_("该申请已办结或已不予安排。"))
    request.refresh_from_db()
    _tell(
        request.applicant,
        subject=_("%(k)s不予安排") % {"k": request.get_kind_display()},
        body=reason,
        now=now,
    )
    return request


@transaction.atomic
def complete(
    request: ServiceRequest, *, actor: Any, now: dt.datetime | None = None
) -> ServiceRequest:
    if actor.pk != request.staff_id and not has_perm(actor, Perm.HALL_MANAGE):
        raise AppointmentForbidden(_("只有承办人员或中心负责人可以办结。"))
    now = now or clock.now()
    changed = ServiceRequest.objects.filter(pk=request.pk, status=RequestStatus.ASSIGNED).update(
        status=RequestStatus.DONE, closed_at=now
    )
    if not changed:
        raise AppointmentWrongState(_("只有已安排人员的申请可以办结。"))
    request.refresh_from_db()
    return request


def staff_for(request: ServiceRequest) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        role__in=sorted(STAFF_ROLES),
        department_id__in=serving_departments(request.item),
    ).order_by("username")


# --- the centre's settings --------------------------------------------------------------------
def _parse_periods(text: str) -> list[tuple[dt.time, dt.time]]:
    """ "09:00-12:00, 13:30-17:30" → periods; a wrong piece raises AppointmentInvalid."""
    result = []
    for piece in [p.strip() for p in text.replace("，", ",").replace("–", "-").split(",")]:
        if not piece:
            continue
        try:
            a, b = (s.strip() for s in piece.split("-"))
            start, end = dt.time.fromisoformat(a), dt.time.fromisoformat(b)
        except ValueError:
            raise AppointmentInvalid(
                {"periods": [_("时间段“%(p)s”格式不对，应为“09:00-12:00”。") % {"p": piece}]}
            ) from None
        if start >= end:
            raise AppointmentInvalid(
                {"periods": [_("时间段“%(p)s”的开始时间须早于结束时间。") % {"p": piece}]}
            )
        result.append((start, end))
    result.sort()
    for (_s1, e1), (s2, _e2) in itertools.pairwise(result):
        if s2 < e1:
            raise AppointmentInvalid({"periods": [_("时间段之间不能重叠。")]})
    return result


def periods_text(window: Window | None, kind: str = PeriodKind.REGULAR) -> str:
    rows = OpeningPeriod.objects.filter(kind=kind)
    rows = rows.filter(window=window) if window is not None else rows.filter(window__isnull=True)
    return ", ".join(f"{p.start:%H:%M}-{p.end:%H:%M}" for p in rows.order_by("start"))


@transaction.atomic
def schedule_set(
    *,
    actor: Any,
    window: Window | None,
    periods_value: str,
    slot_minutes: int | None,
    capacity: int | None,
    extended_value: str | None = None,
    accepts: bool = True,
) -> None:
    """docs/rules/hall.md §J4: the hall's (window None) or a window's hours, slot length and seats.
    Booked appointments stand; the new seat count applies to the slots not yet booked."""
    _require_manager(actor)
    errors: dict[str, list[str]] = {}
    if slot_minutes is None or not 5 <= slot_minutes <= 240:
        errors["slot_minutes"] = [_("时段长度须为 5 至 240 分钟。")]
    if capacity is None or not 1 <= capacity <= 100:
        errors["capacity"] = [_("每个时段可预约人数须为 1 至 100。")]
    if errors:
        raise AppointmentInvalid(errors)
    regular = _parse_periods(periods_value)
    extended = _parse_periods(extended_value) if extended_value is not None else None
    assert slot_minutes is not None and capacity is not None
    if window is None:
        if not regular:
            raise AppointmentInvalid({"periods": [_("请填写大厅的办公时间。")]})
        hall = hall_schedule()
        hall.slot_minutes, hall.capacity = slot_minutes, capacity
        hall.save()
    else:
        WindowSchedule.objects.update_or_create(
            window=window,
            defaults={
                "slot_minutes": slot_minutes,
                "capacity": capacity,
                "accepts_bookings": accepts,
            },
        )
    scope = Q(window=window) if window is not None else Q(window__isnull=True)
    OpeningPeriod.objects.filter(scope, kind=PeriodKind.REGULAR).delete()
    OpeningPeriod.objects.bulk_create(
        OpeningPeriod(window=window, kind=PeriodKind.REGULAR, start=s, end=e) for s, e in regular
    )
    if extended is not None and window is None:
        OpeningPeriod.objects.filter(scope, kind=PeriodKind.EXTENDED).delete()
        OpeningPeriod.objects.bulk_create(
            OpeningPeriod(window=None, kind=PeriodKind.EXTENDED, start=s, end=e)
            for s, e in extended
        )
    # Slots not yet booked take the new seat count (booked ones keep theirs: nobody loses a seat).
    Slot.objects.filter(
        Q(window=window) if window is not None else Q(window__schedule__isnull=True),
        day__gte=clock.today(),
        booked=0,
    ).update(capacity=capacity)
