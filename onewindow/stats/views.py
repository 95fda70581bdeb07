"""Statistics pages (办件统计, docs/rules/statistics.md §M6, docs/rules/statistics.md §M7).

- ``stats:public`` (/stats/): the public figures, each chart followed by its data table;
- ``stats:dashboard`` (/stats/dashboard/): the staff dashboard (own department for department
  staff, every department for supervisors and administrators), with the stage view;
- ``stats:item_stages`` (/stats/items/<id>/stages/): one item, stage by stage.

Each table downloads as CSV or Excel with ``?export=csv|xlsx&table=<name>`` and the same filters.
A bad filter shows its Chinese message (400) and no figures; refused access is a logged 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from onewindow.catalog.models import Department, Item, ItemVersion, Region, VersionStatus
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.stats import selectors as sel
from onewindow.stats.charts import chart_svg
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

MONTHS = list(range(1, 13))


def _options(request: HttpRequest, *, department_id: int | None = None) -> dict[str, Any]:
    """The choices of the filter form."""
    departments = Department.objects.filter(is_active=True)
    items = ItemVersion.objects.filter(status=VersionStatus.PUBLISHED)
    if department_id is not None:
        departments = departments.filter(pk=department_id)
        items = items.filter(item__department_id=department_id)
    year = clock.today().year
    return {
        "departments": list(departments.values_list("pk", "name")),
        "items": list(items.order_by("item__sort", "item__code").values_list("item_id", "name")),
        "regions": list(Region.objects.values_list("pk", "name")),
        "years": list(range(year, year - 6, -1)),
        "months": MONTHS,
        "chosen": {k: request.GET.get(k, "") for k in PARAMS},
    }


def _export(request: HttpRequest, tables: list[Table]) -> HttpResponse | None:
    """The download asked for, or None when the request is not an export."""
    fmt = request.GET.get("export")
    if fmt is None:
        return None
    name = request.GET.get("table", "")
    chosen = next((t for t in tables if t.name == name), None)
    if fmt not in FORMATS or chosen is None:
        raise StatsInvalid(
            {"export": [_("导出格式只能是 csv 或 xlsx，并须指明存在的表格（table）。")]}
        )
    return export_response(chosen, fmt, export_name(chosen, clock.today()))


def _charted(request: HttpRequest, tables: list[Table], filters: Filters) -> list[dict[str, Any]]:
    lazy = getattr(request, "csp_nonce", None)  # django-csp: false until first evaluated
    nonce = str(lazy) if lazy is not None else ""
    query = filters.params()
    return [
        {
            "table": table,
            "svg": chart_svg(table, nonce=nonce),
            "csv": "?" + urlencode({**query, "export": "csv", "table": table.name}),
            "xlsx": "?" + urlencode({**query, "export": "xlsx", "table": table.name}),
        }
        for table in tables
    ]


def _page(
    request: HttpRequest,
    template: str,
    build: Any,
    *,
    department_id: int | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {**(extra or {}), **_options(request, department_id=department_id)}
    try:
        filters = filters_parse(request.GET)
        stats, tables = build(filters)
        download = _export(request, tables)
        if download is not None:
            return download
    except StatsInvalid as err:
        context["errors"] = [m for messages in err.errors.values() for m in messages]
        return render(request, template, context, status=400)
    context.update(stats=stats, sections=_charted(request, tables, stats.filters))
    return render(request, template, context)


def public(request: HttpRequest) -> HttpResponse:
    def build(filters: Filters) -> tuple[Stats, list[Table]]:
        stats = sel.public_figures_of(filters)
        return stats, public_tables(stats)

    return _page(request, "stats/public.html", build)


def _scope(request: HttpRequest, filters: Filters) -> Filters:
    try:
        return sel.dashboard_scope(request.user, filters)
    except StatsForbidden as err:
        raise deny(request, target=err.target, reason=err.message) from None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not sel.may_view_dashboard(request.user):
        raise deny(request, target="stats:dashboard", reason="no statistics permission")

    def build(filters: Filters) -> tuple[Stats, list[Table]]:
        stats = sel.dashboard_figures_of(request.user, _scope(request, filters))
        return stats, dashboard_tables(stats)

    own = None if sel.sees_all(request.user) else request.user.department_id  # type: ignore[union-attr]
    return _page(request, "stats/dashboard.html", build, department_id=own)


@login_required
def item_stages(request: HttpRequest, item_id: int) -> HttpResponse:
    if not sel.may_view_dashboard(request.user):
        raise deny(request, target=f"stats item {item_id}", reason="no statistics permission")
    item = Item.objects.filter(pk=item_id).select_related("published_version").first()
    if item is None:
        raise deny(request, target=f"stats item {item_id}", reason="no such item")

    def build(filters: Filters) -> tuple[Stats, list[Table]]:
        scoped = Filters(
            filters.start, filters.end, None, item_id, filters.region_id, filters.region_ids
        )
        stats = sel.dashboard_figures_of(request.user, _scope(request, scoped))
        return stats, item_stage_tables(stats, item_id)

    version = item.published_version
    own = None if sel.sees_all(request.user) else request.user.department_id  # type: ignore[union-attr]
    return _page(
        request,
        "stats/item_stages.html",
        build,
        department_id=own,
        extra={"item": item, "item_name": version.name if version else item.code},
    )


urlpatterns: list[URLPattern] = [
    path("stats/", public, name="public"),
    path("stats/dashboard/", dashboard, name="dashboard"),
    path("stats/items/<id:item_id>/stages/", item_stages, name="item_stages"),
]
