"""The progress query (进度查询) and the applicant's dashboard (我的办件), docs/product.md §C9.

The read side is ``portal.progress``; the API of the same query is ``portal.api``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from onewindow.cases import selectors as case_selectors
from onewindow.cases.selectors.application import APPLICANT_ORDER
from onewindow.core.pagination import keyset_page_html
from onewindow.core.ratelimit import client_address
from onewindow.portal.progress import (
    CLOSED,
    NOT_FOUND,
    dashboard_cases,
    dashboard_rows,
    progress_lookup,
    progress_rate_spend,
    progress_report,
    url_or_none,
)


class ProgressQueryForm(forms.Form):
    # No length limits here: a too-long number is just another number that is not found.
    number = forms.CharField(label=gettext_lazy("办件编号"), strip=True)
    code = forms.CharField(label=gettext_lazy("查询码"), strip=True)


@never_cache
@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest) -> HttpResponse:
    """The public look-up; also answers ``?number=&code=`` (the QR code on every notice)."""
    data = request.POST if request.method == "POST" else request.GET
    asked = "number" in data or "code" in data
    form = ProgressQueryForm(data if asked else None)
    context: dict[str, Any] = {"form": form, "report": None, "error": ""}
    if not asked or not form.is_valid():
        return render(request, "portal/progress/query.html", context)
    wait = progress_rate_spend(client_address(request))
    if wait:
        context["error"] = _("查询过于频繁，请在 %(s)d 秒后再试。") % {"s": wait}
        return render(request, "portal/progress/query.html", context, status=429)
    case = progress_lookup(number=form.cleaned_data["number"], code=form.cleaned_data["code"])
    if case is None:
        context["error"] = str(NOT_FOUND)  # a search without result: the page itself is fine
        return render(request, "portal/progress/query.html", context)
    context["report"] = progress_report(case)
    return render(request, "portal/progress/query.html", context)


@login_required
@require_http_methods(["GET"])
def my_cases(request: HttpRequest) -> HttpResponse:
    """我的办件: every case of the signed-in applicant (or agent) and what each needs from them."""
    # docs/rules/scale.md §Y2: previous/next by cursor, no page count (it would count every case).
    page = keyset_page_html(
        dashboard_cases(request.user), APPLICANT_ORDER, cursor=request.GET.get("cursor"), size=20
    )
    context = {
        "page": page,
        "rows": dashboard_rows(page.rows),
        "commitments": list(case_selectors.open_commitments_for_applicant(request.user)),
        "apply_url": url_or_none("cases:apply_home") or url_or_none("portal:guide_list"),
        "closed_statuses": [str(status) for status in CLOSED],
    }
    return render(request, "portal/progress/my_cases.html", context)
