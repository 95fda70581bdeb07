"""Statistics API (docs/rules/statistics.md §M6, docs/rules/statistics.md §M7).

- ``GET /api/v1/stats/public/``: the public figures (anyone);
- ``GET /api/v1/stats/dashboard/``: the staff dashboard (department staff: their department;
  supervisors, administrators: all; anyone else: logged 404);
- ``GET /api/v1/stats/items/<id>/stages/``: one item, stage by stage (as the dashboard).

Filters as on the pages: ``year``, ``month``, ``start``, ``end``, ``department``, ``item``,
``region``; a bad one is a 400 naming the parameter. ``export=csv|xlsx`` with ``table=<name>``
answers that table as a file instead of JSON (``format`` is DRF's own renderer switch).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.api.schema import error_responses
from onewindow.catalog.models import Item
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.stats import selectors as sel
from onewindow.stats.errors import StatsInvalid
from onewindow.stats.export import FORMATS, export_response
from onewindow.stats.filters import PARAMS, Filters, filters_parse
from onewindow.stats.selectors import Stats, StatsForbidden
from onewindow.stats.tables import (
    Table,
    dashboard_tables,
    export_name,
    item_stage_tables,
    public_tables,
)

TAGS = ["stats"]
RATE_HELP = "0–1,4 位小数；null 表示暂无数据"


class TotalsSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="收件数（按收件月份）")
    accepted = serializers.IntegerField(help_text="受理数（按受理月份）")
    closed = serializers.IntegerField(help_text="办结数（按决定月份）")
    closed_on_time = serializers.IntegerField()
    closed_early = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(6, 4, allow_null=True, help_text=RATE_HELP)
    early_rate = serializers.DecimalField(6, 4, allow_null=True, help_text=RATE_HELP)
    mean_days = serializers.DecimalField(8, 1, allow_null=True, help_text="平均办理用时（工作日）")
    p90_days = serializers.IntegerField(
        allow_null=True, help_text="P90（工作日；60 表示 60 及以上）"
    )
    compression = serializers.DecimalField(6, 4, allow_null=True, help_text="平均时限压缩率")


class TableSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="导出时的 table 参数")
    caption = serializers.CharField()
    headers = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))


class FiltersSerializer(serializers.Serializer):
    start = serializers.CharField(required=False, help_text="YYYY-MM")
    end = serializers.CharField(required=False, help_text="YYYY-MM")
    department = serializers.CharField(required=False)
    item = serializers.CharField(required=False)
    region = serializers.CharField(required=False)


class StatsSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    totals = TotalsSerializer()
    tables = TableSerializer(many=True)


PARAMETERS = [
    OpenApiParameter("year", OpenApiTypes.INT, required=False, description="年份"),
    OpenApiParameter(
        "month", OpenApiTypes.INT, required=False, description="月份 1–12（须同时给出年份）"
    ),
    OpenApiParameter("start", OpenApiTypes.STR, required=False, description="起始月份 YYYY-MM"),
    OpenApiParameter("end", OpenApiTypes.STR, required=False, description="结束月份 YYYY-MM"),
    OpenApiParameter("department", OpenApiTypes.INT, required=False, description="部门"),
    OpenApiParameter("item", OpenApiTypes.INT, required=False, description="事项"),
    OpenApiParameter("region", OpenApiTypes.INT, required=False, description="区域（含下级）"),
    OpenApiParameter(
        "export", OpenApiTypes.STR, enum=list(FORMATS), required=False, description="导出格式"
    ),
    OpenApiParameter("table", OpenApiTypes.STR, required=False, description="导出的表格名称"),
]
FILE = OpenApiResponse(OpenApiTypes.BINARY, description="export=csv|xlsx：表格文件")


def _body(stats: Stats, tables: list[Table]) -> dict[str, Any]:
    t = stats.figures.total
    return {
        "filters": stats.filters.params(),
        "totals": {
            "received": t.received,
            "accepted": t.accepted,
            "closed": t.closed,
            "closed_on_time": t.on_time,
            "closed_early": t.early,
            "on_time_rate": t.on_time_rate,
            "early_rate": t.early_rate,
            "mean_days": t.mean_days,
            "p90_days": stats.figures.p90_days,
            "compression": stats.compression,
        },
        "tables": [
            {
                "name": table.name,
                "caption": table.caption,
                "headers": table.headers,
                "rows": [[_cell(c) for c in row] for row in table.rows],
            }
            for table in tables
        ],
    }


def _cell(cell: Any) -> Any:
    return str(cell) if not isinstance(cell, int | str | type(None)) else cell


def _answer(request: Request, stats: Stats, tables: list[Table]) -> HttpResponse | Response:
    fmt = request.query_params.get("export")
    if fmt is None:
        return Response(StatsSerializer(_body(stats, tables)).data)
    name = request.query_params.get("table", "")
    chosen = next((t for t in tables if t.name == name), None)
    if fmt not in FORMATS:
        raise StatsInvalid({"export": [_("导出格式只能是 csv 或 xlsx。")]})
    if chosen is None:
        names = "、".join(t.name for t in tables)
        raise StatsInvalid(
            {"table": [_("请用 table 参数指明要导出的表格：%(t)s。") % {"t": names}]}
        )
    return export_response(chosen, fmt, export_name(chosen, clock.today()))


def _filters(request: Request) -> Filters:
    return filters_parse({k: request.query_params.get(k) for k in PARAMS})


def _staff_scope(request: Request, filters: Filters) -> Filters:
    if not sel.may_view_dashboard(request.user):
        raise deny(request._request, target="stats:dashboard", reason="no statistics permission")
    try:
        return sel.dashboard_scope(request.user, filters)
    except StatsForbidden as err:
        raise deny(request._request, target=err.target, reason=err.message) from None


class PublicStatsView(APIView):
    @extend_schema(
        operation_id="stats_public",
        summary="办件统计（公开）",
        description="Received, accepted, closed, on-time and early rates, mean and p90 working "
        "days, by month, status, department, item (with limits and compression), region; "
        "read from the rollups.",
        parameters=PARAMETERS,
        responses={200: StatsSerializer, **error_responses(400)},
        tags=TAGS,
    )
    def get(self, request: Request) -> HttpResponse | Response:
        stats = sel.public_figures_of(_filters(request))
        return _answer(request, stats, public_tables(stats))


class DashboardStatsView(APIView):
    @extend_schema(
        operation_id="stats_dashboard",
        summary="统计分析（工作人员）",
        description="The public figures plus the stage view; department staff: their own "
        "department (another department or its item: 404, logged).",
        parameters=PARAMETERS,
        responses={200: StatsSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> HttpResponse | Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        stats = sel.dashboard_figures_of(request.user, _staff_scope(request, _filters(request)))
        return _answer(request, stats, dashboard_tables(stats))


class ItemStagesView(APIView):
    @extend_schema(
        operation_id="stats_item_stages",
        summary="事项环节用时（瓶颈分析）",
        description="One item's working days stage by stage, with its summary and durations.",
        parameters=PARAMETERS,
        responses={200: StatsSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, item_id: int) -> HttpResponse | Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        if not Item.objects.filter(pk=item_id).exists():
            raise deny(request._request, target=f"stats item {item_id}", reason="no such item")
        f = _filters(request)
        scoped = _staff_scope(
            request, Filters(f.start, f.end, None, item_id, f.region_id, f.region_ids)
        )
        stats = sel.dashboard_figures_of(request.user, scoped)
        return _answer(request, stats, item_stage_tables(stats, item_id))


urlpatterns = [
    path("stats/public/", PublicStatsView.as_view(), name="stats-public"),
    path("stats/dashboard/", DashboardStatsView.as_view(), name="stats-dashboard"),
    path("stats/items/<id:item_id>/stages/", ItemStagesView.as_view(), name="stats-item-stages"),
]
