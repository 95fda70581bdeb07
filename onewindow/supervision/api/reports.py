"""Supervision API: situation reports (情况通报, docs/rules/supervision.md §D9).

``GET /api/v1/supervision/reports/`` the archive (supervisors: every report, whatever its
status; department staff and administrators: the finished ones), by period kind and year;
``POST`` requests the report of a period (supervisors; generated in the background: poll
``GET .../reports/<id>/`` for ``status`` and ``progress``); ``GET .../reports/<id>/pdf/`` the
PDF. Anyone else: 404, logged; a reader who may not request: 403, logged.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.models import User
from onewindow.api.body import request_body
from onewindow.api.pagination import Pagination
from onewindow.api.renderers import PDFRenderer
from onewindow.api.schema import error_responses, pdf_responses
from onewindow.core.access import deny
from onewindow.supervision.models import PeriodKind, ReportStatus, SituationReport
from onewindow.supervision.pdf.reports import report_response
from onewindow.supervision.services import reports
from onewindow.supervision.services.scores import period_label

TAGS = ["supervision"]


class SituationReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True, help_text="期号，如 情况通报〔2026〕第3期")
    period_kind = serializers.ChoiceField(choices=PeriodKind.values, help_text="月度或季度")
    period_label = serializers.SerializerMethodField(help_text="如 2026年11月、2026年第4季度")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    scheduled = serializers.BooleanField(help_text="定期生成（否则为临时生成）")
    status = serializers.ChoiceField(choices=ReportStatus.values)
    status_label = serializers.CharField(source="get_status_display")
    progress = serializers.IntegerField(help_text="生成进度（%）")
    stage = serializers.CharField(help_text="当前步骤")
    requested_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(help_text="生成失败时的错误信息")
    pdf_url = serializers.SerializerMethodField(help_text="PDF 下载地址（生成后）")

    def get_period_label(self, report: SituationReport) -> str:
        return period_label(report.period_kind, report.period_start)

    def get_pdf_url(self, report: SituationReport) -> str | None:
        if report.status != ReportStatus.DONE:
            return None
        return reverse("api:supervision-report-pdf", args=[report.pk])

    figures = serializers.SerializerMethodField(
        help_text="统计数据（生成后，仅在详情中；列表中为 null）：headline 本期指标、previous 上期指标、change 增减"
        "（件数之差；比率为百分点）、departments 各部门、rules 各监察规则、overdue 逾期最长办件。"
        "比率为百分数，办结数为零时为 null。"
    )

    def get_figures(self, report: SituationReport) -> dict[str, Any] | None:
        if self.context.get("summary") or report.status != ReportStatus.DONE:
            return None
        return report.data


class SituationReportRequestSerializer(serializers.Serializer):
    period_kind = serializers.ChoiceField(
        choices=PeriodKind.values,
        error_messages={"invalid_choice": "通报周期须为 month（月度）或 quarter（季度）。"},
    )
    period_start = serializers.DateField(
        help_text="周期内任一日期（取其所在的月或季度）",
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD。"},
    )


def _filters(request: Request) -> tuple[str, int | None]:
    kind = request.query_params.get("kind", "")
    if kind and kind not in PeriodKind.values:
        raise exceptions.ValidationError({"kind": [_("通报周期筛选值无效。")]})
    year = request.query_params.get("year", "")
    if year and not (year.isascii() and year.isdigit() and len(year) == 4):
        raise exceptions.ValidationError({"year": [_("年份无效。")]})
    return kind, int(year) if year else None


class ReportListView(APIView):
    # Declared so the OpenAPI document shows the {count, next, previous, results} page.
    pagination_class = Pagination
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="supervision_reports_list",
        summary="情况通报列表",
        description="Supervisors: every report (queued, running, done, failed). Department staff "
        "and administrators: the finished reports. Newest period first, paginated.",
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=PeriodKind.values, required=False),
            OpenApiParameter("year", OpenApiTypes.INT, required=False, description="年份"),
            OpenApiParameter("page", OpenApiTypes.INT, required=False, description="页码"),
        ],
        responses={
            200: SituationReportSerializer(many=True),
            **error_responses(400, 401, 404),
        },
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        kind, year = _filters(request)
        rows = reports.reports_for(request, kind=kind, year=year)
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        data = SituationReportSerializer(page, many=True, context={"summary": True}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="supervision_reports_create",
        summary="生成情况通报",
        description="A supervisor requests the report of the month or quarter "
        "(``period_kind``) containing ``period_start`` (not a future period). It is generated "
        "in the background: poll the report for ``status`` and ``progress``. When a report of "
        "that period is already queued or running, that one is returned.",
        request=SituationReportRequestSerializer,
        responses={201: SituationReportSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        if not reports.may_read_reports(request.user):
            raise deny(request._request, target=reports.TARGET, reason="may not request reports")
        data = request_body(SituationReportRequestSerializer, request)
        # ReportForbidden → 403, other ReportErrors → 400 (onewindow.api.errors)
        report = reports.report_request(
            kind=data["period_kind"],
            period_start=data["period_start"],
            actor=cast(User, request.user),
        )
        reports.report_generate_soon(report.pk)
        return Response(SituationReportSerializer(report).data, status=201)


class ReportDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="supervision_reports_retrieve",
        summary="情况通报详情",
        description="Status and progress while the report is generated; its figures once done.",
        responses={200: SituationReportSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, report_id: int) -> Response:
        report = reports.report_get(request, report_id)
        return Response(SituationReportSerializer(report).data)


class ReportPdfView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        operation_id="supervision_reports_pdf",
        summary="下载情况通报 PDF",
        description="The archived PDF of a finished report (404 while it is being generated).",
        responses=pdf_responses(),
        tags=TAGS,
    )
    def get(self, request: Request, report_id: int) -> HttpResponse:
        report = reports.report_get(request, report_id)
        if report.status != ReportStatus.DONE or not report.pdf:
            raise exceptions.NotFound(_("情况通报尚未生成。"))
        return report_response(report)

    def handle_exception(self, exc: Exception) -> Response:
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


urlpatterns: list[Any] = [
    path("supervision/reports/", ReportListView.as_view(), name="supervision-reports"),
    path(
        "supervision/reports/<id:report_id>/",
        ReportDetailView.as_view(),
        name="supervision-report",
    ),
    path(
        "supervision/reports/<id:report_id>/pdf/",
        ReportPdfView.as_view(),
        name="supervision-report-pdf",
    ),
]
