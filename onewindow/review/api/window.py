"""The window's side of the reviewers' material requests, under /api/v1/intake/.

A reviewing department asks for more material through the window; the clerk of the department
that accepted the case lists the open requests here and records each answer at ``answer_url``.
The endpoint sits with the intake endpoints (same path, tag and permission) but belongs to
review, whose requests it reads.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.api.pagination import Pagination, paginated
from onewindow.api.schema import error_responses
from onewindow.cases.api.intake import TAGS, CanIntake, IntakePersonSerializer
from onewindow.review.models import MaterialRequest
from onewindow.review.selectors.materials import material_requests_for_window


class WindowMaterialRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    case_number = serializers.CharField()
    item = serializers.CharField(help_text="事项名称")
    applicant = IntakePersonSerializer()
    department = serializers.CharField(help_text="提出要求的审查部门")
    text = serializers.CharField(help_text="需补充的材料及要求")
    pauses_clock = serializers.BooleanField(help_text="补充期间该部门审查期限是否暂停计算")
    requested_on = serializers.DateField()
    answer_url = serializers.CharField(
        help_text="登记答复（补充说明及扫描件，multipart）的接口地址"
    )
    page_url = serializers.CharField(help_text="窗口登记答复的页面地址")


def _row(req: MaterialRequest) -> dict[str, Any]:
    case = req.task.case
    return {
        "id": req.pk,
        "case_id": req.task.case_id,
        "case_number": case.number or "",
        "item": case.item_version.name,
        "applicant": {"id": case.applicant.pk, "name": str(case.applicant)},
        "department": req.task.department.name,
        "text": req.text,
        "pauses_clock": req.pauses_clock,
        "requested_on": req.requested_on,
        "answer_url": reverse("api:review-material-answer", args=[req.pk]),
        "page_url": reverse("review:material_answer", args=[req.pk]),
    }


class MaterialRequestListView(APIView):
    permission_classes = [IsAuthenticated, CanIntake]
    # Declared so the OpenAPI document shows the {count, next, previous, results} page.
    pagination_class = Pagination

    @extend_schema(
        operation_id="intake_material_requests_list",
        summary="审查补充材料",
        description="Open material requests of the reviewing departments on cases accepted by the "
        "clerk's department, the oldest first. The clerk records the applicant's answer, with "
        "the scanned files, at `answer_url`.",
        responses={
            200: WindowMaterialRequestSerializer(many=True),
            **error_responses(400, 401, 403, 404),
        },
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        requests = material_requests_for_window(request.user)
        return paginated(request, self, requests, WindowMaterialRequestSerializer, _row)


urlpatterns: list[URLPattern] = [
    path(
        "intake/material-requests/",
        MaterialRequestListView.as_view(),
        name="intake-material-requests",
    ),
]
