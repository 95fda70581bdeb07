"""Mandate endpoints under /api/v1/mandates/ (代办委托, docs/product.md §C8).

The same checks as the page ``/my/mandates/``: the input is validated by the page's
``MandateForm`` (agent by username or mobile number, active agents only; scope all items or one
published item; valid until today … two years ahead) and written by ``services.mandate_record``.
Only the applicant who gave a mandate (or a user administrator) may revoke it; anyone else gets
the logged 404. Errors are ``{"code", "message"[, "errors"]}``.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.roles import Perm, Role
from onewindow.api.body import request_body
from onewindow.api.domain import Refused
from onewindow.api.permissions import HasPerm
from onewindow.api.schema import error_responses
from onewindow.cases import services
from onewindow.cases.models import Mandate
from onewindow.cases.selectors import mandates as mandates_selectors
from onewindow.cases.views.mandates import SCOPE_ALL, SCOPE_ITEM, MandateForm, mandate_grant
from onewindow.core import clock

TAGS = ["cases: mandates"]


# Applicants and agents.
CanUseMandates = HasPerm.of(Perm.CASE_APPLY, message="只有申请人或代办员可以使用代办委托接口。")


# --- serializers ------------------------------------------------------------------------------
class MandatePartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    username = serializers.CharField()


class MandateItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="事项编码")
    name = serializers.CharField(help_text="事项名称（现行版本）")


class MandateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    direction = serializers.ChoiceField(
        choices=["given", "held"],
        help_text="given：本人作出的委托（我是委托人）；held：委托本人办理（我是代办员）",
    )
    applicant = MandatePartySerializer(help_text="委托人（申请人）")
    agent = MandatePartySerializer(help_text="代办员")
    scope = serializers.ChoiceField(
        choices=[SCOPE_ALL, SCOPE_ITEM], help_text="all：全部事项；item：指定一个事项"
    )
    item = MandateItemSerializer(allow_null=True, help_text="scope 为 item 时的委托事项")
    valid_until = serializers.DateField(help_text="有效期至（含当日）")
    status = serializers.CharField(help_text="valid 有效；expired 已过期；revoked 已撤销")
    status_label = serializers.CharField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    note = serializers.CharField()


class MandateCreateSerializer(serializers.Serializer):
    agent = serializers.CharField(help_text="代办员的用户名或登记的手机号码")
    scope = serializers.CharField(help_text="all（全部事项）或 item（指定一个事项）")
    item = serializers.CharField(
        required=False, allow_blank=True, help_text="scope 为 item 时必填：事项编码或名称"
    )
    valid_until = serializers.CharField(
        help_text=f"有效期至，YYYY-MM-DD；不早于今天，最长 {services.MANDATE_LONGEST_YEARS} 年"
    )
    note = serializers.CharField(required=False, allow_blank=True, help_text="备注（选填）")


def _party(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "name": str(user), "username": user.username}


def mandate_data(mandate: Mandate, *, user: Any) -> dict[str, Any]:
    state = mandates_selectors.mandate_state(mandate)
    item = mandate.item
    version = item.published_version if item else None
    return {
        "id": mandate.pk,
        "direction": "given" if mandate.applicant_id == user.pk else "held",
        "applicant": _party(mandate.applicant),
        "agent": _party(mandate.agent),
        "scope": SCOPE_ALL if item is None else SCOPE_ITEM,
        "item": {"code": item.code, "name": version.name if version else ""} if item else None,
        "valid_until": mandate.valid_until,
        "status": state.value,
        "status_label": str(mandates_selectors.MANDATE_STATE_LABELS[state]),
        "revoked_at": mandate.revoked_at,
        "created_at": mandate.created_at,
        "note": mandate.note,
    }


def _fresh(mandate: Mandate) -> Mandate:
    return Mandate.objects.select_related(
        "agent", "applicant", "item", "item__published_version"
    ).get(pk=mandate.pk)


# --- views ------------------------------------------------------------------------------------
class MandateListView(APIView):
    """My mandates: the ones I gave (applicant) or hold (agent); granting a new one."""

    permission_classes = [IsAuthenticated, CanUseMandates]

    @extend_schema(
        operation_id="mandates_list",
        summary="我的代办委托",
        description="An applicant's mandates (`direction: given`) and, for an agent, the "
        "mandates they hold (`direction: held`), newest first, with their state today.",
        responses={200: MandateSerializer(many=True), **error_responses(401, 403)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        user = request.user
        rows = [*mandates_selectors.mandates_given(user), *mandates_selectors.mandates_held(user)]
        data = [mandate_data(m, user=user) for m in rows]
        return Response(MandateSerializer(data, many=True).data)

    @extend_schema(
        operation_id="mandates_create",
        summary="委托代办员",
        description="An applicant mandates an active agent (named by username or mobile "
        "number) for every item or one published item, until a date no earlier than today and "
        f"at most {services.MANDATE_LONGEST_YEARS} years ahead. Agents and staff get 403.",
        request=MandateCreateSerializer,
        responses={201: MandateSerializer, **error_responses(400, 401, 403)},
        examples=[
            OpenApiExample(
                "委托全部事项",
                value={"agent": "13907110009", "scope": "all", "valid_until": "2027-06-30"},
                request_only=True,
            ),
            OpenApiExample(
                "代办员不存在",
                value={
                    "code": "invalid",
                    "message": "未找到用户名或手机号码为“139”的代办员。",
                    "errors": {"agent": ["未找到用户名或手机号码为“139”的代办员。"]},
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        user: Any = request.user
        if user.role != Role.APPLICANT:
            raise exceptions.PermissionDenied(_("只有申请人可以委托代办员。"))
        form = MandateForm(data=request_body(MandateCreateSerializer, request), today=clock.today())
        if not form.is_valid():
            raise exceptions.ValidationError(
                {
                    field if field != "__all__" else "non_field_errors": [str(e) for e in errors]
                    for field, errors in form.errors.items()
                }
            )
        mandate = mandate_grant(form, applicant=user)  # a CaseError is a 400 (api.errors)
        data = mandate_data(_fresh(mandate), user=user)
        return Response(MandateSerializer(data).data, status=status.HTTP_201_CREATED)


class MandateRevokeView(APIView):
    """Revoke a mandate at once (the applicant who gave it, or a user administrator)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="mandates_revoke",
        summary="撤销代办委托",
        description="Only the applicant who gave the mandate, or a user administrator, may "
        "revoke it; for anyone else it does not exist (404, logged). Revoking a revoked "
        "mandate is refused (400) and changes nothing.",
        request=None,
        responses={200: MandateSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, mandate_id: int) -> Response:
        mandate = mandates_selectors.mandate_get_for_revoke(
            cast(HttpRequest, request), mandate_id=mandate_id
        )
        if mandate.revoked_at is not None:
            raise Refused(_("该委托已撤销，无需重复操作。"), "already_revoked")
        services.mandate_revoke(mandate=mandate)
        data = mandate_data(_fresh(mandate), user=request.user)
        return Response(MandateSerializer(data).data)


urlpatterns: list[URLPattern] = [
    path("mandates/", MandateListView.as_view(), name="mandate-list"),
    path("mandates/<id:mandate_id>/revoke/", MandateRevokeView.as_view(), name="mandate-revoke"),
]
