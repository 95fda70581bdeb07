"""Page-number pagination (``page``, ``page_size`` ≤ 200) that says clearly what was wrong.

DRF answers ``page=abc`` with 404 "Invalid page." and silently ignores ``page_size=-1``; here a
malformed value is a 400 naming the parameter, and a page past the end is a 404 that says how
many pages there are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

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
