"""``{% due_date value %}``: one stored due date as every page shows it
(docs/rules/workdays.md §A5).

``value`` is the ``Due`` of ``calendars.selectors.stored_due`` (or None). A provisional date
(docs/rules/workdays.md §A4) reads "2027-01-08（临时）" with the reason for screen readers and on hover;
a paused one (B4: a special procedure, or a material request that stops the branch's clock) reads
暂停计时 with the date it will move from, never as due or overdue.

Written in Python, not as an included template: a list page shows fifty of them, and rendering a
template for each was a fifth of the reviewer's inbox page. The HTML is what the template
``calendars/_due_date.html`` gave (``test_due_date_tag.py`` compares the two): ``{% translate %}``
escaped, ``{% blocktranslate %}`` with only its variable escaped.
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from onewindow.lib.workdays import Due

register = template.Library()


@register.simple_tag
def due_date(value: Due | None, fmt: str = "Y-m-d") -> SafeString:
    if not value:
        return mark_safe("—")
    if value.paused:
        day = conditional_escape(date_filter(value.date, fmt))
        moved = gettext("（原定 %(day)s，恢复计时后按暂停的工作日顺延）") % {"day": day}
        return mark_safe(
            f'<span class="badge badge-due-paused">{conditional_escape(gettext("暂停计时"))}</span>'
            f' <span class="muted">{moved}</span>'
        )
    iso = value.date.isoformat()  # what the "Y-m-d" format writes, without looking it up
    shown = iso if fmt == "Y-m-d" else conditional_escape(date_filter(value.date, fmt))
    html = f'<time datetime="{iso}">{shown}</time>'
    if value.provisional:
        reason = conditional_escape(
            gettext("该日期的计算涉及节假日安排尚未公布的年份，按临时日历计算，公布后可能调整")
        )
        html += (
            f'<span class="due-provisional" title="{reason}">'
            f"{conditional_escape(gettext('（临时）'))}"
            f'<span class="visually-hidden">{reason}</span></span>'
        )
    return mark_safe(html)
