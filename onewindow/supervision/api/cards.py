"""Supervision API (cards): the department's cards, the supervisor's card console, lifecycle.

``GET /api/v1/supervision/cards/`` lists the caller's department's cards (department staff) or
every card (supervisors, filterable by status and department); ``GET .../cards/<id>/`` one card;
``POST .../cards/<id>/explain|rectify/`` (the card's department) and ``.../confirm|cancel/``
(supervisors). Anyone else reading a card: 404, logged; acting outside one's role: 403, logged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.roles import Perm, has_perm
from onewindow.api.domain import CONFLICT, Conflict
from onewindow.api.pagination import Pagination, paginated
from onewindow.api.schema import error_responses
from onewindow.supervision import selectors, services
from onewindow.supervision.api.filters import status_and_department
from onewindow.supervision.models import Card, CardStatus

TAGS = ["supervision"]


class CardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rule = serializers.CharField(source="rule.code", help_text="规则编码")
    rule_name = serializers.CharField(source="rule.name", help_text="规则名称")
    level = serializers.ChoiceField(choices=["yellow", "red"], help_text="黄牌 / 红牌")
    object_kind = serializers.CharField(help_text="对象类型：case、task、decision …")
    object_id = serializers.IntegerField()
    case_id = serializers.IntegerField(allow_null=True, help_text="无办件的督办函逾期牌为空")
    case_number = serializers.CharField(source="case.number", allow_null=True, default=None)
    department = serializers.CharField(source="department.name", help_text="责任部门")
    status = serializers.ChoiceField(choices=CardStatus.values)
    status_label = serializers.CharField(source="get_status_display")
    detail = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    issued_at = serializers.DateTimeField()
    explanation = serializers.CharField()
    explained_at = serializers.DateTimeField(allow_null=True)
    review_note = serializers.CharField(help_text="监察确认意见或撤销理由")
    reviewed_at = serializers.DateTimeField(allow_null=True)
    rectification = serializers.CharField()
    rectified_at = serializers.DateTimeField(allow_null=True)
    revision = serializers.IntegerField(help_text="并发控制：操作时原样提交")


class CardActionBodySerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=services.TEXT_MAX, help_text="说明、整改情况、确认意见或撤销理由"
    )
    revision = serializers.IntegerField(required=False, allow_null=True)


class CardListView(APIView):
    # Declared so the OpenAPI document shows the {count, next, previous, results} page.
    pagination_class = Pagination
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="supervision_cards_list",
        summary="监察牌列表",
        description="Department staff: their department's cards. Supervisors: every card, "
        "filterable by status and department. Newest first, paginated.",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=CardStatus.values, required=False),
            OpenApiParameter("department", OpenApiTypes.INT, required=False, description="部门"),
            OpenApiParameter("page", OpenApiTypes.INT, required=False, description="页码"),
        ],
        responses={200: CardSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        status, department_id = status_and_department(
            request, statuses=CardStatus.values, invalid_status=_("监察牌状态筛选值无效。")
        )
        if has_perm(request.user, Perm.SUPERVISE):
            cards = selectors.cards_for_supervisor(
                request, status=status, department_id=department_id
            )
        else:
            cards = selectors.cards_for_department(request, status=status)
        return paginated(request, self, cards, CardSerializer)


class CardDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="supervision_cards_retrieve",
        summary="监察牌详情",
        responses={200: CardSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, card_id: int) -> Response:
        card, _user = selectors.card_get(request, card_id)
        return Response(CardSerializer(card).data)


def _action(
    operation: str, summary: str, description: str, service: Callable[..., Card], field: str
) -> type[APIView]:
    class ActionView(APIView):
        permission_classes = [IsAuthenticated]

        @extend_schema(
            operation_id=f"supervision_cards_{operation}",
            summary=summary,
            description=description,
            request=CardActionBodySerializer,
            responses={200: CardSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
            tags=TAGS,
        )
        def post(self, request: Request, card_id: int) -> Response:
            card, user = selectors.card_get(request, card_id)
            body = CardActionBodySerializer(data=request.data)
            body.is_valid(raise_exception=True)
            revision = body.validated_data.get("revision")
            if revision is not None and revision != card.revision:
                raise Conflict(_("该监察牌在您读取后已发生变化，请重新读取后再操作。"))
            # CardForbidden → 403, CardConflict → 409, other CardErrors → 400 (onewindow.api.errors)
            card = service(card=card, actor=user, **{field: body.validated_data["text"]})
            return Response(CardSerializer(card).data)

    ActionView.__name__ = f"Card{operation.title()}View"
    return ActionView


EXPLAIN = _action(
    "explain",
    "说明情况",
    "The card's department explains (issued → explained).",
    services.card_explain,
    "text",
)
CONFIRM = _action(
    "confirm",
    "确认监察牌",
    "A supervisor confirms after the explanation (explained → confirmed).",
    services.card_confirm,
    "reason",
)
CANCEL = _action(
    "cancel",
    "撤销监察牌",
    "A supervisor cancels, with a reason (issued/explained → cancelled).",
    services.card_cancel,
    "reason",
)
RECTIFY = _action(
    "rectify",
    "报告整改",
    "The card's department reports its rectification (confirmed → rectified).",
    services.card_rectify,
    "text",
)

urlpatterns: list[Any] = [
    path("supervision/cards/", CardListView.as_view(), name="supervision-cards"),
    path("supervision/cards/<id:card_id>/", CardDetailView.as_view(), name="supervision-card"),
    path(
        "supervision/cards/<id:card_id>/explain/",
        EXPLAIN.as_view(),
        name="supervision-card-explain",
    ),
    path(
        "supervision/cards/<id:card_id>/confirm/",
        CONFIRM.as_view(),
        name="supervision-card-confirm",
    ),
    path(
        "supervision/cards/<id:card_id>/cancel/", CANCEL.as_view(), name="supervision-card-cancel"
    ),
    path(
        "supervision/cards/<id:card_id>/rectify/",
        RECTIFY.as_view(),
        name="supervision-card-rectify",
    ),
]
