"""The security administrator's API (docs/decisions.md §S9), beside the console's pages:
staff accounts, role assignment, second-factor reset and ending sessions. Sign-in lockouts are
lifted with ``POST auth/lockouts/unlock``. Anyone without ``security.manage`` gets a logged 404."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts import second_factor, services
from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, Role, role_label
from onewindow.accounts.security import (
    ASSIGNABLE,
    Department,
    Region,
    Window,
    account_for_api,
    staff_accounts,
)
from onewindow.accounts.selectors import require_perm
from onewindow.api.body import request_body
from onewindow.api.pagination import KeysetPagination, keyset_paginated
from onewindow.api.schema import error_responses

TAGS = ["security"]
ORDER = ("username", "pk")


class StaffAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField()
    department_id = serializers.IntegerField(allow_null=True)
    region_id = serializers.IntegerField(allow_null=True)
    is_active = serializers.BooleanField()
    second_factor = serializers.BooleanField(help_text="已绑定动态口令")


def _row(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "role_label": role_label(user.role),
        "department_id": user.department_id,
        "region_id": user.region_id,
        "is_active": user.is_active,
        "second_factor": bool(getattr(user, "second_factor", False)),
    }


class RoleAssignSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ASSIGNABLE)
    department_id = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, default=None
    )
    region_id = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), required=False, allow_null=True, default=None
    )
    window_ids = serializers.PrimaryKeyRelatedField(
        queryset=Window.objects.all(), many=True, required=False, default=list
    )


class StaffAccountListView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="security_accounts",
        summary="工作人员账号（安全管理员）",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=False, description="账号或姓名"),
            OpenApiParameter(
                "role",
                OpenApiTypes.STR,
                enum=[value for value, _label in ASSIGNABLE],
                required=False,
                description="角色",
            ),
        ],
        responses={200: StaffAccountSerializer(many=True), **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        require_perm(request, Perm.SECURITY_MANAGE, target="security:accounts")
        q = str(request.query_params.get("q", "")).strip()[:100]
        role = str(request.query_params.get("role", ""))
        role = role if role in dict(ASSIGNABLE) else ""
        return keyset_paginated(
            request, self, staff_accounts(q=q, role=role), ORDER, StaffAccountSerializer, _row
        )


class RoleAssignView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="security_account_role",
        summary="分配角色（安全管理员）",
        description="docs/decisions.md §S9: any staff role, the three administrator roles "
        "included, never on one's own account. The account's sessions and token end.",
        request=RoleAssignSerializer,
        responses={200: StaffAccountSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, user_id: int) -> Response:
        actor = require_perm(request, Perm.SECURITY_MANAGE, target=f"security:account:{user_id}")
        user = account_for_api(user_id)
        body = request_body(RoleAssignSerializer, request)
        services.user_role_assign(
            user=user,
            role=Role(body["role"]),
            actor=actor,
            department=body["department_id"],
            windows=body["window_ids"],
            region=body["region_id"],
        )
        return Response(StaffAccountSerializer(_row(account_for_api(user_id))).data)


class SecondFactorResetView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="security_account_second_factor_reset",
        summary="重置动态口令（安全管理员）",
        description="Delete the account's authenticator and recovery codes and end its "
        "sessions and token; it enrols again at its next sign-in.",
        request=None,
        responses={200: StaffAccountSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, user_id: int) -> Response:
        actor = require_perm(request, Perm.SECURITY_MANAGE, target=f"security:account:{user_id}")
        second_factor.second_factor_reset(user=account_for_api(user_id), actor=actor)
        return Response(StaffAccountSerializer(_row(account_for_api(user_id))).data)


class SessionsEndView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="security_account_sessions_end",
        summary="结束全部会话（安全管理员）",
        request=None,
        responses={200: StaffAccountSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, user_id: int) -> Response:
        actor = require_perm(request, Perm.SECURITY_MANAGE, target=f"security:account:{user_id}")
        services.sessions_end(user=account_for_api(user_id), actor=actor)
        return Response(StaffAccountSerializer(_row(account_for_api(user_id))).data)


urlpatterns: list[URLPattern] = [
    path("security/accounts/", StaffAccountListView.as_view(), name="security-accounts"),
    path(
        "security/accounts/<id:user_id>/role/",
        RoleAssignView.as_view(),
        name="security-account-role",
    ),
    path(
        "security/accounts/<id:user_id>/second-factor/reset/",
        SecondFactorResetView.as_view(),
        name="security-account-second-factor-reset",
    ),
    path(
        "security/accounts/<id:user_id>/sessions/end/",
        SessionsEndView.as_view(),
        name="security-account-sessions-end",
    ),
]
