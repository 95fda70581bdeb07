"""The security administrator's SM2 signing keys (docs/rules/audit.md §Z12): the list and
rotation, as a page and in the API, for ``security.manage`` only (docs/decisions.md §S9); anyone
else gets a logged 404."""

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
from onewindow.audit import keys

TAGS = ["security"]


@login_required
@require_http_methods(["GET", "POST"])
def signing_keys(request: HttpRequest) -> HttpResponse:
    """The keys, newest (signing) first; POST makes a new one, which signs from then on."""
    actor = require_perm(request, Perm.SECURITY_MANAGE, target="security:keys")
    if request.method == "POST":
        key = keys.key_generate(actor=actor)
        messages.success(
            request, _("已生成新的签名密钥 %(key)s，此后签发的证照用它签名。") % {"key": key.key_id}
        )
        return redirect("audit:signing_keys")
    return render(request, "audit/signing_keys.html", {"keys": keys.keys_list()})


class SigningKeySerializer(serializers.Serializer):
    key_id = serializers.CharField()
    public_key = serializers.CharField(help_text="SM2 公钥（x‖y，十六进制）")
    fingerprint = serializers.CharField(help_text="公钥的 SM3 摘要（前 128 位）")
    created_at = serializers.DateTimeField()
    current = serializers.BooleanField(help_text="当前用于签名")
    present = serializers.BooleanField(help_text="私钥文件在本机")


def _keys() -> list[dict[str, Any]]:
    found = keys.keys_list()
    return [
        {
            "key_id": key.key_id,
            "public_key": key.public_key,
            "fingerprint": key.fingerprint,
            "created_at": key.created_at,
            "current": n == 0,
            "present": key.present,  # type: ignore[attr-defined]
        }
        for n, key in enumerate(found)
    ]


class SigningKeysView(APIView):
    """docs/rules/audit.md §Z12: the SM2 signing keys; POST rotates (a new key signs)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="security_signing_keys",
        summary="签名密钥（安全管理员）",
        responses={200: SigningKeySerializer(many=True), **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        require_perm(request, Perm.SECURITY_MANAGE, target="security:keys")
        return Response(SigningKeySerializer(_keys(), many=True).data)

    @extend_schema(
        operation_id="security_signing_keys_rotate",
        summary="生成新签名密钥（轮换）",
        request=None,
        responses={201: SigningKeySerializer(many=True), **error_responses(401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        actor = require_perm(request, Perm.SECURITY_MANAGE, target="security:keys")
        keys.key_generate(actor=actor)
        return Response(SigningKeySerializer(_keys(), many=True).data, status=201)


page_urlpatterns: list[URLPattern] = [
    path("security/keys/", signing_keys, name="signing_keys"),
]
api_urlpatterns: list[URLPattern] = [
    path("security/signing-keys/", SigningKeysView.as_view(), name="security-signing-keys"),
]
