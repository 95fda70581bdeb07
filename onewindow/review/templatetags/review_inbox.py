"""``{% inbox_rows rows %}``: the ``<tr>`` rows of the reviewer's inbox, written in Python.

A page holds fifty tasks and the template loop (a URL, two includes tested, seven cells, a due
date and the badges per row) was a third of the inbox page's CPU (docs/decisions.md §O5). The
HTML is what the loop in ``review/tasks/inbox.html`` wrote (``test_inbox_rows_tag.py`` compares
the two): every value escaped as ``{{ }}`` escapes it, the translated words escaped as
``{% translate %}`` does. The priority badge and the supervision cards, on few rows, are still
rendered from their own templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from onewindow.calendars.templatetags.due_dates import due_date
from onewindow.review.dues import task_due
from onewindow.review.models import Task

register = template.Library()

_STATUS_COLOUR = {"open": "blue", "waiting_material": "orange", "done": "green", "deemed": "red"}
_ROW_CLASS = {"overdue": "row-due-overdue", "soon": "row-due-next"}
_MARK = 987654321  # a task id no URL pattern part contains, replaced by each row's


def _e(value: Any) -> str:
    return str(conditional_escape(value))


@register.simple_tag
def inbox_rows(rows: Iterable[tuple[Task, str, list[Any] | None]]) -> SafeString:
    """One ``<tr>`` per (task, urgency level, open cards) of the inbox view."""
    url = reverse("review:task", args=[_MARK])
    lead = f' <span class="muted">{_e(gettext("（牵头）"))}</span>'
    overdue = f'<br><span class="badge badge-due-overdue">{_e(gettext("已逾期"))}</span>'
    soon = f'<br><span class="badge badge-due-next">{_e(gettext("即将到期"))}</span>'
    out = []
    for task, level, cards in rows:
        case = task.case
        badges = ""
        if case.is_priority:
            badges += render_to_string("cases/includes/priority_badge.html", {"case": case})
        if cards:
            badges += render_to_string("supervision/console/_card_badges.html", {"cards": cards})
        colour = _STATUS_COLOUR.get(task.status, "grey")
        warning = overdue if level == "overdue" else soon if level == "soon" else ""
        out.append(
            f'\n    <tr class="{_ROW_CLASS.get(level, "")}">\n'
            f'      <th scope="row"><a href="{url.replace(str(_MARK), str(task.pk))}">'
            f"{_e(case.number)}</a>{badges}</th>\n"
            f"      <td>{_e(case.item_version.name)}</td>\n"
            f"      <td>{_e(case.applicant)}</td>\n"
            f"      <td>{_e(task.department.name)}{lead if task.is_lead else ''}</td>\n"
            f"      <td>{task.step + 1}/{len(task.steps)}</td>\n"
            f'      <td><span class="badge badge-status-{colour}">'
            f"{_e(task.get_status_display())}</span></td>\n"
            f"      <td>{due_date(task_due(task))}\n"
            f"        {warning}</td>\n"
            "    </tr>\n  "
        )
    return mark_safe("".join(out))
