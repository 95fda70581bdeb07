"""Appointment endpoints under /api/v1/appointments/ (docs/product.md §C15,
docs/rules/hall.md §J1, §J4–§J9), the same checks as the pages:

* ``appointments/slots/?day=&window=|item=``: the slots of a day with their free seats;
* ``appointments/`` (GET: mine; POST: book), ``appointments/<id>/``,
  ``appointments/<id>/cancel/``;
* ``appointments/desk/`` (today's appointments at the clerk's windows),
  ``appointments/check-in/`` (POST a code);
* ``appointments/schedule/`` (GET; PUT: the hall's or a window's hours, slot length and seats);
* ``appointments/services/`` (GET; POST: request extended hours or a home visit),
  ``appointments/services/<id>/`` and its ``assign/``, ``refuse/``, ``done/``.

Refusals are ``400 {"code", "message"[, "errors"]}`` and store nothing; an appointment or request
the user may not see is a logged 404.
"""

from __future__ import annotations

from typing import Any, cast

from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, Role
from onewindow.accounts.selectors import require_perm
from onewindow.api.body import request_body, request_query
from onewindow.api.domain import domain_errors
from onewindow.api.pagination import Pagination, paginated
from onewindow.api.schema import error_responses
from onewindow.appointments import selectors, services
from onewindow.appointments.models import (
    Appointment,
    Priority,
    ServiceKind,
    ServiceRequest,
)
from onewindow.appointments.queue_source import desk_check_in
from onewindow.catalog.models import Item, Window
from onewindow.core import clock

TAGS = ["appointments"]


def _actor(request: Request) -> User:
    return cast(User, request.user)


def _item(code: str | None) -> Item | None:
    if not code:
        return None
    item = Item.objects.filter(code=code.strip()).first()
    if item is None:
        raise serializers.ValidationError({"item": [_("事项编码“%(c)s”不存在。") % {"c": code}]})
    return item


def _window(number: str | None) -> Window | None:
    if not number:
        return None
    window = Window.objects.filter(number=number.strip()).first()
    if window is None:
        raise serializers.ValidationError({"window": [_("窗口“%(w)s”不存在。") % {"w": number}]})
    return window


# --- serializers ------------------------------------------------------------------------------
class SlotQuerySerializer(serializers.Serializer):
    day = serializers.DateField()
    window = serializers.CharField(required=False, allow_blank=True, help_text="窗口号")
    item = serializers.CharField(required=False, allow_blank=True, help_text="事项编码")


class SlotSerializer(serializers.Serializer):
    window = serializers.CharField()
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M")
    capacity = serializers.IntegerField()
    free = serializers.IntegerField()


class BookSerializer(serializers.Serializer):
    day = serializers.DateField()
    start = serializers.TimeField(help_text="时段开始时间，如 09:30")
    item = serializers.CharField(required=False, allow_blank=True, help_text="事项编码")
    window = serializers.CharField(required=False, allow_blank=True, help_text="窗口号")
    applicant = serializers.IntegerField(
        required=False, allow_null=True, help_text="代办员为委托人预约时：委托人的用户 id"
    )
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, default="")
    priority_proof = serializers.CharField(required=False, allow_blank=True, default="")


class AppointmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    applicant = serializers.CharField()
    item = serializers.CharField(allow_null=True)
    window = serializers.CharField()
    day = serializers.DateField()
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M")
    priority = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    created_at = serializers.DateTimeField()


def appointment_row(a: Appointment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "code": a.code,
        "applicant": str(a.applicant.full_name or a.applicant.username),
        "item": a.item.code if a.item is not None else None,
        "window": a.window.number,
        "day": a.day,
        "start": a.start,
        "end": a.end,
        "priority": a.priority,
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "created_at": a.created_at,
    }


class CheckInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)


class AppointmentCheckInSerializer(serializers.Serializer):
    appointment = AppointmentSerializer()
    ticket = serializers.DictField()
    queue_number = serializers.CharField(
        allow_null=True, help_text="排队号（大厅未启用取号叫号时为空）"
    )


class ScheduleSerializer(serializers.Serializer):
    window = serializers.CharField(required=False, allow_blank=True, help_text="窗口号；留空为大厅")
    periods = serializers.CharField(help_text="办公时间，如 09:00-12:00, 13:30-17:30")
    extended = serializers.CharField(
        required=False, allow_null=True, help_text="延时服务时间（仅大厅），如 17:30-19:30"
    )
    slot_minutes = serializers.IntegerField()
    capacity = serializers.IntegerField()
    accepts_bookings = serializers.BooleanField(required=False, default=True)


class ScheduleQuerySerializer(serializers.Serializer):
    window = serializers.CharField(required=False, allow_blank=True)


class ServiceCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ServiceKind.choices)
    item = serializers.CharField(help_text="事项编码")
    day = serializers.DateField()
    start = serializers.TimeField(required=False, allow_null=True, help_text="延时服务的时间")
    applicant = serializers.IntegerField(
        required=False, allow_null=True, help_text="工作人员或代办员代为提出时：申请人的用户 id"
    )
    address = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, default="")
    priority_proof = serializers.CharField(required=False, allow_blank=True, default="")


class ServiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    applicant = serializers.CharField()
    item = serializers.CharField()
    day = serializers.DateField()
    start = serializers.TimeField(format="%H:%M", allow_null=True)
    address = serializers.CharField()
    reason = serializers.CharField()
    priority = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    staff = serializers.CharField(allow_null=True)
    refusal_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


def service_row(r: ServiceRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "kind_label": str(r.get_kind_display()),
        "applicant": str(r.applicant.full_name or r.applicant.username),
        "item": r.item.code,
        "day": r.day,
        "start": r.start,
        "address": r.address,
        "reason": r.reason,
        "priority": r.priority,
        "status": r.status,
        "status_label": str(r.get_status_display()),
        "staff": (r.staff.full_name or r.staff.username) if r.staff is not None else None,
        "refusal_reason": r.refusal_reason,
        "created_at": r.created_at,
    }


class AssignSerializer(serializers.Serializer):
    staff = serializers.IntegerField(help_text="承办人员的用户 id")


class RefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


def _applicant(actor: User, applicant_id: int | None) -> User:
    if applicant_id is None or applicant_id == actor.pk:
        return actor
    applicant = User.objects.filter(pk=applicant_id, role=Role.APPLICANT).first()
    if applicant is None:
        raise serializers.ValidationError({"applicant": [_("申请人不存在。")]})
    return applicant


# --- views ------------------------------------------------------------------------------------
class SlotListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="appointments_slots",
        summary="可预约时段",
        description="The slots of a working day within opening hours, per window (the one asked "
        "for, or every window serving the item), with their free seats (docs/rules/hall.md §J4).",
        parameters=[SlotQuerySerializer],
        responses={200: SlotSerializer(many=True), **error_responses(400, 401)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        query = request_query(SlotQuerySerializer, request)
        item, window = _item(query.get("item")), _window(query.get("window"))
        if item is None and window is None:
            raise serializers.ValidationError({"item": [_("请选择要办理的事项或窗口。")]})
        windows = [window] if window is not None else list(services.windows_for_item(item))  # type: ignore[arg-type]
        rows = [
            {
                "window": w.number,
                "start": s.start,
                "end": s.end,
                "capacity": s.capacity,
                "free": s.free,
            }
            for w in windows
            for s in services.slots_of(w, query["day"])
        ]
        return Response(SlotSerializer(rows, many=True).data)


class AppointmentListView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        operation_id="appointments_list",
        summary="我的预约",
        responses={200: AppointmentSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        rows = selectors.appointments_of(_actor(request))
        return paginated(request, self, rows, AppointmentSerializer, appointment_row)

    @extend_schema(
        operation_id="appointments_book",
        summary="预约",
        description="Book a seat of a slot by item or window (docs/rules/hall.md §J4–§J6): only "
        "working days (make-up working weekend days included), within opening hours, while a "
        "seat is free; any refusal stores nothing. The answer carries the appointment code.",
        request=BookSerializer,
        responses={201: AppointmentSerializer, **error_responses(400, 401, 403)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        actor = _actor(request)
        body = request_body(BookSerializer, request)
        item, window = _item(body.get("item")), _window(body.get("window"))
        with domain_errors():
            appointment = services.book(
                actor=actor,
                applicant=_applicant(actor, body.get("applicant")),
                item=item,
                window=window,
                day=body["day"],
                start=body["start"],
                priority=body["priority"],
                priority_proof=body["priority_proof"],
            )
        return Response(AppointmentSerializer(appointment_row(appointment)).data, status=201)


class AppointmentDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="appointments_detail",
        summary="预约详情",
        responses={200: AppointmentSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, appointment_id: int) -> Response:
        appointment = selectors.appointment_get(request._request, appointment_id)
        return Response(AppointmentSerializer(appointment_row(appointment)).data)


class AppointmentCancelView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="appointments_cancel",
        summary="取消预约",
        description="Until the slot starts; the seat is free again at once (docs/rules/hall.md §J5).",
        request=None,
        responses={200: AppointmentSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, appointment_id: int) -> Response:
        appointment = selectors.appointment_get(request._request, appointment_id)
        with domain_errors():
            appointment = services.cancel(appointment, actor=_actor(request))
        return Response(AppointmentSerializer(appointment_row(appointment)).data)


class DeskView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="appointments_desk",
        summary="今日预约（窗口）",
        description="Today's appointments at the clerk's windows (the hall's managers: every "
        "window), priorities first.",
        responses={200: AppointmentSerializer(many=True), **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        user = require_perm(request, Perm.HALL_DESK, target="appointments.desk")
        rows = [appointment_row(a) for a in selectors.desk_today(user, clock.today())]
        return Response(AppointmentSerializer(rows, many=True).data)


class CheckInView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="appointments_check_in",
        summary="预约签到",
        description="A clerk checks an appointment in by its code: on its day, from 30 minutes "
        "before the slot to its end plus the grace, once (docs/rules/hall.md §J7). Answers what the queue needs.",
        request=CheckInSerializer,
        responses={200: AppointmentCheckInSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        require_perm(request, Perm.HALL_DESK, target="appointments.check_in")
        body = request_body(CheckInSerializer, request)
        with domain_errors():
            appointment, ticket = desk_check_in(body["code"], at=clock.now(), actor=request.user)
        return Response(
            {
                "appointment": AppointmentSerializer(appointment_row(appointment)).data,
                "ticket": services.ticket_info(appointment),
                "queue_number": ticket.number if ticket else None,
            }
        )


class ScheduleView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="appointments_schedule",
        summary="开放时间与时段设置",
        parameters=[ScheduleQuerySerializer],
        responses={200: ScheduleSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        require_perm(request, Perm.HALL_MANAGE, target="appointments.schedule")
        window = _window(request_query(ScheduleQuerySerializer, request).get("window"))
        return Response(ScheduleSerializer(selectors.schedule_row(window)).data)

    @extend_schema(
        operation_id="appointments_schedule_set",
        summary="设置开放时间与时段",
        description="The hall's (no window) or one window's opening hours, slot length and "
        "seats per slot (docs/rules/hall.md §J4); booked appointments stand.",
        request=ScheduleSerializer,
        responses={200: ScheduleSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def put(self, request: Request) -> Response:
        user = require_perm(request, Perm.HALL_MANAGE, target="appointments.schedule")
        body = request_body(ScheduleSerializer, request)
        window = _window(body.get("window"))
        with domain_errors():
            services.schedule_set(
                actor=user,
                window=window,
                periods_value=body["periods"],
                extended_value=body.get("extended"),
                slot_minutes=body["slot_minutes"],
                capacity=body["capacity"],
                accepts=body["accepts_bookings"],
            )
        return Response(ScheduleSerializer(selectors.schedule_row(window)).data)


class ServiceListView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        operation_id="appointments_services",
        summary="延伸服务申请",
        description="Managers: every request; staff: the ones assigned to them; applicants: "
        "their own.",
        responses={200: ServiceSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        rows = selectors.requests_for(_actor(request))
        return paginated(request, self, rows, ServiceSerializer, service_row)

    @extend_schema(
        operation_id="appointments_service_request",
        summary="申请延时服务或上门服务",
        description="Extended hours on a working day within the extended periods; a home visit "
        "for the elderly and the disabled only (docs/rules/hall.md §J8, §J9).",
        request=ServiceCreateSerializer,
        responses={201: ServiceSerializer, **error_responses(400, 401, 403)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        actor = _actor(request)
        body = request_body(ServiceCreateSerializer, request)
        item = _item(body["item"])
        with domain_errors():
            row = services.request_service(
                actor=actor,
                applicant=_applicant(actor, body.get("applicant")),
                kind=body["kind"],
                item=item,
                day=body["day"],
                start=body.get("start"),
                address=body["address"],
                reason=body["reason"],
                priority=body["priority"],
                priority_proof=body["priority_proof"],
            )
        return Response(ServiceSerializer(service_row(row)).data, status=201)


class ServiceDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="appointments_service_detail",
        summary="延伸服务申请详情",
        responses={200: ServiceSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, request_id: int) -> Response:
        row = selectors.request_get(request._request, request_id)
        return Response(ServiceSerializer(service_row(row)).data)


class ServiceAssignView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="appointments_service_assign",
        summary="安排承办人员",
        request=AssignSerializer,
        responses={200: ServiceSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, request_id: int) -> Response:
        user = require_perm(request, Perm.HALL_MANAGE, target=f"service_request:{request_id}")
        row = selectors.request_get(request._request, request_id)
        body = request_body(AssignSerializer, request)
        staff = User.objects.filter(pk=body["staff"]).first()
        with domain_errors():
            row = services.assign(row, actor=user, staff=staff)
        return Response(ServiceSerializer(service_row(row)).data)


class ServiceRefuseView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="appointments_service_refuse",
        summary="不予安排",
        request=RefuseSerializer,
        responses={200: ServiceSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, request_id: int) -> Response:
        user = require_perm(request, Perm.HALL_MANAGE, target=f"service_request:{request_id}")
        row = selectors.request_get(request._request, request_id)
        body = request_body(RefuseSerializer, request)
        with domain_errors():
            row = services.refuse(row, actor=user, reason=body["reason"])
        return Response(ServiceSerializer(service_row(row)).data)


class ServiceDoneView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="appointments_service_done",
        summary="办结延伸服务",
        request=None,
        responses={200: ServiceSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, request_id: int) -> Response:
        row = selectors.request_get(request._request, request_id)
        with domain_errors():
            row = services.complete(row, actor=_actor(request))
        return Response(ServiceSerializer(service_row(row)).data)


urlpatterns: list[URLPattern] = [
    path("appointments/", AppointmentListView.as_view(), name="appointments"),
    path("appointments/slots/", SlotListView.as_view(), name="appointment-slots"),
    path("appointments/desk/", DeskView.as_view(), name="appointment-desk"),
    path("appointments/check-in/", CheckInView.as_view(), name="appointment-check-in"),
    path("appointments/schedule/", ScheduleView.as_view(), name="appointment-schedule"),
    path("appointments/services/", ServiceListView.as_view(), name="appointment-services"),
    path(
        "appointments/services/<id:request_id>/",
        ServiceDetailView.as_view(),
        name="appointment-service",
    ),
    path(
        "appointments/services/<id:request_id>/assign/",
        ServiceAssignView.as_view(),
        name="appointment-service-assign",
    ),
    path(
        "appointments/services/<id:request_id>/refuse/",
        ServiceRefuseView.as_view(),
        name="appointment-service-refuse",
    ),
    path(
        "appointments/services/<id:request_id>/done/",
        ServiceDoneView.as_view(),
        name="appointment-service-done",
    ),
    path("appointments/<id:appointment_id>/", AppointmentDetailView.as_view(), name="appointment"),
    path(
        "appointments/<id:appointment_id>/cancel/",
        AppointmentCancelView.as_view(),
        name="appointment-cancel",
    ),
]
