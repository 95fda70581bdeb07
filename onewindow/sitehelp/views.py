"""Pages of the site's help (docs/rules/publicity.md §L5–§L8): help pages, links, the error
report form and the administrators' list of reports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.core.errors import Invalid
from onewindow.core.ratelimit import client_address
from onewindow.sitehelp import selectors, services
from onewindow.sitehelp.errors import TooManyReports
from onewindow.sitehelp.forms import ErrorReportForm, HandleForm
from onewindow.sitehelp.models import Audience, ErrorReport

REPORTS_PER_PAGE = 30


@require_GET
def help_list(request: HttpRequest) -> HttpResponse:
    pages = list(selectors.help_pages())
    groups = [
        (label, [p for p in pages if p.audience == value]) for value, label in Audience.choices
    ]
    return render(
        request, "sitehelp/help_list.html", {"groups": [(label, ps) for label, ps in groups if ps]}
    )


@require_GET
def help_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.help_page(slug)
    if page is None:
        raise Http404
    return render(
        request,
        "sitehelp/help_detail.html",
        {"page": page, "others": selectors.help_pages().exclude(pk=page.pk)},
    )


@require_GET
def link_list(request: HttpRequest) -> HttpResponse:
    return render(request, "sitehelp/links.html", {"groups": selectors.links_by_category()})


def _referring_path(request: HttpRequest) -> str:
    asked = request.GET.get("page", "")
    return asked[:500] if asked.startswith("/") and not asked.startswith("//") else ""


@require_http_methods(["GET", "POST"])
def error_report(request: HttpRequest) -> HttpResponse:
    """网站找错: anyone may report; at most ERROR_REPORT_PER_MINUTE a minute per address."""
    if request.method != "POST":
        form = ErrorReportForm(initial={"page_url": _referring_path(request)})
        return render(request, "sitehelp/error_report.html", {"form": form})
    form = ErrorReportForm(request.POST)
    form.is_valid()  # the form's own messages for the page; the service decides
    try:
        services.error_report_rate_spend(client_address(request))
        services.error_report_submit(
            page_url=request.POST.get("page_url", ""),
            description=request.POST.get("description", ""),
            contact=request.POST.get("contact", ""),
            user=request.user,
            ip=client_address(request),
        )
    except TooManyReports as err:
        return render(
            request, "sitehelp/error_report.html", {"form": form, "error": err.message}, status=429
        )
    except Invalid as err:
        _errors_on(form, err.errors)
        return render(request, "sitehelp/error_report.html", {"form": form}, status=400)
    messages.success(request, _("感谢您的反馈，我们已收到您的报告，将尽快核实处理。"))
    return redirect("sitehelp:error_report")


def _errors_on(form: Any, errors: dict[str, list[str]]) -> None:
    for field, texts in errors.items():
        name = field if field in form.fields else None
        for text in texts:
            if name is None or text not in form.errors.get(name, []):
                if name is not None and form.errors.get(name):
                    continue  # the form already says what is wrong with this field
                form.add_error(name, text)


@require_GET
def error_report_list(request: HttpRequest) -> HttpResponse:
    """The administrators' list of error reports (workbench)."""
    show = request.GET.get("show", "open")
    handled = {"open": False, "handled": True}.get(show)
    reports = selectors.error_reports_for(request, handled=handled)
    page = Paginator(reports, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "sitehelp/error_report_list.html",
        {"page": page, "reports": page.object_list, "show": show, "form": HandleForm()},
    )


@require_POST
def error_report_handle(request: HttpRequest, report_id: int) -> HttpResponse:
    selectors.error_reports_for(request)  # the permission check (404 + log)
    report = get_object_or_404(ErrorReport, pk=report_id)
    try:
        services.error_report_handle(report=report, note=request.POST.get("note", ""))
    except Invalid as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("已标记为已处理。"))
    return redirect("sitehelp:error_reports")
