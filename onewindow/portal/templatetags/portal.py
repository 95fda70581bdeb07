"""Template helpers for the portal layout and guide pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from onewindow.calendars.texts import workdays_text
from onewindow.catalog.models import DeliveryMethod
from onewindow.portal import navigation

register = template.Library()


def _nav(context: template.Context, build: Any) -> list[navigation.NavLink]:
    request = context.get("request")
    if request is None:
        return list(build(path=""))
    return list(build(path=request.path, user=getattr(request, "user", None)))


@register.simple_tag(takes_context=True)
def portal_nav(context: template.Context) -> list[navigation.NavLink]:
    """The public portal's columns, the current one marked (see portal.navigation)."""
    return _nav(context, navigation.portal_nav)


@register.simple_tag(takes_context=True)
def workbench_nav(context: template.Context) -> list[navigation.NavLink]:
    """The staff workbench's columns, the current one marked (see portal.navigation)."""
    return _nav(context, navigation.workbench_nav)


@register.simple_tag(takes_context=True)
def tab_current(context: template.Context, url: str, tab: str, name: str) -> str:
    """The aria-current attribute of a sub-tab: "page" on the tab of this very page, "true" on
    the tab whose section the page is in (a card page under 黄牌/红牌), none on the others."""
    if tab != name:
        return ""
    request = context.get("request")
    value = "page" if request is not None and request.path == url else "true"
    return format_html(' aria-current="{}"', value)


@register.filter
def delivery_labels(codes: Any) -> list[str]:
    """Labels of an item version's ``delivery_methods`` codes, unknown codes left out."""
    labels = dict(DeliveryMethod.choices)
    return [str(labels[code]) for code in codes or [] if code in labels]


@register.filter
def nonblank_lines(text: str | None) -> list[str]:
    """The non-empty lines of a multi-line field, e.g. the process summary's steps."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


register.filter("workdays", workdays_text)
