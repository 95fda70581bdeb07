"""The public list pages (docs/rules/lists.md §Q1–§Q6): 责任清单, 监管清单 and 清理记录, each
searchable, filtered, paged and exportable as CSV or Excel, and the index of all the lists."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onewindow.core.export import export_response
from onewindow.lists import exports, selectors
from onewindow.lists.models import CleanupAction, SupervisionMethod
from onewindow.lists.selectors import ListFilters

PER_PAGE = 20
# docs/rules/lists.md §Q5: page numbers longer than this are past any last page.
_MAX_PAGE_DIGITS = 12


def page_of(request: HttpRequest, rows: QuerySet[Any]) -> tuple[Page[Any], str]:
    """The page ``?page=`` asks for and a notice when the number was not usable: not a positive
    whole number → the first page; past the end → the last (docs/rules/lists.md §Q5)."""
    paginator = Paginator(rows, PER_PAGE)
    raw = request.GET.get("page", "").strip()
    if not raw:
        return paginator.page(1), ""
    if not (raw.isascii() and raw.isdigit()) or not raw.lstrip("0"):
        return paginator.page(1), _("页码“%(page)s”无效，已显示第 1 页。") % {"page": raw[:20]}
    digits = raw.lstrip("0")
    number = paginator.num_pages + 1 if len(digits) > _MAX_PAGE_DIGITS else int(digits)
    if number > paginator.num_pages:
        last = paginator.num_pages
        notice = _("页码超出范围：共 %(pages)d 页，已显示最后一页。") % {"pages": last}
        return paginator.page(last), notice
    return paginator.page(number), ""


def _context(
    request: HttpRequest, rows: QuerySet[Any], filters: ListFilters, **extra: Any
) -> dict[str, Any]:
    page, page_notice = page_of(request, rows)
    return {
        "page": page,
        "page_notice": page_notice,
        "filters": filters,
        "errors": list(filters.errors.values()),
        "departments": selectors.department_choices(),
        "export_query": _export_query(request),
        **extra,
    }


def _export_query(request: HttpRequest) -> str:
    """The filters of the page, for its export links (the page number is not one)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _status(filters: ListFilters) -> int:
    return 400 if filters.errors else 200


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """清单公开: the five public lists and the clean-up in figures."""
    return render(request, "lists/index.html", {"summary": selectors.cleanup_summary()})


@require_GET
def responsibilities(request: HttpRequest) -> HttpResponse:
    """责任清单, items' duties and accountability (docs/rules/lists.md §Q1)."""
    filters = selectors.parse_filters(request.GET)
    context = _context(request, selectors.accountabilities(filters), filters, tab="items")
    return render(request, "lists/responsibilities.html", context, status=_status(filters))


@require_GET
def department_responsibilities(request: HttpRequest) -> HttpResponse:
    """责任清单, departments' responsibilities (docs/rules/lists.md §Q1)."""
    filters = selectors.parse_filters(request.GET)
    context = _context(request, selectors.responsibilities(filters), filters, tab="departments")
    return render(
        request, "lists/department_responsibilities.html", context, status=_status(filters)
    )


@require_GET
def supervision(request: HttpRequest) -> HttpResponse:
    """监管清单 (docs/rules/lists.md §Q2)."""
    filters = selectors.parse_filters(request.GET, methods=True)
    context = _context(
        request,
        selectors.supervision_measures(filters),
        filters,
        methods=SupervisionMethod.choices,
    )
    return render(request, "lists/supervision.html", context, status=_status(filters))


@require_GET
def cleanup(request: HttpRequest) -> HttpResponse:
    """清理记录 and its summary (docs/rules/lists.md §Q3, §Q4)."""
    filters = selectors.parse_filters(request.GET, actions=True)
    context = _context(
        request,
        selectors.cleanup_records(filters),
        filters,
        actions=CleanupAction.choices,
        summary=selectors.cleanup_summary(),
    )
    return render(request, "lists/cleanup.html", context, status=_status(filters))


def _export(
    request: HttpRequest, fmt: str, table: exports.ExportTable, filters: ListFilters, rows: Any
) -> HttpResponse | StreamingHttpResponse:
    """The filtered list as a file; refused filters are a 400 page saying why
    (docs/rules/lists.md §Q6)."""
    if filters.errors:
        context = {"errors": list(filters.errors.values())}
        return render(request, "lists/export_refused.html", context, status=400)
    return export_response(
        fmt,
        filename=str(table.filename),
        columns=table.export_columns(),
        rows=table.rows(rows),
    )


@require_GET
def responsibilities_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    filters = selectors.parse_filters(request.GET)
    rows = selectors.accountabilities(filters)
    return _export(request, fmt, exports.ACCOUNTABILITIES, filters, rows)


@require_GET
def department_responsibilities_export(
    request: HttpRequest, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    filters = selectors.parse_filters(request.GET)
    rows = selectors.responsibilities(filters)
    return _export(request, fmt, exports.RESPONSIBILITIES, filters, rows)


@require_GET
def supervision_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    filters = selectors.parse_filters(request.GET, methods=True)
    rows = selectors.supervision_measures(filters)
    return _export(request, fmt, exports.SUPERVISION_MEASURES, filters, rows)


@require_GET
def cleanup_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    filters = selectors.parse_filters(request.GET, actions=True)
    rows = selectors.cleanup_records(filters)
    return _export(request, fmt, exports.CLEANUP, filters, rows)
