"""``/api/v1/progress/``: the public progress query (docs/product.md §C9) for apps, kiosks and the
QR code.

No login. Every look-up spends the caller's per-address budget shared with the page
(``progress_rate_spend``); a wrong number and a wrong code give the same 404 body.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from onewindow.api.dues import DueDateSerializer
from onewindow.api.schema import error_responses
from onewindow.catalog.models import DeliveryMethod
from onewindow.certificates.models import DeliveryStatus
from onewindow.core.ratelimit import client_address
from onewindow.portal.progress import (
    NOT_FOUND,
    ProgressReport,
    progress_lookup,
    progress_rate_spend,
    progress_report,
)


class ProgressThrottle(BaseThrottle):
    """The page's per-address look-up budget, as a DRF throttle (429 with Retry-After)."""

    def __init__(self) -> None:
        self.seconds = 0

    def allow_request(self, request: Any, view: Any) -> bool:
        self.seconds = progress_rate_spend(client_address(request))
        return self.seconds == 0

    def wait(self) -> float | None:
        return float(self.seconds)


class ProgressQuerySerializer(serializers.Serializer):
    # No length limits: a too-long number is simply not found (the same answer as any miss).
    number = serializers.CharField(help_text="办件编号")
    code = serializers.CharField(help_text="查询码")


class ProgressDueDateSerializer(DueDateSerializer):
    """A labelled line of the report: the one due-date shape (``DueDate``) plus label and note."""

    # DRF pops declared fields off the class, so "label" does not clash with Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    note = serializers.CharField()


class ProgressStepSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    label = serializers.CharField()  # type: ignore[assignment]
    note = serializers.CharField()
    by_agent = serializers.CharField(help_text="代办员代为办理时为“代办员代为办理”（不含姓名）")


class ProgressDeliverySerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    method_label = serializers.CharField()
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    status_label = serializers.CharField()
    carrier = serializers.CharField(help_text="快递公司（邮寄）")
    tracking_number = serializers.CharField(help_text="运单号（邮寄）")
    sent_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)


class ProgressSerializer(serializers.Serializer):
    number = serializers.CharField(source="case.number")
    item = serializers.CharField(source="case.item_version.name")
    department = serializers.CharField(source="case.department.name")
    status = serializers.CharField(source="case.status")
    status_label = serializers.CharField()
    status_colour = serializers.CharField()
    stage = serializers.CharField()
    holder = serializers.CharField(help_text="当前办理部门（或申请人）")
    due_dates = ProgressDueDateSerializer(many=True)
    expected_completion = ProgressDueDateSerializer(source="expected", allow_null=True)
    expected_note = serializers.CharField()
    timeline = ProgressStepSerializer(
        source="steps", many=True, help_text="公开的办理过程，不含工作人员信息"
    )
    delivery = ProgressDeliverySerializer(
        allow_null=True, help_text="证照送达（准予许可后选择送达方式起）；未选择时为 null"
    )


def _answer(data: Any) -> Response:
    query = ProgressQuerySerializer(data=data)
    query.is_valid(raise_exception=True)
    case = progress_lookup(number=query.validated_data["number"], code=query.validated_data["code"])
    if case is None:
        raise exceptions.NotFound(str(NOT_FOUND))
    report: ProgressReport = progress_report(case)
    return Response(ProgressSerializer(report).data)


_DOC: dict[str, Any] = {
    "summary": "办件进度查询",
    "description": "凭办件编号和查询码查询办件进度，无需登录；按客户端地址限流。"
    "编号或查询码错误时均返回同样的 404。",
    "responses": {200: ProgressSerializer, **error_responses(400, 404, 429)},
    "tags": ["cases"],
}


class ProgressView(APIView):
    """The progress of one case by number and query code."""

    authentication_classes: list[Any] = []  # public; no CSRF for the POST form of the query
    permission_classes = [AllowAny]
    throttle_classes = [ProgressThrottle]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="progress_query",
        parameters=[
            OpenApiParameter("number", str, OpenApiParameter.QUERY, required=True),
            OpenApiParameter("code", str, OpenApiParameter.QUERY, required=True),
        ],
        **_DOC,
    )
    def get(self, request: Request) -> Response:
        return _answer(request.query_params)

    @extend_schema(operation_id="progress_query_post", request=ProgressQuerySerializer, **_DOC)
    def post(self, request: Request) -> Response:
        """The same query with number and code in the body (kept out of URLs and access logs)."""
        if not isinstance(request.data, dict):
            raise exceptions.ParseError(_("请求体应为 JSON 对象。"))
        return _answer(request.data)


urlpatterns: list[URLPattern] = [
    path("progress/", ProgressView.as_view(), name="progress_query"),
]
