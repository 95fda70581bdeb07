"""``/api/v1/lists/``: the public lists (docs/rules/lists.md §Q1–§Q6), read-only and public.

Each list takes ``q``, ``department`` (a department code) and its own filter (``method`` for the
supervision list, ``action`` for the clean-up record), pages like every list (``page``,
``page_size``), and answers ``?format=csv`` or ``?format=xlsx`` (or the Accept header) with the
whole filtered list as a file instead of a JSON page.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.api.renderers import CSVRenderer, XLSXRenderer
from onewindow.api.schema import error_responses
from onewindow.api.throttling import AnonThrottle
from onewindow.core.export import export_response
from onewindow.lib.export import FORMATS, XLSX_CONTENT_TYPE
from onewindow.lists import exports, selectors
from onewindow.lists.models import (
    CleanupAction,
    CleanupRecord,
    DepartmentResponsibility,
    ItemAccountability,
    SupervisionMeasure,
    SupervisionMethod,
)
from onewindow.lists.selectors import MAX_QUERY_LENGTH, ListFilters

TAGS = ["lists"]


# --- serializers ------------------------------------------------------------------------------
class ListItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="事项编码")
    name = serializers.SerializerMethodField(help_text="事项名称（已发布版本）")

    def get_name(self, item: Any) -> str:
        return exports.item_name(item)


class ListDepartmentSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="部门编码")
    name = serializers.CharField(help_text="部门名称")


class ResponsibilitySerializer(serializers.ModelSerializer):
    department = ListDepartmentSerializer()

    class Meta:
        model = DepartmentResponsibility
        fields = ("id", "department", "text", "sort")


class AccountabilitySerializer(serializers.ModelSerializer):
    item = ListItemSerializer()
    department = ListDepartmentSerializer(source="item.department")

    class Meta:
        model = ItemAccountability
        fields = ("id", "item", "department", "duty", "accountability", "basis", "sort")


class SupervisionMeasureSerializer(serializers.ModelSerializer):
    item = ListItemSerializer()
    item_department = ListDepartmentSerializer(source="item.department")
    department = ListDepartmentSerializer(help_text="监管主体")
    method_label = serializers.CharField(source="get_method_display")

    class Meta:
        model = SupervisionMeasure
        fields = (
            "id",
            "item",
            "item_department",
            "target",
            "content",
            "method",
            "method_label",
            "department",
            "frequency",
            "legal_basis",
        )


class CleanupRecordSerializer(serializers.ModelSerializer):
    department = ListDepartmentSerializer()
    action_label = serializers.CharField(source="get_action_display")
    target_item = ListItemSerializer(allow_null=True, help_text="合并或保留时对应的现行事项")

    class Meta:
        model = CleanupRecord
        fields = (
            "id",
            "item_code",
            "item_name",
            "department",
            "action",
            "action_label",
            "target_item",
            "decided_on",
            "legal_basis",
            "note",
        )


class ActionCountSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=CleanupAction.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class CleanupSummarySerializer(serializers.Serializer):
    before = serializers.IntegerField(help_text="清理前事项数（记录条数）")
    after = serializers.IntegerField(help_text="清理后事项数（合并、保留记录对应的现行事项数）")
    removed = serializers.IntegerField(help_text="减少的事项数")
    reduction_percent = serializers.DecimalField(
        max_digits=4, decimal_places=1, help_text="审减率（%）"
    )
    by_action = ActionCountSerializer(many=True)


# --- query parameters (documentation; parse_filters checks them) -----------------------------
class ListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        max_length=MAX_QUERY_LENGTH,
        help_text=f"关键词，空格分隔的每个词都须出现，最多 {MAX_QUERY_LENGTH} 个字",
    )
    department = serializers.CharField(required=False, help_text="部门编码；不存在的编码返回 400")
    format = serializers.ChoiceField(
        choices=[("json", "json"), *((f, f) for f in FORMATS)],
        required=False,
        help_text="csv 或 xlsx：按查询条件导出全部结果（不分页）",
    )


class SupervisionQuerySerializer(ListQuerySerializer):
    method = serializers.ChoiceField(
        choices=SupervisionMethod.choices, required=False, help_text="监管方式"
    )


class CleanupQuerySerializer(ListQuerySerializer):
    action = serializers.ChoiceField(
        choices=CleanupAction.choices, required=False, help_text="处理方式"
    )


# --- views ------------------------------------------------------------------------------------
def _list_responses(serializer: type[serializers.Serializer]) -> dict[Any, Any]:
    return {
        200: serializer(many=True),
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV（UTF-8，带 BOM）"),
        (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="Excel 工作簿"),
        **error_responses(400, 404, 429),
    }


class PublicListExportView(generics.ListAPIView):
    """A public list: a JSON page, or with ``format=csv|xlsx`` the whole filtered list as a
    file (docs/rules/lists.md §Q6)."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle]
    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer]
    table: exports.ExportTable
    with_actions = False
    with_methods = False

    def list_filters(self) -> ListFilters:
        filters = selectors.parse_filters(
            self.request.query_params, actions=self.with_actions, methods=self.with_methods
        )
        if filters.errors:
            raise exceptions.ValidationError({k: [v] for k, v in filters.errors.items()})
        return filters

    def select(self, filters: ListFilters) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        return self.select(self.list_filters())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        fmt = request.accepted_renderer.format
        if fmt in FORMATS:
            rows = self.get_queryset()
            table = self.table
            return export_response(
                fmt,
                filename=str(table.filename),
                columns=table.export_columns(),
                rows=table.rows(rows),
            )
        return super().list(request, *args, **kwargs)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:  # ?format= naming no renderer
            raise exceptions.ValidationError(
                {"format": [_("格式只能是 json、csv 或 xlsx。")]}
            ) from None

    def handle_exception(self, exc: Exception) -> Response:
        # Errors are JSON whichever format was asked for.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


def _schema(operation_id: str, summary: str, query: type, serializer: type) -> Any:
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        parameters=[query],
        responses=_list_responses(serializer),
        tags=TAGS,
    )


class ResponsibilityList(PublicListExportView):
    """Departments' responsibilities (责任清单: 部门职责)."""

    serializer_class = ResponsibilitySerializer
    table = exports.RESPONSIBILITIES

    def select(self, filters: ListFilters) -> QuerySet[Any]:
        return selectors.responsibilities(filters)

    @_schema(
        "lists_responsibilities",
        "责任清单：部门职责",
        ListQuerySerializer,
        ResponsibilitySerializer,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class AccountabilityList(PublicListExportView):
    """Items' duties, accountability cases and their basis (责任清单: 事项责任)."""

    serializer_class = AccountabilitySerializer
    table = exports.ACCOUNTABILITIES

    def select(self, filters: ListFilters) -> QuerySet[Any]:
        return selectors.accountabilities(filters)

    @_schema(
        "lists_accountabilities",
        "责任清单：事项责任与追责",
        ListQuerySerializer,
        AccountabilitySerializer,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class SupervisionMeasureList(PublicListExportView):
    """What is supervised after approval and how (监管清单); ``department`` matches the item's
    department or the supervising one."""

    serializer_class = SupervisionMeasureSerializer
    table = exports.SUPERVISION_MEASURES

    def select(self, filters: ListFilters) -> QuerySet[Any]:
        return selectors.supervision_measures(filters)

    with_methods = True

    @_schema(
        "lists_supervision_measures",
        "监管清单",
        SupervisionQuerySerializer,
        SupervisionMeasureSerializer,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class CleanupRecordList(PublicListExportView):
    """The items before the clean-up and what became of each (清理记录)."""

    serializer_class = CleanupRecordSerializer
    table = exports.CLEANUP

    def select(self, filters: ListFilters) -> QuerySet[Any]:
        return selectors.cleanup_records(filters)

    with_actions = True

    @_schema("lists_cleanup", "清理记录", CleanupQuerySerializer, CleanupRecordSerializer)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class CleanupSummaryView(APIView):
    """The clean-up in figures, counted from the records (docs/rules/lists.md §Q4)."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="lists_cleanup_summary",
        summary="清理记录汇总（337 项 → 92 项）",
        responses={200: CleanupSummarySerializer, **error_responses(429)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return Response(CleanupSummarySerializer(selectors.cleanup_summary()).data)


urlpatterns: list[URLPattern] = [
    path("lists/responsibilities/", ResponsibilityList.as_view(), name="lists-responsibilities"),
    path("lists/accountabilities/", AccountabilityList.as_view(), name="lists-accountabilities"),
    path(
        "lists/supervision-measures/",
        SupervisionMeasureList.as_view(),
        name="lists-supervision-measures",
    ),
    path("lists/cleanup/", CleanupRecordList.as_view(), name="lists-cleanup"),
    path("lists/cleanup/summary/", CleanupSummaryView.as_view(), name="lists-cleanup-summary"),
]
