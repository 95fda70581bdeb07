"""``{% inbox_rows %}`` (review/templatetags/review_inbox.py) writes what the inbox template's
row loop wrote, for every status, urgency, lead or not, key-project and carded rows, in both
languages."""

from __future__ import annotations

import copy
import itertools
from types import SimpleNamespace

import pytest
import time_machine
from django.template import Context, Template
from django.utils import translation

from onewindow.cases.models import CasePriority
from onewindow.review.models import TaskStatus
from onewindow.review.selectors import tasks_for_inbox
from onewindow.review.tests.task_world import SEEN_AT, three_accepted

pytestmark = pytest.mark.django_db

# The loop of review/tasks/inbox.html as it was.
FORMER = """{% load i18n due_dates review_dues %}
  {% for task, level, cards in rows %}
    <tr class="{% if level == 'overdue' %}row-due-overdue{% elif level == 'soon' %}row-due-next{% endif %}">
      <th scope="row"><a href="{% url 'review:task' task.pk %}">{{ task.case.number }}</a>{% if task.case.is_priority %}{% include "cases/includes/priority_badge.html" with case=task.case %}{% endif %}{% if cards %}{% include "supervision/console/_card_badges.html" with cards=cards %}{% endif %}</th>
      <td>{{ task.case.item_version.name }}</td>
      <td>{{ task.case.applicant }}</td>
      <td>{{ task.department.name }}{% if task.is_lead %} <span class="muted">{% translate "（牵头）" %}</span>{% endif %}</td>
      <td>{{ task.step|add:1 }}/{{ task.steps|length }}</td>
      <td><span class="badge badge-status-{% if task.status == 'open' %}blue{% elif task.status == 'waiting_material' %}orange{% elif task.status == 'done' %}green{% elif task.status == 'deemed' %}red{% else %}grey{% endif %}">{{ task.get_status_display }}</span></td>
      <td>{% due_date task|task_due %}
        {% if level == 'overdue' %}<br><span class="badge badge-due-overdue">{% translate "已逾期" %}</span>{% elif level == 'soon' %}<br><span class="badge badge-due-next">{% translate "即将到期" %}</span>{% endif %}</td>
    </tr>
  {% endfor %}
"""
NEW = "{% load review_inbox %}\n  {% inbox_rows rows %}\n"


def card(pk: int, level: str) -> SimpleNamespace:
    return SimpleNamespace(
        pk=pk,
        level=level,
        get_level_display=lambda: {"red": "红牌", "yellow": "黄牌"}[level],
        rule=SimpleNamespace(name="<审查超时> & 预警"),
    )


@pytest.fixture
def tasks(personas):
    three_accepted(personas)
    with time_machine.travel(SEEN_AT, tick=False):
        chief, supervisor = personas.chief_a, personas.supervisor
        yield list(tasks_for_inbox(chief, None)) + list(tasks_for_inbox(supervisor, None))


def variant(task, *, status, priority, lead):
    """A copy of ``task`` (and of its case) with these values, the original left alone."""
    case = copy.copy(task.case)
    case.priority = priority
    other = copy.copy(task)
    other.case = case
    other.status, other.is_lead = status, lead
    return other


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_tag_writes_what_the_loop_wrote(tasks, language):
    levels = itertools.cycle(["overdue", "soon", ""])
    cards = itertools.cycle([None, [], [card(7, "red"), card(8, "yellow")]])
    rows = [
        (variant(task, status=status, priority=priority, lead=lead), next(levels), next(cards))
        for task in tasks
        for status in TaskStatus.values
        for priority in (CasePriority.NORMAL, CasePriority.URGENT)
        for lead in (True, False)
    ]
    with translation.override(language):
        former = Template(FORMER).render(Context({"rows": rows}))
        new = Template(NEW).render(Context({"rows": rows}))
    assert new == former
    for shown in ("row-due-overdue", "row-due-next", "badge-priority", "card-badges", "grey"):
        assert shown in new
