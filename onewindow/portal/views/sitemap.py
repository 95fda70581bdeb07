"""网站地图 (docs/rules/publicity.md §L7): every public column of the online hall, built from the
one list in ``portal.navigation``, with the help pages under 用户帮助."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from onewindow.portal.navigation import site_map_columns
from onewindow.sitehelp.selectors import help_pages


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/sitemap.html",
        {
            "columns": site_map_columns(),
            "help_pages": list(help_pages()),
            "help_url": reverse("sitehelp:help_list"),
        },
    )
