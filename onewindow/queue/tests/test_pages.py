"""The kiosk, the ticket and the display pages (docs/rules/hall.md §J13, §J15), no login."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.queue import services
from onewindow.queue.models import Ticket, TicketSource
from onewindow.queue.services import IssueRequest

pytestmark = pytest.mark.django_db


def test_the_kiosk_gives_a_ticket_and_shows_how_many_are_ahead(client, hall):
    page = client.get(reverse("queue:kiosk")).content.decode()
    assert "A 市场准入" in page and "食品经营许可" in page
    client.post(reverse("queue:kiosk"), {"line": hall.line_a.pk})
    response = client.post(reverse("queue:kiosk"), {"line": hall.line_a.pk})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "A002" in page and "前面还有 1 人" in page and "打印号票" in page


def test_bad_kiosk_input_shows_the_message_and_stores_nothing(client, hall):
    response = client.post(reverse("queue:kiosk"), {"item": "999999"})
    assert response.status_code == 400
    assert "所选事项不存在，请重新选择。" in response.content.decode()
    response = client.post(reverse("queue:kiosk"), {"appointment_code": "YY-1"})
    assert "暂不支持凭预约码取号" in response.content.decode()
    assert not Ticket.objects.exists()


def test_an_unknown_ticket_token_is_a_404(client, hall):
    assert client.get(reverse("queue:ticket", args=["nope"])).status_code == 404


def test_the_display_shows_calls_and_has_a_no_script_refresh(client, hall):
    services.issue(IssueRequest(line_id=hall.line_a.pk), source=TicketSource.KIOSK)
    services.issue(IssueRequest(line_id=hall.line_a.pk), source=TicketSource.KIOSK)
    services.call_next(hall.a01, hall.p.clerk)
    page = client.get(reverse("queue:display")).content.decode()
    assert "请 A001 号到 A01 号窗口办理" in page
    assert "A002" in page  # next waiting
    assert '<noscript><meta http-equiv="refresh" content="15"></noscript>' in page
    assert "queue/display.js" in page


def test_the_kiosk_page_refuses_a_ticket_over_the_minute_budget(client, hall, settings):
    # docs/rules/hall.md §J10: 429 with the message, nothing issued.
    settings.QUEUE_TICKETS_PER_MINUTE = 1
    assert client.post("/queue/kiosk/", {"line": hall.line_a.pk}).status_code == 302
    refused = client.post("/queue/kiosk/", {"line": hall.line_a.pk})
    assert refused.status_code == 429
    assert "取号过于频繁" in refused.content.decode()
    assert Ticket.objects.count() == 1
