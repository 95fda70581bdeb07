"""Public pages of the online hall (docs/product.md §C1): guides, form downloads, power and fee
lists."""

from __future__ import annotations

import mimetypes
from pathlib import PurePath
from typing import Any, Literal

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onewindow.agencies import selectors as agency_selectors
from onewindow.bundles.selectors import themes_by_life_event
from onewindow.catalog.delegation import district_guides
from onewindow.catalog.models import ItemVersion, Material, ProcessBranch, VersionStatus
from onewindow.catalog.process import process_flowchart, process_view
from onewindow.catalog.selectors import published_guide
from onewindow.consult.selectors import faq_for_item
from onewindow.core.export import export_response
from onewindow.lib.flowchart import render_svg
from onewindow.lists import exports as lists_exports
from onewindow.portal import selectors
from onewindow.portal.navigation import hall_columns
from onewindow.search.selectors import SearchResult, popular_items, search_items

GUIDES_PER_PAGE = 20


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "columns": [c for c in hall_columns(path=request.path, user=request.user) if not c.current],
        "figures": selectors.hall_figures(),
        "popular": popular_items(),
        "departments": selectors.departments_with_guide_counts(),
        # Themes as life events (docs/rules/bundles.md §R1).
        "life_events": themes_by_life_event(),
    }
    return render(request, "portal/home.html", context)


@require_GET
def guide_list(request: HttpRequest) -> HttpResponse:
    """The guide list; a keyword goes through the guide search (docs/rules/search.md), ranked
    by relevance and usage, with the nearest items when nothing matches."""
    query = request.GET.get("q", "").strip()
    department = request.GET.get("department", "").strip()
    region = request.GET.get("region", "").strip()
    search: SearchResult | None = None
    if query:
        search = search_items(query=query, department_code=department, region_code=region)
        page = _ranked_page(request, search.version_ids)
    else:
        rows = selectors.guide_rows(query="", department_code=department, region_code=region)
        page = _page(request, rows)
    context = {
        "page": page,
        "query": search.query if search else "",
        "search": search,
        "department": department,
        "region": region,
        "filtered": bool(query or department or region),
        "departments": selectors.department_choices(),
        "regions": selectors.region_choices(),
    }
    return render(request, "portal/guide_list.html", context)


def _page(request: HttpRequest, versions: QuerySet[ItemVersion]) -> Page[ItemVersion]:
    paginator = Paginator(versions, GUIDES_PER_PAGE)
    return paginator.get_page(request.GET.get("page"))


def _ranked_page(request: HttpRequest, version_ids: list[int]) -> Page[Any]:
    """A page of the ranked ids, its rows loaded in one query and kept in rank order."""
    page = Paginator(version_ids, GUIDES_PER_PAGE).get_page(request.GET.get("page"))
    # The template reads rows, not ids: the page's list is swapped for the loaded rows.
    page.object_list = selectors.guide_rows_in_order(list(page.object_list))  # type: ignore[assignment]
    return page


@require_GET
def guide_detail(request: HttpRequest, code: str) -> HttpResponse:
    version = _guide_with_process(code)
    context = {
        "version": version,
        "item": version.item,
        "tolerance_allowance": selectors.tolerance_allowance(category=version.tolerance_category),
        "process": process_view(version),
        # render_svg escapes every text it draws: safe to inline.
        "flowchart_svg": mark_safe(render_svg(process_flowchart(version))),
        # docs/rules/consultation.md §K2: the item's published questions (masked public texts).
        "faq": faq_for_item(version.item),
        # docs/rules/delegation.md §V5: each deviating district's version of the lists.
        "district_guides": district_guides(version),
        # docs/rules/agencies.md §I1: the intermediary services the item requires by law.
        "agency_requirements": list(agency_selectors.requirements_of_item(version.item_id)),
    }
    return render(request, "portal/guide_detail.html", context)


def _guide_with_process(code: str) -> ItemVersion:
    version = published_guide(code=code)
    if version is None:
        raise Http404(_("没有找到该事项的办事指南。"))
    branches = ProcessBranch.objects.select_related("department")
    prefetch_related_objects([version], Prefetch("process_branches", queryset=branches))
    return version


@require_GET
def guide_flowchart(request: HttpRequest, code: str) -> HttpResponse:
    """The published guide's 审批流程图 as an SVG file to download or print."""
    version = _guide_with_process(code)
    response = HttpResponse(
        render_svg(process_flowchart(version)), content_type="image/svg+xml; charset=utf-8"
    )
    filename = f"{version.item.code}-审批流程图.svg"
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    # An SVG opened on its own is a document: it may run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_GET
def material_download(
    request: HttpRequest, code: str, material_id: int, kind: Literal["form", "sample"]
) -> FileResponse:
    """A blank form or sample of a published checklist line, never a draft's file
    (docs/product.md §C1)."""
    material = (
        Material.objects.filter(
            pk=material_id, version__status=VersionStatus.PUBLISHED, version__item__code=code
        )
        .only("name", "form_template", "sample")
        .first()
    )
    if material is None:
        raise Http404(_("没有找到该材料。"))
    field = material.form_template if kind == "form" else material.sample
    suffix = "" if kind == "form" else _("（示例样表）")
    return _attachment(field, f"{material.name}{suffix}")


def _attachment(field: FieldFile, title: str) -> FileResponse:
    if not field:
        raise Http404(_("该材料没有可下载的文件。"))
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404(_("该材料没有可下载的文件。")) from None
    extension = PurePath(field.name or "").suffix.lower()
    filename = f"{title}{extension}"
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context = {"materials": selectors.downloadable_materials(query=query), "query": query}
    return render(request, "portal/form_list.html", context)


@require_GET
def power_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/power_list.html", {"versions": selectors.power_list()})


@require_GET
def fee_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/fee_list.html", {"fees": selectors.fee_list()})


@require_GET
def power_list_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    """The power list as a CSV or Excel file (docs/rules/lists.md §Q6)."""
    table = lists_exports.POWER
    return export_response(
        fmt,
        filename=str(table.filename),
        columns=table.export_columns(),
        rows=table.rows(selectors.power_list()),
    )


@require_GET
def fee_list_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    """The fee list as a CSV or Excel file (docs/rules/lists.md §Q6)."""
    table = lists_exports.FEE
    return export_response(
        fmt,
        filename=str(table.filename),
        columns=table.export_columns(),
        rows=table.rows(selectors.fee_list()),
    )
