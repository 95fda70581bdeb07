"""Reads of the site's help: the published help pages and links, the error reports."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from onewindow.accounts.roles import Perm
from onewindow.accounts.selectors import require_perm
from onewindow.sitehelp.models import ErrorReport, HelpPage, Link


def help_pages() -> QuerySet[HelpPage]:
    return HelpPage.objects.filter(published=True).order_by("sort", "pk")


def help_page(slug: str) -> HelpPage | None:
    return help_pages().filter(slug=slug).first()


def links() -> QuerySet[Link]:
    return Link.objects.filter(published=True).order_by("category", "sort", "pk")


def links_by_category() -> list[tuple[str, list[Link]]]:
    grouped: dict[str, list[Link]] = {}
    for link in links():
        grouped.setdefault(link.get_category_display(), []).append(link)
    return list(grouped.items())


def error_reports_for(
    request: HttpRequest | Any, *, handled: bool | None = None
) -> QuerySet[ErrorReport]:
    """Every error report, for SITE_EDIT holders; anyone else a logged 404."""
    require_perm(request, Perm.SITE_EDIT, target="error-reports")
    reports = ErrorReport.objects.select_related("user")
    if handled is not None:
        reports = reports.filter(handled=handled)
    return reports.order_by("-created_at", "-pk")
