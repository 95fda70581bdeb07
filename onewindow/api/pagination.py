"""Page-number pagination (``page``, ``page_size`` ≤ 200) that says clearly what was wrong.

DRF answers ``page=abc`` with 404 "Invalid page." and silently ignores ``page_size=-1``; here a
malformed value is a 400 naming the parameter, and a page past the end is a 404 that says how
many pages there are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from onewindow.core.pagination import (
    COUNT_LIMIT,
    CursorError,
    Key,
    count_bounded,
    keyset_page,
)

# Longer digit strings are read as this (past any last page, above any page size) rather than
# handed to int(), which refuses more than 4300 digits.
_MAX_DIGITS = 12
_HUGE = 10**_MAX_DIGITS


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param, "").strip()
        if not raw:
            return self.page_size
        number = _positive_int(raw)
        if number is None:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("每页条数必须是 1 到 %(max)d 之间的整数。") % {"max": self.max_page_size}
                    ]
                }
            )
        return min(number, self.max_page_size)

    def get_page_number(self, request: Request, paginator: Paginator) -> int:  # type: ignore[override]
        raw = request.query_params.get(self.page_query_param, "").strip()
        if not raw:
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        number = _positive_int(raw)
        if number is None:
            raise ValidationError({self.page_query_param: [_("页码必须是正整数。")]})
        if number > paginator.num_pages:
            raise NotFound(_("页码超出范围：共 %(pages)d 页。") % {"pages": paginator.num_pages})
        return number

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "页码，从 1 开始",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"每页条数，默认 {self.page_size}，大于 {self.max_page_size} 按 "
                f"{self.max_page_size} 计",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


def paginated(
    request: Request,
    view: Any,
    items: Any,
    serializer_class: type[serializers.Serializer],
    row: Callable[[Any], Any] | None = None,
) -> Response:
    """The page of ``items`` (a queryset, or anything with len() and slices) the request asks
    for, each turned into a ``row`` (the item itself by default) and serialized as
    ``{count, next, previous, results}``."""
    paginator = Pagination()
    page: list[Any] | None = paginator.paginate_queryset(items, request, view=view)
    rows = [row(item) if row else item for item in page or []]
    return paginator.get_paginated_response(serializer_class(rows, many=True).data)


def _positive_int(raw: str) -> int | None:
    if not raw.isascii() or not raw.isdigit():
        return None
    digits = raw.lstrip("0")
    if not digits:
        return None
    return _HUGE if len(digits) > _MAX_DIGITS else int(digits)


# --- keyset pages for the lists a province reads every minute ------------------------------------
# Deepest ``page=N`` still served by skipping rows (docs/rules/scale.md §Y2): past it, a client
# follows the ``next`` links (a cursor), which cost the same at any depth.
MAX_OFFSET_ROWS = 10_000


class KeysetPagination(Pagination):
    """``{count, count_capped, next, previous, results}`` where ``next``/``previous`` carry a
    ``cursor`` and ``count`` is bounded (docs/rules/scale.md §Y3): at most
    ``COUNT_LIMIT``, with ``count_capped`` true when the list is longer. ``page=N`` keeps working
    for the first ``MAX_OFFSET_ROWS`` rows (old clients); a bad cursor is a 400."""

    cursor_query_param = "cursor"

    def paginate_keyset(
        self, queryset: Any, ordering: Sequence[str | Key], request: Request
    ) -> list[Any]:
        self.request = request
        size = self.get_page_size(request)
        raw_cursor = request.query_params.get(self.cursor_query_param, "").strip()
        offset = 0
        raw_page = request.query_params.get(self.page_query_param, "").strip()
        if raw_page and not raw_cursor:
            number = _positive_int(raw_page)
            if number is None:
                raise ValidationError({self.page_query_param: [_("页码必须是正整数。")]})
            offset = (number - 1) * size
            if offset >= MAX_OFFSET_ROWS:
                raise ValidationError(
                    {
                        self.page_query_param: [
                            _("页码过大：前 %(rows)d 条之后请沿 next 链接（cursor 参数）翻页。")
                            % {"rows": MAX_OFFSET_ROWS}
                        ]
                    }
                )
        try:
            self.keyset = keyset_page(
                queryset, ordering, cursor=raw_cursor or None, size=size, offset=offset
            )
        except CursorError as exc:
            raise ValidationError({self.cursor_query_param: [str(exc)]}) from None
        if offset and not self.keyset.rows:
            raise NotFound(_("页码超出范围。"))
        self.total = count_bounded(queryset)
        return self.keyset.rows

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        assert self.request is not None  # set by paginate_keyset
        url = self.request.build_absolute_uri()
        url = remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": min(self.total, COUNT_LIMIT),
                "count_capped": self.total > COUNT_LIMIT,
                "next": self._link(self.keyset.next_cursor),
                "previous": self._link(self.keyset.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = (
            f"条数，最多计到 {COUNT_LIMIT}（count_capped 为 true 时实际更多）"
        )
        response["properties"]["count_capped"] = {
            "type": "boolean",
            "description": f"列表超过 {COUNT_LIMIT} 条",
        }
        for link in ("next", "previous"):
            response["properties"][link]["example"] = (
                f"http://api.example.org/items/?{self.cursor_query_param}=…"
            )
        return response

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        parameters[0]["description"] = (
            f"页码，从 1 开始；只用于前 {MAX_OFFSET_ROWS} 条，之后请沿 next 链接翻页"
        )
        cursor = {
            "name": self.cursor_query_param,
            "required": False,
            "in": "query",
            "description": "翻页游标：取自上一次回答的 next 或 previous 链接，不要自行构造",
            "schema": {"type": "string"},
        }
        return [cursor, *parameters]


def keyset_paginated(
    request: Request,
    view: Any,
    items: Any,
    ordering: Sequence[str | Key],
    serializer_class: type[serializers.Serializer],
    row: Callable[[Any], Any] | None = None,
    *,
    ready: bool = False,
) -> Response:
    """``paginated`` for a queryset read by keyset in ``ordering`` (``KeysetPagination``).
    ``ready``: ``row`` already answers what ``serializer_class`` would (JSON types, the same
    keys; a test of the caller's compares the two), so the serializer is not run."""
    paginator = KeysetPagination()
    page = paginator.paginate_keyset(items, ordering, request)
    rows = [row(item) if row else item for item in page]
    data = rows if ready and row else serializer_class(rows, many=True).data
    return paginator.get_paginated_response(data)
