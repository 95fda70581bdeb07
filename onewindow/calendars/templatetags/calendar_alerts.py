"""``{% unloaded_years_banner %}``: the admin warning while a year's arrangement is missing."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from onewindow.calendars.selectors import unloaded_years_alert

register = template.Library()


@register.inclusion_tag("calendars/unloaded_banner.html", takes_context=True)
def unloaded_years_banner(context: template.Context) -> dict[str, Any]:
    """docs/rules/workdays.md §A4: staff see the warning from the moment a deadline can be
    provisional."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_active or not user.is_staff:
        return {"banner_messages": []}
    texts = [
        _(
            "%(year)d年节假日安排尚未载入，涉及该年的期限为临时计算（provisional），"
            "请尽快载入国务院办公厅通知。"
        )
        % {"year": year}
        for year in unloaded_years_alert()
    ]
    can_load = user.has_perm("calendars.add_holidayyear")
    load_url = reverse("admin:calendars_holidayyear_load") if can_load else ""
    return {"banner_messages": texts, "load_url": load_url}
