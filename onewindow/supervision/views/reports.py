"""Situation report pages (情况通报, docs/rules/supervision.md §D9).

The archive (by period kind and year), a form for supervisors to request a report of a recent
period, the report as HTML (the same tables as the PDF, ``pdf.reports.report_sections``) with a
progress indicator while it is generated, a small JSON status for the indicator's script, and
the PDF download. Who reads what: ``reports.reports_for`` / ``reports.report_get``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.models import User
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.lib.ids import parse_id
from onewindow.supervision.models import PeriodKind, ReportStatus, SituationReport
from onewindow.supervision.pdf.reports import (
    Section,
    period_label,
    period_text,
    report_notes,
    report_response,
    report_sections,
)
from onewindow.supervision.services import reports

WORKING = (ReportStatus.PENDING, ReportStatus.RUNNING)


def _period_options(today: dt.date) -> list[dict[str, Any]]:
    """The request form's select: recent months and quarters, grouped by kind."""
    groups: dict[str, list[tuple[str, str]]] = {kind: [] for kind in PeriodKind.values}
    for kind, start in reports.period_choices(today):
        groups[kind].append((f"{kind}:{start.isoformat()}", period_label(kind, start)))
    return [
        {"label": PeriodKind(kind).label, "options": options} for kind, options in groups.items()
    ]


def _parse_period(raw: str) -> tuple[str, dt.date] | None:
    kind, _sep, day = raw.partition(":")
    if kind not in PeriodKind.values:
        return None
    try:
        return kind, dt.date.fromisoformat(day)
    except ValueError:
        return None


def _list_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    kind = request.GET.get("kind", "")
    if kind not in PeriodKind.values:
        kind = ""
    raw_year = request.GET.get("year", "")
    year = parse_id(raw_year)
    if year is not None and not 1 <= year <= 9999:
        year = None
    rows = reports.reports_for(request, kind=kind, year=year)
    supervisor = reports.may_request_reports(request.user)
    visible = SituationReport.objects.all()
    if not supervisor:
        visible = visible.filter(status=ReportStatus.DONE)
    years = [d.year for d in visible.dates("period_start", "year", order="DESC")]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return {
        "page": page,
        "rows": [(r, period_label(r.period_kind, r.period_start)) for r in page.object_list],
        "supervisor": supervisor,
        "kind": kind,
        "kinds": PeriodKind.choices,
        "year": year,
        "years": years,
        "period_groups": _period_options(clock.today()) if supervisor else [],
        **extra,
    }


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/reports/list.html", _list_context(request))


@login_required
@require_POST
def report_new(request: HttpRequest) -> HttpResponse:
    """A supervisor requests the report of a recent period; it is generated in the background."""
    user = cast(User, request.user)
    if not reports.may_request_reports(user):
        raise deny(request, target=reports.TARGET, reason="may not request situation reports")
    period = _parse_period(request.POST.get("period", ""))
    if period is None:
        ctx = _list_context(request, error=_("请选择通报周期。"))
        return render(request, "supervision/reports/list.html", ctx, status=400)
    kind, start = period
    try:
        report = reports.report_request(kind=kind, period_start=start, actor=user)
    except reports.ReportError as err:
        ctx = _list_context(request, error=err.message)
        return render(request, "supervision/reports/list.html", ctx, status=400)
    reports.report_generate_soon(report.pk)
    messages.success(request, _("已开始生成情况通报，完成后可在本页查看和下载。"))
    return redirect("supervision:report", report_id=report.pk)


def _linked(section: Section, data: dict[str, Any], supervisor: bool) -> Section:
    """Supervisors open the overdue cases in the console (read-only)."""
    if not supervisor or section.key != "overdue":
        return section
    links = [reverse("supervision:console_case", args=[row["case_id"]]) for row in data["overdue"]]
    return replace(section, links=links)


@login_required
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = reports.report_get(request, report_id)
    label = period_label(report.period_kind, report.period_start)
    ctx: dict[str, Any] = {
        "report": report,
        "label": label,
        "working": report.status in WORKING,
        "supervisor": reports.may_request_reports(request.user),
        "retry_value": f"{report.period_kind}:{report.period_start.isoformat()}",
    }
    if report.status == ReportStatus.DONE and report.data:
        start, _end = reports.previous_period(report.period_kind, report.period_start)
        sections = report_sections(report.data, period_label(report.period_kind, start))
        ctx |= {
            "sections": [_linked(section, report.data, ctx["supervisor"]) for section in sections],
            "period_text": period_text(report.data),
            "notes": report_notes(),
        }
    return render(request, "supervision/reports/detail.html", ctx)


@login_required
def report_status(request: HttpRequest, report_id: int) -> JsonResponse:
    """What the progress indicator polls."""
    report = reports.report_get(request, report_id)
    return JsonResponse(
        {
            "id": report.pk,
            "status": report.status,
            "status_label": report.get_status_display(),
            "progress": report.progress,
            "stage": report.stage,
            "done": report.status not in WORKING,
            "url": reverse("supervision:report", args=[report.pk]),
        },
        headers={"Cache-Control": "no-store"},
    )


@login_required
def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    report = reports.report_get(request, report_id)
    if report.status != ReportStatus.DONE or not report.pdf:
        raise Http404(_("情况通报尚未生成。"))
    return report_response(report)


urlpatterns: list[URLPattern] = [
    path("supervision/reports/", report_list, name="reports"),
    path("supervision/reports/new/", report_new, name="report_new"),
    path("supervision/reports/<id:report_id>/", report_detail, name="report"),
    path("supervision/reports/<id:report_id>/status/", report_status, name="report_status"),
    path("supervision/reports/<id:report_id>/pdf/", report_pdf, name="report_pdf"),
]
