"""The security trail (docs/rules/audit.md §Z13): every ``accounts.signals.security_event``
becomes a chained ``SecurityEvent``; the audit administrator searches them on a page and in the
API. Anyone else gets a logged 404."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.roles import role_label
from onewindow.api.pagination import KeysetPagination, keyset_paginated
from onewindow.api.schema import error_responses
from onewindow.audit.models import SecurityAction, SecurityEvent
from onewindow.audit.views import require_auditor
from onewindow.core import clock
from onewindow.core.access import client_ip
from onewindow.core.logcontext import current
from onewindow.core.pagination import count_bounded, count_label, keyset_page_html

ORDER = ("-at", "-pk")
PAGE_SIZE = 50


def security_event_record(
    sender: Any = None,
    *,
    action: str,
    actor: Any = None,
    target: Any = None,
    detail: str = "",
    **kwargs: Any,
) -> SecurityEvent:
    """The receiver of ``accounts.signals.security_event`` (and the signing keys' own call)."""
    request = current().get("request")
    return SecurityEvent.objects.create(
        at=clock.now(),
        action=action,
        actor_id=getattr(actor, "pk", None),
        actor_label=(actor.get_username() if actor is not None else "")[:150],
        actor_role=getattr(actor, "role", "")[:20] if actor is not None else "",
        target_id=getattr(target, "pk", None),
        target_label=(target.get_username() if target is not None else "")[:150],
        detail=detail[:300],
        ip=client_ip(request) if request is not None else None,
    )


class SecuritySearchInvalid(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def events_search(params: Any) -> QuerySet[SecurityEvent]:
    """By action (one of SecurityAction), account (the actor's or the target's username, exact)
    and date (YYYY-MM-DD, the day in the configured time zone)."""
    found = SecurityEvent.objects.all()
    action = str(params.get("action", "") or "")
    if action:
        if action not in SecurityAction.values:
            raise SecuritySearchInvalid("action", _("操作类型不正确。"))
        found = found.filter(action=action)
    account = str(params.get("account", "") or "").strip()[:150]
    if account:
        found = found.filter(Q(actor_label=account) | Q(target_label=account))
    day = str(params.get("date", "") or "")
    if day:
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            raise SecuritySearchInvalid("date", _("日期格式应为 YYYY-MM-DD。")) from None
        if not 1900 <= date.year <= 2999:
            raise SecuritySearchInvalid("date", _("日期格式应为 YYYY-MM-DD。"))
        found = found.filter(at__date=date)
    return found


def _row(event: SecurityEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "at": event.at,
        "action": event.action,
        "action_label": str(SecurityAction(event.action).label)
        if event.action in SecurityAction.values
        else event.action,
        "actor_id": event.actor_id,
        "actor": event.actor_label,
        "actor_role": event.actor_role,
        "actor_role_label": role_label(event.actor_role) if event.actor_role else "",
        "target_id": event.target_id,
        "target": event.target_label,
        "detail": event.detail,
        "ip": event.ip,
    }


@login_required
@require_GET
def security_events(request: HttpRequest) -> HttpResponse:
    require_auditor(request)
    error, field = "", ""
    try:
        found = events_search(request.GET)
    except SecuritySearchInvalid as exc:
        error, field, found = str(exc), exc.field, SecurityEvent.objects.all()
    page = keyset_page_html(found, ORDER, cursor=request.GET.get("cursor"), size=PAGE_SIZE)
    return render(
        request,
        "audit/security_events.html",
        {
            "raw": request.GET,
            "error": error,
            "error_field": field,
            "page": page,
            "rows": [_row(event) for event in page.rows],
            "total": count_label(count_bounded(found)),
            "actions": SecurityAction.choices,
        },
        status=400 if error else 200,
    )


class SecurityEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    action = serializers.ChoiceField(choices=SecurityAction.choices)
    action_label = serializers.CharField()
    actor_id = serializers.IntegerField(allow_null=True)
    actor = serializers.CharField(help_text="操作人账号（命令行操作为空）")
    actor_role = serializers.CharField()
    actor_role_label = serializers.CharField()
    target_id = serializers.IntegerField(allow_null=True)
    target = serializers.CharField(help_text="对象账号")
    detail = serializers.CharField()
    ip = serializers.CharField(allow_null=True)


class SecurityEventListView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="audit_security_events",
        summary="安全操作记录",
        description="Roles assigned, second factors enrolled or reset, sessions ended, lockouts "
        "lifted, accounts created or disabled, signing keys made; newest first "
        "(docs/rules/audit.md §Z13). The audit administrator only; anyone else: logged 404.",
        parameters=[
            OpenApiParameter(
                "action",
                OpenApiTypes.STR,
                enum=SecurityAction.values,
                required=False,
                description="操作",
            ),
            OpenApiParameter("account", OpenApiTypes.STR, required=False, description="账号"),
            OpenApiParameter("date", OpenApiTypes.DATE, required=False, description="日期"),
        ],
        responses={200: SecurityEventSerializer(many=True), **error_responses(400, 401, 404)},
        tags=["audit"],
    )
    def get(self, request: Request) -> Response:
        require_auditor(cast(HttpRequest, request))
        try:
            found = events_search(request.query_params)
        except SecuritySearchInvalid as exc:
            raise exceptions.ValidationError({exc.field: [str(exc)]}) from None
        return keyset_paginated(request, self, found, ORDER, SecurityEventSerializer, _row)


page_urlpatterns: list[URLPattern] = [
    path("audit/security-events/", security_events, name="security_events"),
]
api_urlpatterns: list[URLPattern] = [
    path("audit/security-events/", SecurityEventListView.as_view(), name="audit-security-events"),
]
