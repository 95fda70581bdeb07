"""REST endpoints of the public catalog (docs/product.md §C1), included under /api/v1/.

Read-only and public; anonymous callers are throttled. Only published versions are ever shown.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer

from onewindow.api.body import request_query
from onewindow.api.schema import error_responses
from onewindow.api.throttling import AnonThrottle
from onewindow.catalog import selectors
from onewindow.catalog.models import (
    Department,
    ItemVersion,
    ProcessBranch,
    Region,
    VersionStatus,
)
from onewindow.catalog.serializers import (
    DepartmentSerializer,
    ItemDetailSerializer,
    ItemQuerySerializer,
    ItemSerializer,
    RegionDetailSerializer,
    RegionQuerySerializer,
    RegionSerializer,
)

# Longer than any code column (Item.code is 40): nothing to look up.
_MAX_CODE = 40


def _code_param(description: str) -> OpenApiParameter:
    return OpenApiParameter(
        "code", OpenApiTypes.STR, OpenApiParameter.PATH, description=description
    )


def _lookup_code(view: generics.GenericAPIView, message: str) -> str:
    """The path's code, or 404 before any query when it cannot be a code (too long, NUL)."""
    code: str = view.kwargs["code"]
    if len(code) > _MAX_CODE or "\x00" in code:
        raise exceptions.NotFound(message)
    return code


class PublicListView(generics.ListAPIView):
    """Public, read-only, JSON only; anonymous callers throttled per IP."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle]
    renderer_classes = [JSONRenderer]


class PublicDetailView(generics.RetrieveAPIView):
    """The same rules for one object."""

    permission_classes = PublicListView.permission_classes
    throttle_classes = PublicListView.throttle_classes
    renderer_classes = PublicListView.renderer_classes


def _departments() -> QuerySet[Department]:
    published = Q(items__versions__status=VersionStatus.PUBLISHED)
    # An aggregate drops Meta.ordering, hence the explicit order.
    return (
        selectors.active_departments()
        .annotate(published_item_count=Count("items__versions", filter=published))
        .order_by("sort", "code")
    )


@extend_schema_view(
    get=extend_schema(
        operation_id="catalog_departments_list",
        summary="部门列表",
        responses={200: DepartmentSerializer(many=True), **error_responses(400, 404, 429)},
        tags=["catalog"],
    )
)
class DepartmentList(PublicListView):
    """Active departments with the number of published items each implements."""

    serializer_class = DepartmentSerializer

    def get_queryset(self) -> QuerySet[Department]:
        return _departments()


@extend_schema_view(
    get=extend_schema(
        operation_id="catalog_departments_retrieve",
        summary="部门详情",
        parameters=[_code_param("部门编码")],
        responses={200: DepartmentSerializer, **error_responses(404, 429)},
        tags=["catalog"],
    )
)
class DepartmentDetail(PublicDetailView):
    """One active department."""

    serializer_class = DepartmentSerializer

    def get_object(self) -> Department:
        message = _("部门不存在。")
        department = _departments().filter(code=_lookup_code(self, message)).first()
        if department is None:
            raise exceptions.NotFound(message)
        return department


@extend_schema_view(
    get=extend_schema(
        operation_id="catalog_regions_list",
        summary="行政区域列表",
        parameters=[RegionQuerySerializer],
        responses={200: RegionSerializer(many=True), **error_responses(400, 404, 429)},
        tags=["catalog"],
    )
)
class RegionList(PublicListView):
    """The region tree as a flat list: city → districts and new areas → streets → communities."""

    serializer_class = RegionSerializer

    def get_queryset(self) -> QuerySet[Region]:
        query = request_query(RegionQuerySerializer, self.request)
        regions = Region.objects.select_related("parent")
        if query.get("level"):
            regions = regions.filter(level=query["level"])
        if query.get("parent"):
            regions = regions.filter(parent__code=query["parent"])
        return regions


@extend_schema_view(
    get=extend_schema(
        operation_id="catalog_regions_retrieve",
        summary="行政区域详情",
        parameters=[_code_param("区划代码")],
        responses={200: RegionDetailSerializer, **error_responses(404, 429)},
        tags=["catalog"],
    )
)
class RegionDetail(PublicDetailView):
    """One region with its direct children."""

    serializer_class = RegionDetailSerializer

    def get_object(self) -> Region:
        message = _("行政区域不存在。")
        region = (
            Region.objects.select_related("parent")
            .prefetch_related("children")
            .filter(code=_lookup_code(self, message))
            .first()
        )
        if region is None:
            raise exceptions.NotFound(message)
        return region


@extend_schema_view(
    get=extend_schema(
        operation_id="catalog_items_list",
        summary="事项列表（已发布）",
        parameters=[ItemQuerySerializer],
        responses={200: ItemSerializer(many=True), **error_responses(400, 404, 429)},
        tags=["catalog"],
    )
)
class ItemList(PublicListView):
    """Published items, found by the guide search (docs/rules/search.md §N1: words, synonyms,
    pinyin, one wrong character; best first), filtered by department and region."""

    serializer_class = ItemSerializer

    def get_queryset(self) -> QuerySet[ItemVersion]:
        query = request_query(ItemQuerySerializer, self.request)
        return selectors.guide_search_ranked(
            query=query.get("q", ""),
            department_code=query.get("department", ""),
            region_code=query.get("region", ""),
        )


@extend_schema_view(
    get=extend_schema(
        operation_id="catalog_items_retrieve",
        summary="办事指南",
        parameters=[_code_param("事项编码")],
        responses={200: ItemDetailSerializer, **error_responses(404, 429)},
        tags=["catalog"],
    )
)
class ItemDetail(PublicDetailView):
    """The service guide of an item's published version."""

    serializer_class = ItemDetailSerializer

    def get_object(self) -> ItemVersion:
        message = _("事项不存在或尚未发布。")
        version = selectors.published_guide(code=_lookup_code(self, message))
        if version is None:
            raise exceptions.NotFound(message)
        branches = ProcessBranch.objects.select_related("department")
        prefetch_related_objects([version], Prefetch("process_branches", queryset=branches))
        return version


urlpatterns: list[URLPattern] = [
    path("departments/", DepartmentList.as_view(), name="catalog-department-list"),
    path("departments/<str:code>/", DepartmentDetail.as_view(), name="catalog-department-detail"),
    path("regions/", RegionList.as_view(), name="catalog-region-list"),
    path("regions/<str:code>/", RegionDetail.as_view(), name="catalog-region-detail"),
    path("items/", ItemList.as_view(), name="catalog-item-list"),
    path("items/<str:code>/", ItemDetail.as_view(), name="catalog-item-detail"),
]
