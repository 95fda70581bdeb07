"""The site's help under /api/v1/ (docs/rules/publicity.md §L5–§L8): help pages and links
(public), error reports (POST by anyone, rate-limited; the list for SITE_EDIT holders)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.api.domain import domain_errors
from onewindow.api.pagination import Pagination, paginated
from onewindow.api.schema import error_responses
from onewindow.core.ratelimit import client_address
from onewindow.sitehelp import selectors, services
from onewindow.sitehelp.errors import TooManyReports
from onewindow.sitehelp.markup import render_plain_text
from onewindow.sitehelp.models import Audience, HelpPage, LinkCategory

TAGS = ["help"]


class HelpTopicSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    audience = serializers.ChoiceField(choices=Audience.choices)
    body = serializers.CharField(help_text="纯文本正文")
    html = serializers.CharField(help_text="正文的 HTML（已转义）")
    updated_at = serializers.DateTimeField()


def _help_row(page: HelpPage) -> dict[str, Any]:
    return {
        "slug": page.slug,
        "title": page.title,
        "summary": page.summary,
        "audience": page.audience,
        "body": page.body,
        "html": str(render_plain_text(page.body)),
        "updated_at": page.updated_at,
    }


class LinkSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.CharField()
    category = serializers.ChoiceField(choices=LinkCategory.choices)


class ErrorReportInSerializer(serializers.Serializer):
    # Lengths and formats are checked by the service, with the page's Chinese messages.
    page_url = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text="出错页面")
    description = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text="问题描述，最多 2000 字"
    )
    contact = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="联系方式（选填）"
    )


class ErrorReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    page_url = serializers.CharField()
    description = serializers.CharField()
    contact = serializers.CharField()
    created_at = serializers.DateTimeField()
    handled = serializers.BooleanField()
    note = serializers.CharField()


class HelpListView(APIView):
    pagination_class = Pagination  # the document shows the {count, next, previous, results} page
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="help_list",
        summary="用户帮助列表",
        responses={200: HelpTopicSerializer(many=True), **error_responses(400, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return paginated(request, self, selectors.help_pages(), HelpTopicSerializer, _help_row)


class HelpDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="help_retrieve",
        summary="帮助页面",
        responses={200: HelpTopicSerializer, **error_responses(404)},
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        page = selectors.help_page(slug)
        if page is None:
            raise exceptions.NotFound()
        return Response(HelpTopicSerializer(_help_row(page)).data)


class LinkListView(APIView):
    pagination_class = Pagination  # the document shows the {count, next, previous, results} page
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="links_list",
        summary="友情链接",
        responses={200: LinkSerializer(many=True), **error_responses(400, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return paginated(request, self, selectors.links(), LinkSerializer)


class ErrorReportsView(APIView):
    pagination_class = Pagination  # the document shows the {count, next, previous, results} page
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="error_reports_list",
        summary="网站找错报告列表（网站维护人员）",
        responses={200: ErrorReportSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        reports = selectors.error_reports_for(request)
        return paginated(request, self, reports, ErrorReportSerializer)

    @extend_schema(
        operation_id="error_reports_create",
        summary="网站找错",
        description="Anyone may report an error on the site; at most ERROR_REPORT_PER_MINUTE "
        "reports a minute per client address (429 with Retry-After, nothing stored).",
        request=ErrorReportInSerializer,
        responses={201: ErrorReportSerializer, **error_responses(400, 429)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        body = ErrorReportInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        ip = client_address(request)
        try:
            services.error_report_rate_spend(ip)
        except TooManyReports as err:
            raise exceptions.Throttled(wait=err.wait, detail=err.message) from err
        with domain_errors():
            report = services.error_report_submit(
                page_url=data["page_url"],
                description=data["description"],
                contact=data.get("contact", ""),
                user=request.user,
                ip=ip,
            )
        return Response(ErrorReportSerializer(report).data, status=status.HTTP_201_CREATED)


urlpatterns: list[URLPattern] = [
    path("help/", HelpListView.as_view(), name="help-list"),
    path("help/<slug:slug>/", HelpDetailView.as_view(), name="help-detail"),
    path("links/", LinkListView.as_view(), name="link-list"),
    path("error-reports/", ErrorReportsView.as_view(), name="error-report-list"),
]
