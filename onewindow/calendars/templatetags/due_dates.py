"""``{% due_date value %}``: one stored due date as every page shows it
(docs/rules/workdays.md §A5).

``value`` is the ``Due`` of ``calendars.selectors.stored_due`` (or None). A provisional date
(docs/rules/workdays.md §A4) reads "2027-01-08（临时）" with the reason for screen readers and on hover;
a paused one (B4: a special procedure, or a material request that stops the branch's clock) reads
暂停计时 with the date it will move from, never as due or overdue.
"""

from __future__ import annotations

from typing import Any

from django import template

from onewindow.lib.workdays import Due

register = template.Library()


@register.inclusion_tag("calendars/_due_date.html")
def due_date(value: Due | None, fmt: str = "Y-m-d") -> dict[str, Any]:
    return {"due": value, "fmt": fmt}
