"""Queue endpoints under /api/v1/queue/ (docs/rules/hall.md §J10–§J15), the same checks as the
pages:

* no login: ``lines/`` (business categories), ``tickets/`` (POST: take a ticket at a kiosk),
  ``tickets/<token>/`` (the ticket and how many are ahead), ``display/`` (the calling display);
* the window's clerk: ``windows/<id>/`` (current ticket, calling order) and
  ``windows/<id>/<action>/`` (call, recall, skip, finish, transfer, issue);
* chiefs, supervisors, the administrator: ``times/?from=&to=`` (waiting and service times).

Refusals are ``400 {"code", "message"}`` and store nothing; a window the clerk is not linked to
is a logged 404.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.roles import Perm
from onewindow.api.domain import domain_errors
from onewindow.api.permissions import HasPerm
from onewindow.api.schema import error_responses
from onewindow.catalog.models import Window
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.core.ratelimit import client_address
from onewindow.queue import selectors, services
from onewindow.queue.errors import TooManyTickets
from onewindow.queue.models import PriorityReason, Ticket, TicketSource, TicketStatus
from onewindow.queue.views import ACTIONS, issue_request, parse_range, run_action

TAGS = ["queue"]


# --- serializers --------------------------------------------------------------------------------
class LineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    letter = serializers.CharField()
    name = serializers.CharField()


class IssueSerializer(serializers.Serializer):
    line = serializers.CharField(required=False, allow_blank=True, help_text="业务类别 id")
    item = serializers.CharField(required=False, allow_blank=True, help_text="事项 id")
    appointment_code = serializers.CharField(required=False, allow_blank=True, max_length=40)
    priority = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="优先原因：" + "、".join(f"{v} {label}" for v, label in PriorityReason.choices),
    )
    credit_code = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="企业统一社会信用代码（选填）"
    )


class TicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    token = serializers.CharField(help_text="查询本号的令牌")
    day = serializers.DateField()
    line = serializers.CharField()
    window = serializers.CharField(allow_null=True, help_text="指定窗口")
    priority = serializers.CharField(help_text="优先原因，空为普通号")
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    description = serializers.CharField(help_text="说明（事项名称或预约说明）")
    issued_at = serializers.DateTimeField()
    ahead = serializers.IntegerField(help_text="前面还有几人（无人再来时）")


class BoardSerializer(serializers.Serializer):
    number = serializers.CharField()
    name = serializers.CharField()
    current = serializers.CharField(allow_null=True)
    recent = serializers.ListField(child=serializers.CharField())
    next = serializers.ListField(child=serializers.CharField())


class LatestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    window = serializers.CharField()


class DisplaySerializer(serializers.Serializer):
    day = serializers.DateField()
    waiting = serializers.IntegerField()
    latest = LatestSerializer(allow_null=True)
    windows = BoardSerializer(many=True)


class WindowQueueSerializer(serializers.Serializer):
    window = serializers.CharField()
    current = TicketSerializer(allow_null=True)
    order = TicketSerializer(many=True, help_text="等候的号，按叫号顺序")
    skipped = TicketSerializer(many=True)
    priority_streak = serializers.IntegerField()
    priority_streak_limit = serializers.IntegerField()


class ActionSerializer(serializers.Serializer):
    ticket = serializers.CharField(required=False, allow_blank=True, help_text="号的 id")
    case_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    to_window = serializers.CharField(required=False, allow_blank=True)
    to_line = serializers.CharField(required=False, allow_blank=True)
    line = serializers.CharField(required=False, allow_blank=True)
    item = serializers.CharField(required=False, allow_blank=True)
    appointment_code = serializers.CharField(required=False, allow_blank=True, max_length=40)
    priority = serializers.CharField(required=False, allow_blank=True)
    credit_code = serializers.CharField(required=False, allow_blank=True, max_length=40)


class ActionResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    queue = WindowQueueSerializer()


class TimeRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="窗口号或事项编码")
    name = serializers.CharField()
    issued = serializers.IntegerField()
    called = serializers.IntegerField()
    finished = serializers.IntegerField()
    avg_wait_minutes = serializers.FloatField(allow_null=True)
    avg_service_minutes = serializers.FloatField(allow_null=True)


class TimesSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    windows = TimeRowSerializer(many=True)
    items = TimeRowSerializer(many=True)


def ticket_data(ticket: Ticket, *, ahead: bool = True) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "token": ticket.token,
        "day": ticket.day,
        "line": str(ticket.line),
        "window": ticket.window.number if ticket.window else None,
        "priority": ticket.priority,
        "status": ticket.status,
        "description": ticket.label,
        "issued_at": ticket.issued_at,
        "ahead": services.ahead_of(ticket) if ahead else 0,
    }


def queue_data(window: Window) -> dict[str, Any]:
    today = clock.today()
    current = services.current_at(window, today)
    order = services.order_at(window, today)
    skipped = Ticket.objects.filter(day=today, served_by=window, status=TicketStatus.SKIPPED)
    return {
        "window": str(window),
        "current": ticket_data(current, ahead=False) if current else None,
        "order": [dict(ticket_data(t, ahead=False), ahead=i) for i, t in enumerate(order)],
        "skipped": [ticket_data(t, ahead=False) for t in skipped.order_by("last_called_at")],
        "priority_streak": services.priority_streak(window, today),
        "priority_streak_limit": services.priority_streak_limit(),
    }


# --- no login ------------------------------------------------------------------------------------
class LinesView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="queue_lines",
        summary="业务类别（取号用）",
        responses={200: LineSerializer(many=True)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        rows = [{"id": x.pk, "letter": x.letter, "name": x.name} for x in selectors.active_lines()]
        return Response(LineSerializer(rows, many=True).data)


class IssueView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="queue_ticket_issue",
        summary="自助取号（无需登录）",
        description="Exactly one of line, item or appointment_code. A credit code of an "
        "enterprise with an active key project makes the ticket a priority ticket.",
        request=IssueSerializer,
        responses={201: TicketSerializer, **error_responses(400, 429)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        body = IssueSerializer(data=request.data)
        if not body.is_valid():
            raise exceptions.ValidationError(body.errors)
        try:
            services.kiosk_rate_spend(client_address(request))
        except TooManyTickets as err:
            raise exceptions.Throttled(wait=err.wait, detail=err.message) from err
        with domain_errors():
            ticket = services.issue(issue_request(body.validated_data), source=TicketSource.KIOSK)
        return Response(TicketSerializer(ticket_data(ticket)).data, status=status.HTTP_201_CREATED)


class TicketView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="queue_ticket",
        summary="查看取到的号（凭令牌）",
        responses={200: TicketSerializer, **error_responses(404)},
        tags=TAGS,
    )
    def get(self, request: Request, token: str) -> Response:
        found = services.ticket_by_token(token)
        if found is None:
            raise deny(request._request, target="queue.ticket", reason="unknown ticket token")
        return Response(TicketSerializer(ticket_data(found)).data)


class DisplayView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="queue_display",
        summary="叫号屏数据（无需登录）",
        responses={200: DisplaySerializer},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return Response(DisplaySerializer(selectors.display_data()).data)


# --- the window's clerk --------------------------------------------------------------------------
def _window(request: Request, window_id: int) -> Window:
    found = Window.objects.filter(pk=window_id).first()
    if found is None or not services.clerk_of(request.user, found):
        raise deny(request._request, target=f"catalog.window:{window_id}", reason="not its clerk")
    return found


SERVE = HasPerm.of(Perm.QUEUE_SERVE, message="只有窗口工作人员可以叫号。")


class WindowQueueView(APIView):
    permission_classes = [SERVE]

    @extend_schema(
        operation_id="queue_window",
        summary="本窗口的当前号和等候顺序",
        responses={200: WindowQueueSerializer, **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, window_id: int) -> Response:
        return Response(WindowQueueSerializer(queue_data(_window(request, window_id))).data)


class WindowActionView(APIView):
    permission_classes = [SERVE]

    @extend_schema(
        operation_id="queue_window_action",
        summary="叫号、重呼、过号、办结、转移、代取号",
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(ACTIONS))],
        request=ActionSerializer,
        responses={200: ActionResultSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, window_id: int, action: str) -> Response:
        found = _window(request, window_id)
        if action not in ACTIONS:
            raise deny(request._request, target=f"queue.action:{action[:40]}", reason="action")
        body = ActionSerializer(data=request.data)
        if not body.is_valid():
            raise exceptions.ValidationError(body.errors)
        data = body.validated_data
        with domain_errors():
            text = run_action(request._request, found, action, request.user, data)
        return Response(ActionResultSerializer({"message": text, "queue": queue_data(found)}).data)


# --- chiefs, supervisors --------------------------------------------------------------------------
class TimesView(APIView):
    permission_classes = [
        HasPerm.of(Perm.QUEUE_STATS, message="只有首席代表、监察人员和中心管理员可以查看。")
    ]

    @extend_schema(
        operation_id="queue_times",
        summary="等候和办理用时（按窗口、按事项）",
        parameters=[
            OpenApiParameter("from", str, OpenApiParameter.QUERY, description="YYYY-MM-DD"),
            OpenApiParameter("to", str, OpenApiParameter.QUERY, description="YYYY-MM-DD"),
        ],
        responses={200: TimesSerializer, **error_responses(400, 401, 403)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        start, end, error = parse_range(request.query_params)
        if error:
            raise exceptions.ValidationError({"from": [error]})
        data = {
            "start": start,
            "end": end,
            "windows": [r.__dict__ for r in selectors.times(start, end, by="window")],
            "items": [r.__dict__ for r in selectors.times(start, end, by="item")],
        }
        return Response(TimesSerializer(data).data)


urlpatterns: list[URLPattern] = [
    path("queue/lines/", LinesView.as_view(), name="queue-lines"),
    path("queue/tickets/", IssueView.as_view(), name="queue-issue"),
    path("queue/tickets/<str:token>/", TicketView.as_view(), name="queue-ticket"),
    path("queue/display/", DisplayView.as_view(), name="queue-display"),
    path("queue/windows/<id:window_id>/", WindowQueueView.as_view(), name="queue-window"),
    path(
        "queue/windows/<id:window_id>/<str:action>/",
        WindowActionView.as_view(),
        name="queue-window-action",
    ),
    path("queue/times/", TimesView.as_view(), name="queue-times"),
]
