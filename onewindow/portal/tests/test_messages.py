"""Flash messages (docs/decisions.md §U3): the live region is a wrapper around the list, so the
<li>s keep their list (axe "listitem" was serious on every page showing a message), on the
site's pages (the admin's calendar banner: calendars/tests/test_admin.py)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from onewindow.portal.tests import html as page_html
from onewindow.review.tests.decision_world import case_in_review, make_world
from onewindow.review.tests.task_world import at
from onewindow.supervision.models import Card
from onewindow.supervision.tests.world import sweep_on

pytestmark = pytest.mark.django_db


def test_a_flash_message_is_a_list_inside_a_status_region(personas):
    case_in_review(make_world(personas))
    sweep_on("2025-11-20")
    card = Card.objects.filter(department=personas.dept_a).first()
    assert card is not None and card.case is not None
    client = Client()
    client.force_login(personas.supervisor)
    with time_machine.travel(at("2025-11-20", 9), tick=False):
        response = client.post(
            reverse("supervision:letter_new"),
            {
                "department": personas.dept_a.pk,
                "case_number": card.case.number,
                "card": card.pk,
                "subject": "审查超时督办",
                "text": "请说明审查超时原因。",
                "response_days": 5,
            },
            follow=True,
        )
    html = response.content.decode()
    region = re.search(r'<div class="messages" role="status">\s*<ul class="message-list">', html)
    assert region, "the message is not in a status region around a list"
    assert re.search(r'<li class="message message-success">督办函 \S+ 已发出。</li>', html)
    assert page_html.read(html).lists_with_role == []
