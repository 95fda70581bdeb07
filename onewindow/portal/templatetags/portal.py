"""Template helpers for the portal layout and guide pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext, ngettext

from onewindow.catalog.models import DeliveryMethod
from onewindow.portal import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def hall_columns(context: template.Context) -> list[navigation.NavLink]:
    """The online hall's working columns, the current one marked (see portal.navigation)."""
    request = context.get("request")
    if request is None:
        return navigation.hall_columns(path="")
    return navigation.hall_columns(path=request.path, user=getattr(request, "user", None))


@register.filter
def delivery_labels(codes: Any) -> list[str]:
    """Labels of an item version's ``delivery_methods`` codes, unknown codes left out."""
    labels = dict(DeliveryMethod.choices)
    return [str(labels[code]) for code in codes or [] if code in labels]


@register.filter
def nonblank_lines(text: str | None) -> list[str]:
    """The non-empty lines of a multi-line field, e.g. the process summary's steps."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@register.filter
def workdays(days: int | None) -> str:
    """A time limit as text: "5 个工作日", or "当场办结" for an on-the-spot limit of 0."""
    if not days:
        return gettext("当场办结")
    return ngettext("%(n)s 个工作日", "%(n)s 个工作日", days) % {"n": days}
