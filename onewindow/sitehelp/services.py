"""Writes of the site's help: error reports (网站找错) and links (友情链接). Help pages and links
are edited in the Django admin, whose forms run the same model validators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.core import clock
from onewindow.core.errors import Invalid
from onewindow.core.ratelimit import rate_spend
from onewindow.sitehelp.errors import TooManyReports
from onewindow.sitehelp.models import (
    CONTACT_MAX,
    DESCRIPTION_MAX,
    PAGE_URL_MAX,
    TITLE_MAX,
    ErrorReport,
    Link,
    LinkCategory,
)
from onewindow.sitehelp.validation import clean_page_address, clean_text, clean_web_url

DEFAULT_REPORTS_PER_MINUTE = 3


def error_report_rate_spend(ip: str | None) -> None:
    """docs/rules/publicity.md §L8: count one report from ``ip``; over the budget → refused."""
    limit: int = getattr(settings, "ERROR_REPORT_PER_MINUTE", DEFAULT_REPORTS_PER_MINUTE)
    wait = rate_spend(scope="error-report", ident=ip, limit=limit)
    if wait:
        raise TooManyReports(
            _("提交过于频繁，请在 %(s)d 秒后再试。您的报告未保存。") % {"s": wait}, wait
        )


def error_report_submit(
    *,
    page_url: Any,
    description: Any,
    contact: Any = "",
    user: Any = None,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> ErrorReport:
    """Store a visitor's report (docs/rules/publicity.md §L8). The caller spends the rate budget
    first (``error_report_rate_spend``); bad values raise ``Invalid`` and store nothing."""
    errors: dict[str, list[str]] = {}
    page_url = clean_text(
        errors, "page_url", page_url, label=_("出错页面"), max_length=PAGE_URL_MAX
    )
    page_url = clean_page_address(errors, "page_url", page_url, label=_("出错页面"))
    description = clean_text(
        errors, "description", description, label=_("问题描述"), max_length=DESCRIPTION_MAX
    )
    contact = clean_text(
        errors, "contact", contact, label=_("联系方式"), max_length=CONTACT_MAX, required=False
    )
    if errors:
        raise Invalid(errors)
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    return ErrorReport.objects.create(
        page_url=page_url,
        description=description,
        contact=contact,
        user=user if signed_in else None,
        ip=ip,
        created_at=now or clock.now(),
    )


@transaction.atomic
def error_report_handle(*, report: ErrorReport, note: Any) -> ErrorReport:
    errors: dict[str, list[str]] = {}
    text = clean_text(
        errors, "note", note, label=_("处理说明"), max_length=DESCRIPTION_MAX, required=False
    )
    if errors:
        raise Invalid(errors)
    report.handled = True
    report.note = text
    report.save(update_fields=["handled", "note"])
    return report


def link_create(*, name: Any, url: Any, category: Any = "", sort: int = 100) -> Link:
    """A link (友情链接) from the API or the demo; the admin's form runs the same checks."""
    errors: dict[str, list[str]] = {}
    name = clean_text(errors, "name", name, label=_("网站名称"), max_length=TITLE_MAX)
    url = clean_text(errors, "url", url, label=_("网址"), max_length=PAGE_URL_MAX)
    url = clean_web_url(errors, "url", url, label=_("网址"))
    category = category or LinkCategory.GOVERNMENT
    if category not in LinkCategory.values:
        errors.setdefault("category", []).append(_("类别无效。"))
    if errors:
        raise Invalid(errors)
    return Link.objects.create(name=name, url=url, category=category, sort=sort)
