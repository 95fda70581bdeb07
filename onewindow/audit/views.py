"""The audit administrator's pages (docs/rules/audit.md §Z11): every recorded staff view of a
case, searched by case number, account, unit, what was viewed and dates."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from onewindow.accounts.roles import Perm, has_perm, role_label
from onewindow.audit.access import (
    ORDER,
    AccessFilters,
    AccessSearchInvalid,
    accesses_search,
    filters_parse,
)
from onewindow.audit.models import AccessKind
from onewindow.core.access import deny
from onewindow.core.pagination import count_bounded, count_label, keyset_page_html

PAGE_SIZE = 50


def require_auditor(request: HttpRequest) -> None:
    """The audit administrator only; anyone else gets a logged 404."""
    if not has_perm(request.user, Perm.AUDIT_READ):
        raise deny(request, target="audit:accesses", reason="not an audit administrator")


@login_required
@require_GET
def accesses(request: HttpRequest) -> HttpResponse:
    require_auditor(request)
    error, field = "", ""
    try:
        filters = filters_parse(request.GET)
    except AccessSearchInvalid as exc:
        error, field, filters = str(exc), exc.field, AccessFilters()
    found = accesses_search(filters)
    page = keyset_page_html(found, ORDER, cursor=request.GET.get("cursor"), size=PAGE_SIZE)
    rows = [(access, role_label(access.role)) for access in page.rows]
    return render(
        request,
        "audit/accesses.html",
        {
            "filters": filters,
            "raw": request.GET,
            "error": error,
            "error_field": field,
            "page": page,
            "rows": rows,
            "total": count_label(count_bounded(found)),
            "kinds": AccessKind.choices,
        },
        status=400 if error else 200,
    )


urlpatterns: list[URLPattern] = [
    path("audit/accesses/", accesses, name="accesses"),
]
