"""``/api/v1/search/``: the guide search and 热门事项 (docs/rules/search.md), public and
throttled like the catalog API."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.api.body import request_query
from onewindow.api.schema import error_responses
from onewindow.api.throttling import AnonThrottle
from onewindow.search.selectors import item_usage_counts, popular_items, search_items

MAX_LIMIT = 50


class SearchQuerySerializer(serializers.Serializer):
    # No max_length: a longer query is cut to its first 100 characters (docs/rules/search.md §N1), not refused.
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        help_text="检索词：事项名称、俗称、关键词、拼音或拼音首字母，例如“办护照”“yyzz”",
    )
    department = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text="实施部门编码"
    )
    region = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text="区划代码"
    )
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_LIMIT, default=20, help_text="最多返回条数"
    )


class PopularQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_LIMIT, default=8, help_text="最多返回条数"
    )


class SearchItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="事项编码")
    name = serializers.CharField(help_text="事项名称")
    department = serializers.CharField(help_text="实施部门")
    url = serializers.CharField(help_text="办事指南详情（API）")
    page_url = serializers.CharField(help_text="办事指南页面")


class SearchHitSerializer(SearchItemSerializer):
    score = serializers.FloatField(help_text="得分：相关度加办件量")
    matched = serializers.CharField(
        help_text="最强的匹配：name/alias/keyword/synonym/pinyin/fuzzy/code/department/term"
    )


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField(help_text="检索词（超过 100 个字时只取前 100 个字）")
    words = serializers.ListField(child=serializers.CharField(), help_text="去掉虚词后的检索词")
    truncated = serializers.BooleanField(help_text="检索词是否被截短")
    count = serializers.IntegerField(help_text="找到的事项数")
    results = SearchHitSerializer(many=True)
    suggestions = SearchItemSerializer(many=True, help_text="没有结果时最接近的事项")
    suggestions_popular = serializers.BooleanField(help_text="建议是否为热门事项")


class PopularItemSerializer(SearchItemSerializer):
    applications = serializers.IntegerField(help_text="已提交的申请数")


def _item(request: Request, code: str, name: str, department: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "department": department,
        "url": request.build_absolute_uri(reverse("api:catalog-item-detail", args=[code])),
        "page_url": request.build_absolute_uri(reverse("portal:guide_detail", args=[code])),
    }


class PublicView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle]
    renderer_classes = [JSONRenderer]


class SearchItems(PublicView):
    @extend_schema(
        operation_id="search_items",
        summary="检索办事指南（中文分词、俗称、同义词、拼音、错字容错）",
        parameters=[SearchQuerySerializer],
        responses={200: SearchResponseSerializer, **error_responses(400, 429)},
        tags=["search"],
    )
    def get(self, request: Request) -> Response:
        query = request_query(SearchQuerySerializer, request)
        result = search_items(
            query=query.get("q", ""),
            department_code=query.get("department", ""),
            region_code=query.get("region", ""),
        )
        hits = result.hits[: query["limit"]]
        body = {
            "query": result.query,
            "words": [word.core for word in result.analysis.words],
            "truncated": result.truncated,
            "count": len(result.hits),
            "results": [
                {
                    **_item(request, h.entry.code, h.entry.name, h.entry.department_name),
                    "score": round(h.score, 2),
                    "matched": h.how,
                }
                for h in hits
            ],
            "suggestions": [
                _item(request, e.code, e.name, e.department_name) for e in result.suggestions
            ],
            "suggestions_popular": result.suggestions_popular,
        }
        return Response(body)


class PopularItems(PublicView):
    @extend_schema(
        operation_id="search_popular",
        summary="热门事项（按已提交的申请数）",
        parameters=[PopularQuerySerializer],
        responses={200: PopularItemSerializer(many=True), **error_responses(400, 429)},
        tags=["search"],
    )
    def get(self, request: Request) -> Response:
        query = request_query(PopularQuerySerializer, request)
        versions = popular_items(limit=query["limit"])
        counts = item_usage_counts([v.item_id for v in versions])
        return Response(
            [
                {
                    **_item(request, v.item.code, v.name, v.item.department.name),
                    "applications": counts[v.item_id],
                }
                for v in versions
            ]
        )


urlpatterns: list[URLPattern] = [
    path("search/items/", SearchItems.as_view(), name="search-items"),
    path("search/popular/", PopularItems.as_view(), name="search-popular"),
]
