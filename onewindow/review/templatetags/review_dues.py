"""Filters turning review dates into the one due-date value (``review.dues``), for
``{% due_date task|task_due %}`` (the tag is in ``calendars``' ``due_dates`` library)."""

from __future__ import annotations

from django import template

from onewindow.lib.workdays import Due
from onewindow.review import dues
from onewindow.review.models import Decision, Task

register = template.Library()


@register.filter
def task_due(task: Task) -> Due:
    return dues.task_due(task)


@register.filter
def certificate_due(decision: Decision | None) -> Due | None:
    return dues.certificate_due(decision)
