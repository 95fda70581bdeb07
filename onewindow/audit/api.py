"""Audit endpoints under /api/v1/ (docs/rules/audit.md §Z11).

- ``GET /api/v1/audit/accesses/``: every recorded staff view of a case, newest first, by cursor;
  filters ``case`` (number), ``user`` (account), ``unit``, ``kind``, ``start``/``end``
  (YYYY-MM-DD). The audit administrator only: anyone else signed in gets a logged 404.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.urls import URLPattern, path
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
from onewindow.audit import security_events
from onewindow.audit.access import (
    ORDER,
    AccessSearchInvalid,
    accesses_search,
    filters_parse,
)
from onewindow.audit.models import AccessKind, CaseAccess
from onewindow.audit.signing_keys import api_urlpatterns
from onewindow.audit.views import require_auditor

TAGS = ["audit"]


class AccessSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    case_id = serializers.IntegerField()
    case_number = serializers.CharField()
    user_id = serializers.IntegerField(help_text="查阅人的用户编号")
    user_label = serializers.CharField(help_text="查阅时的账号")
    role = serializers.CharField()
    role_label = serializers.CharField()
    unit = serializers.CharField(help_text="查阅时所在单位")
    department_id = serializers.IntegerField(allow_null=True)
    kind = serializers.ChoiceField(choices=AccessKind.choices)
    detail = serializers.CharField()
    via = serializers.ChoiceField(choices=["page", "api"])
    ip = serializers.CharField(allow_null=True)


def _row(access: CaseAccess) -> dict[str, Any]:
    return {
        "id": access.pk,
        "at": access.at,
        "case_id": access.case_id,
        "case_number": access.case_number,
        "user_id": access.user_id,
        "user_label": access.user_label,
        "role": access.role,
        "role_label": role_label(access.role),
        "unit": access.unit,
        "department_id": access.department_id,
        "kind": access.kind,
        "detail": access.detail,
        "via": access.via,
        "ip": access.ip,
    }


PARAMETERS = [
    OpenApiParameter("case", OpenApiTypes.STR, required=False, description="办件编号"),
    OpenApiParameter("user", OpenApiTypes.STR, required=False, description="查阅人账号"),
    OpenApiParameter("unit", OpenApiTypes.STR, required=False, description="单位名称"),
    OpenApiParameter(
        "kind", OpenApiTypes.STR, enum=AccessKind.values, required=False, description="查阅内容"
    ),
    OpenApiParameter("start", OpenApiTypes.DATE, required=False, description="开始日期"),
    OpenApiParameter("end", OpenApiTypes.DATE, required=False, description="结束日期"),
]


class AccessListView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = KeysetPagination  # shown in the OpenAPI document (docs/rules/scale.md §Y2)

    @extend_schema(
        operation_id="audit_accesses",
        summary="办件查阅记录",
        description="Every view of a case, its files or documents by staff, newest first "
        "(docs/rules/audit.md §Z11). The audit administrator only; anyone else: logged 404.",
        parameters=PARAMETERS,
        responses={200: AccessSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        require_auditor(cast(HttpRequest, request))
        try:
            filters = filters_parse(request.query_params)
        except AccessSearchInvalid as exc:
            raise exceptions.ValidationError({exc.field: [str(exc)]}) from None
        return keyset_paginated(
            request, self, accesses_search(filters), ORDER, AccessSerializer, _row
        )


urlpatterns: list[URLPattern] = [
    path("audit/accesses/", AccessListView.as_view(), name="audit-accesses"),
    *api_urlpatterns,
    *security_events.api_urlpatterns,
]
