"""Time limits as the pages and documents write them."""

from __future__ import annotations

from django.utils.translation import gettext, ngettext


def workdays_text(days: int | None) -> str:
    """A time limit as text: "5 个工作日", or "当场办结" for an on-the-spot limit of 0."""
    if not days:
        return gettext("当场办结")
    return ngettext("%(n)s 个工作日", "%(n)s 个工作日", days) % {"n": days}
