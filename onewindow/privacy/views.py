"""The security administrator's personal-data console (docs/rules/privacy.md §P3, §P5): which key
seals how many values, rotation, the retention job. A page and the API, for ``security.manage``
only (docs/decisions.md §S9); anyone else gets a logged 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.roles import Perm
from onewindow.accounts.selectors import require_perm
from onewindow.api.schema import error_responses
from onewindow.privacy import services

TAGS = ["security"]
TARGET = "security:personal-data"


@login_required
@require_http_methods(["GET", "POST"])
def console(request: HttpRequest) -> HttpResponse:
    actor = require_perm(request, Perm.SECURITY_MANAGE, target=TARGET)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "rotate":
            key_id, resealed = services.key_rotate(actor=actor)
            messages.success(
                request,
                _("已启用新密钥 %(key)s，重新加密 %(n)s 项个人信息。")
                % {"key": key_id, "n": resealed},
            )
        elif action == "retention":
            done = services.retention_run_now(actor=actor)
            messages.success(request, _("已匿名化到期办件 %(n)s 件。") % {"n": done})
        else:
            messages.error(request, _("无法识别的操作。"))
        return redirect("privacy:console")
    status = services.status()
    return render(
        request,
        "privacy/console.html",
        {"status": status, "usage": sorted(status.usage.items(), reverse=True)},
    )


class StatusSerializer(serializers.Serializer):
    current_key = serializers.CharField(help_text="当前加密用的 SM4 密钥标识")
    key_files = serializers.ListField(child=serializers.CharField(), help_text="本机的密钥文件")
    usage = serializers.DictField(
        child=serializers.IntegerField(), help_text="各密钥加密的数据项数（空键：未加密）"
    )
    retention_years = serializers.IntegerField()
    retention_due = serializers.IntegerField(help_text="到期待匿名化的办件数")
    anonymised = serializers.IntegerField(help_text="已匿名化的办件数")


class RotatedSerializer(serializers.Serializer):
    key_id = serializers.CharField()
    resealed = serializers.IntegerField(help_text="改用新密钥重新加密的数据项数")


class RetentionSerializer(serializers.Serializer):
    anonymised = serializers.IntegerField(help_text="本次匿名化的办件数")


def _status() -> dict[str, Any]:
    status = services.status()
    return {
        "current_key": status.current,
        "key_files": status.key_files,
        "usage": status.usage,
        "retention_years": status.retention_years,
        "retention_due": status.due,
        "anonymised": status.anonymised,
    }


class StatusView(APIView):
    """docs/rules/privacy.md §P3, §P5: keys in use and the retention state."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="security_personal_data",
        summary="个人信息加密与匿名化状态（安全管理员）",
        responses={200: StatusSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        require_perm(request, Perm.SECURITY_MANAGE, target=TARGET)
        return Response(StatusSerializer(_status()).data)


class RotateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="security_personal_data_rotate",
        summary="轮换个人信息加密密钥并重新加密",
        request=None,
        responses={201: RotatedSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        actor = require_perm(request, Perm.SECURITY_MANAGE, target=TARGET)
        key_id, resealed = services.key_rotate(actor=actor)
        return Response(RotatedSerializer({"key_id": key_id, "resealed": resealed}).data, 201)


class RetentionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="security_personal_data_retention",
        summary="立即执行到期匿名化",
        request=None,
        responses={200: RetentionSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        actor = require_perm(request, Perm.SECURITY_MANAGE, target=TARGET)
        done = services.retention_run_now(actor=actor)
        return Response(RetentionSerializer({"anonymised": done}).data)


page_urlpatterns: list[URLPattern] = [path("security/personal-data/", console, name="console")]
api_urlpatterns: list[URLPattern] = [
    path("security/personal-data/", StatusView.as_view(), name="security-personal-data"),
    path(
        "security/personal-data/rotate/",
        RotateView.as_view(),
        name="security-personal-data-rotate",
    ),
    path(
        "security/personal-data/retention/",
        RetentionView.as_view(),
        name="security-personal-data-retention",
    ),
]
