"""Appointment pages (docs/product.md §C15, docs/rules/hall.md §J1, §J4–§J9).

People: book by item or window, my appointments, cancel; extended services (request, follow).
The window: today's appointments and check-in by code. The centre: hours, slots and seats, and
the assignment of extended services. Anything a user may not see is the logged 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.models import User, identity_q
from onewindow.accounts.roles import STAFF_ROLES, Perm, Role, has_perm
from onewindow.accounts.selectors import require_perm
from onewindow.appointments import selectors, services
from onewindow.appointments.models import Priority, RequestStatus, ServiceKind
from onewindow.appointments.queue_source import desk_check_in
from onewindow.catalog.models import Item, Window
from onewindow.core import clock
from onewindow.core.errors import DomainError, Invalid


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _base(user: Any) -> str:
    return "workbench.html" if getattr(user, "role", None) in STAFF_ROLES else "base.html"


def _messages_of(err: DomainError) -> list[str]:
    if isinstance(err, Invalid):
        return [m for msgs in err.errors.values() for m in msgs]
    return [err.message]


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _time(value: Any) -> dt.time | None:
    try:
        return dt.time.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _items() -> Any:
    return (
        Item.objects.filter(published_version__isnull=False)
        .select_related("published_version", "department")
        .order_by("code")
    )


@login_required
def my_appointments(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    return render(
        request,
        "appointments/mine.html",
        {
            "base_template": _base(user),
            "rows": selectors.appointments_of(user),
            "requests": selectors.requests_for(user) if user.role not in STAFF_ROLES else [],
        },
    )


def _book_context(user: User, data: Any, errors: list[str]) -> dict[str, Any]:
    item = Item.objects.filter(code=str(data.get("item", "")).strip()).first()
    window = Window.objects.filter(number=str(data.get("window", "")).strip()).first()
    day = _date(data.get("day"))
    slots: list[tuple[Window, list[services.SlotView]]] = []
    if day is not None and (item is not None or window is not None):
        windows = [window] if window is not None else list(services.windows_for_item(item))  # type: ignore[arg-type]
        slots = [(w, services.slots_of(w, day)) for w in windows]
    return {
        "base_template": _base(user),
        "data": data,
        "errors": errors,
        "items": _items(),
        "windows": Window.objects.filter(is_active=True).order_by("number"),
        "priorities": Priority.choices,
        "slots": slots,
        "day": day,
        "today": clock.today(),
        "blocked_until": services.blocked_until(user, clock.today()),
    }


@login_required
def book(request: HttpRequest) -> HttpResponse:
    """Pick an item or a window and a day, see the slots, book one (docs/rules/hall.md §J5)."""
    user = _actor(request)
    if request.method != "POST":
        return render(request, "appointments/book.html", _book_context(user, request.GET, []))
    data = request.POST
    errors: list[str] = []
    item_code = data.get("item", "").strip()
    window_number = data.get("window", "").strip()
    item = Item.objects.filter(code=item_code).first() if item_code else None
    window = Window.objects.filter(number=window_number).first() if window_number else None
    if item_code and item is None:
        errors.append(_("事项编码“%(c)s”不存在。") % {"c": item_code})
    if window_number and window is None:
        errors.append(_("窗口“%(w)s”不存在。") % {"w": window_number})
    day, start = _date(data.get("day")), _time(data.get("start"))
    if day is None:
        errors.append(_("请按“年-月-日”选择预约日期。"))
    if start is None:
        errors.append(_("请选择预约时段。"))
    if not errors:
        assert day is not None and start is not None
        try:
            appointment = services.book(
                actor=user,
                item=item,
                window=window,
                day=day,
                start=start,
                priority=data.get("priority", ""),
                priority_proof=data.get("priority_proof", ""),
            )
        except DomainError as err:
            errors = _messages_of(err)
        else:
            messages.success(request, _("预约成功，预约码：%(c)s。") % {"c": appointment.code})
            return redirect("appointments:detail", appointment.pk)
    return render(request, "appointments/book.html", _book_context(user, data, errors), status=400)


@login_required
def detail(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = selectors.appointment_get(request, appointment_id)
    user = _actor(request)
    return render(
        request,
        "appointments/detail.html",
        {
            "base_template": _base(user),
            "a": appointment,
            "may_cancel": user.pk in (appointment.applicant_id, appointment.booked_by_id)
            and appointment.status == "booked"
            and appointment.starts_at() > clock.now(),
        },
    )


@login_required
@require_POST
def cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = selectors.appointment_get(request, appointment_id)
    try:
        services.cancel(appointment, actor=_actor(request))
    except DomainError as err:
        for message in _messages_of(err):
            messages.error(request, message)
    else:
        messages.success(request, _("预约已取消。"))
    return redirect("appointments:detail", appointment.pk)


def desk(request: HttpRequest) -> HttpResponse:
    """The window's list of today's appointments and the check-in by code (docs/rules/hall.md §J7)."""
    user = require_perm(request, Perm.HALL_DESK, target="appointments.desk")
    status = 200
    if request.method == "POST":
        try:
            appointment, ticket = desk_check_in(
                request.POST.get("code", ""), at=clock.now(), actor=user
            )
        except DomainError as err:
            for message in _messages_of(err):
                messages.error(request, message)
            status = 400
        else:
            messages.success(
                request,
                _("预约 %(c)s 已签到：%(n)s。")
                % {"c": appointment.code, "n": appointment.applicant.full_name},
            )
            if ticket is not None:
                messages.success(request, _("排队号 %(t)s。") % {"t": ticket.number})
            return redirect("appointments:desk")
    today = clock.today()
    return render(
        request,
        "appointments/desk.html",
        {
            "base_template": "workbench.html",
            "rows": selectors.desk_today(user, today),
            "today": today,
            **_staff_tabs(user, "desk"),
        },
        status=status,
    )


def _staff_tabs(user: Any, tab: str) -> dict[str, Any]:
    """The hall staff's tabs over 今日预约, 预约设置 and 延伸服务 (one workbench column)."""
    return {
        "tab": tab,
        "tab_desk": has_perm(user, Perm.HALL_DESK),
        "tab_manage": has_perm(user, Perm.HALL_MANAGE),
    }


def hall(request: HttpRequest) -> HttpResponse:
    """The centre's hours, slot length and seats: the hall's default and each window's (docs/rules/hall.md §J4)."""
    user = require_perm(request, Perm.HALL_MANAGE, target="appointments.hall")
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        number = request.POST.get("window", "").strip()
        window = Window.objects.filter(number=number).first() if number else None
        if number and window is None:
            errors.append(_("窗口“%(w)s”不存在。") % {"w": number})
        else:
            try:
                services.schedule_set(
                    actor=user,
                    window=window,
                    periods_value=request.POST.get("periods", ""),
                    extended_value=request.POST.get("extended") if window is None else None,
                    slot_minutes=_int(request.POST.get("slot_minutes")),
                    capacity=_int(request.POST.get("capacity")),
                    accepts=request.POST.get("accepts_bookings", "on") == "on",
                )
            except DomainError as err:
                errors = _messages_of(err)
            else:
                messages.success(request, _("预约设置已保存。"))
                return redirect("appointments:hall")
        status = 400
    windows = Window.objects.filter(is_active=True).order_by("number")
    return render(
        request,
        "appointments/hall.html",
        {
            "base_template": "workbench.html",
            "errors": errors,
            "hall": selectors.schedule_row(None),
            "windows": [(w, selectors.schedule_row(w)) for w in windows],
            **_staff_tabs(user, "hall"),
        },
        status=status,
    )


@login_required
def service_list(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    return render(
        request,
        "appointments/services.html",
        {
            "base_template": _base(user),
            "rows": selectors.requests_for(user),
            **(_staff_tabs(user, "services") if user.role in STAFF_ROLES else {}),
        },
    )


def _service_context(user: User, data: Any, errors: list[str]) -> dict[str, Any]:
    return {
        "base_template": _base(user),
        "data": data,
        "errors": errors,
        "items": _items(),
        "kinds": ServiceKind.choices,
        "priorities": Priority.choices,
        "for_others": user.role in STAFF_ROLES,
        "extended": services.periods_text(None, "extended"),
    }


@login_required
def service_new(request: HttpRequest) -> HttpResponse:
    """docs/rules/hall.md §J8, §J9: the applicant (or a clerk for them) asks for extended hours or
    a home visit."""
    user = _actor(request)
    if request.method != "POST":
        return render(request, "appointments/service_new.html", _service_context(user, {}, []))
    data = request.POST
    errors: list[str] = []
    applicant: Any = user
    if user.role in STAFF_ROLES:
        id_number = data.get("applicant_id_number", "").strip().upper()
        applicant = (
            User.objects.filter(identity_q("id_number", id_number), role=Role.APPLICANT).first()
            if id_number
            else None
        )
        if applicant is None:
            errors.append(_("请填写已注册申请人的身份证号。"))
    code = data.get("item", "").strip()
    item = Item.objects.filter(code=code).first() if code else None
    if code and item is None:
        errors.append(_("事项编码“%(c)s”不存在。") % {"c": code})
    day = _date(data.get("day"))
    if day is None:
        errors.append(_("请按“年-月-日”填写服务日期。"))
    start = _time(data.get("start")) if data.get("start") else None
    if data.get("start") and start is None:
        errors.append(_("请按 18:00 这样的格式填写时间（时和分之间用英文冒号）。"))
    if not errors:
        assert day is not None
        try:
            row = services.request_service(
                actor=user,
                applicant=applicant,
                kind=data.get("kind", ""),
                item=item,
                day=day,
                start=start,
                address=data.get("address", ""),
                reason=data.get("reason", ""),
                priority=data.get("priority", ""),
                priority_proof=data.get("priority_proof", ""),
            )
        except DomainError as err:
            errors = _messages_of(err)
        else:
            messages.success(request, _("申请已提交，中心安排人员后会通知您。"))
            return redirect("appointments:service", row.pk)
    return render(
        request,
        "appointments/service_new.html",
        _service_context(user, data, errors),
        status=400,
    )


@login_required
def service_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    row = selectors.request_get(request, request_id)
    user = _actor(request)
    manager = user.can(Perm.HALL_MANAGE)
    open_ = row.status in (RequestStatus.REQUESTED, RequestStatus.ASSIGNED)
    return render(
        request,
        "appointments/service.html",
        {
            "base_template": _base(user),
            "r": row,
            "may_assign": manager and open_,
            "may_done": row.status == RequestStatus.ASSIGNED
            and (manager or user.pk == row.staff_id),
            "staff": services.staff_for(row) if manager and open_ else [],
        },
    )


@login_required
@require_POST
def service_act(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    row = selectors.request_get(request, request_id)
    user = _actor(request)
    try:
        if action == "assign":
            staff_id = _int(request.POST.get("staff"))
            staff = User.objects.filter(pk=staff_id).first() if staff_id else None
            services.assign(row, actor=user, staff=staff)
            messages.success(request, _("已安排承办人员。"))
        elif action == "refuse":
            services.refuse(row, actor=user, reason=request.POST.get("reason", ""))
            messages.success(request, _("已不予安排，并告知申请人。"))
        else:
            services.complete(row, actor=user)
            messages.success(request, _("已办结。"))
    except DomainError as err:
        for message in _messages_of(err):
            messages.error(request, message)
    return redirect("appointments:service", row.pk)


urlpatterns: list[URLPattern] = [
    path("appointments/", my_appointments, name="mine"),
    path("appointments/book/", book, name="book"),
    path("appointments/desk/", desk, name="desk"),
    path("appointments/hall/", hall, name="hall"),
    path("appointments/<id:appointment_id>/", detail, name="detail"),
    path("appointments/<id:appointment_id>/cancel/", cancel, name="cancel"),
    path("appointments/services/", service_list, name="services"),
    path("appointments/services/new/", service_new, name="service_new"),
    path("appointments/services/<id:request_id>/", service_detail, name="service"),
    path(
        "appointments/services/<id:request_id>/assign/",
        service_act,
        {"action": "assign"},
        name="service_assign",
    ),
    path(
        "appointments/services/<id:request_id>/refuse/",
        service_act,
        {"action": "refuse"},
        name="service_refuse",
    ),
    path(
        "appointments/services/<id:request_id>/done/",
        service_act,
        {"action": "done"},
        name="service_done",
    ),
]
