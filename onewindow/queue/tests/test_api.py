"""The queue's REST API (docs/rules/hall.md §J10–§J14): the same rules as the pages."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from onewindow.core.models import AccessDenied
from onewindow.queue import services
from onewindow.queue.errors import TicketSourceError
from onewindow.queue.models import Ticket, TicketSource, TicketStatus
from onewindow.queue.services import IssueRequest
from onewindow.queue.sources import AppointmentTicketInfo, register_appointment_source

pytestmark = pytest.mark.django_db
API = "/api/v1/queue/"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_the_kiosk_takes_a_ticket_without_login(api, hall):
    lines = api.get(API + "lines/").json()
    assert [x["letter"] for x in lines] == ["A", "B", "C"]
    first = api.post(API + "tickets/", {"line": str(hall.line_a.pk)}, format="json")
    assert first.status_code == 201, first.content
    second = api.post(
        API + "tickets/", {"item": str(hall.item_a.pk), "priority": "elderly"}, format="json"
    )
    assert (first.json()["number"], second.json()["number"]) == ("A001", "V001")
    # the priority ticket is called first: nobody is ahead of it, one person ahead of A001
    assert api.get(API + f"tickets/{second.json()['token']}/").json()["ahead"] == 0
    assert api.get(API + f"tickets/{first.json()['token']}/").json()["ahead"] == 1
    assert api.get(API + "tickets/no-such-token/").status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"item": "999999"}, "所选事项不存在，请重新选择。"),
        ({"item": "abc"}, "请选择办理事项或业务类别，或输入预约码（三者选一）。"),
        ({"appointment_code": "X1"}, "暂不支持凭预约码取号，请选择办理事项或业务类别取号。"),
    ],
)
def test_bad_kiosk_input_is_a_400_with_a_chinese_message(api, hall, body, message):
    response = api.post(API + "tickets/", body, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == message
    assert not Ticket.objects.exists()


def test_an_expired_appointment_code_through_the_api(api, hall):
    def resolve(code, at):
        if code == "OK":
            return AppointmentTicketInfo(hall.item_a.pk, None, "", "预约")
        raise TicketSourceError("该预约已过期，请重新预约或现场取号。")

    register_appointment_source(resolve)
    response = api.post(API + "tickets/", {"appointment_code": "OLD"}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "该预约已过期，请重新预约或现场取号。"
    assert api.post(API + "tickets/", {"appointment_code": "OK"}, format="json").status_code == 201


def test_the_clerk_calls_skips_recalls_transfers_and_finishes(api, hall):
    for minute in (1, 2):
        services.issue(
            IssueRequest(line_id=hall.line_a.pk), source=TicketSource.KIOSK, at=hall.at(minute)
        )
    api.force_authenticate(hall.p.clerk)
    url = API + f"windows/{hall.a01.pk}/"
    assert [t["number"] for t in api.get(url).json()["order"]] == ["A001", "A002"]
    called = api.post(url + "call/", {}, format="json").json()
    assert called["message"] == "已呼叫 A001。"
    ticket = called["queue"]["current"]["id"]
    assert api.post(url + "skip/", {"ticket": str(ticket)}, format="json").status_code == 200
    assert api.post(url + "recall/", {"ticket": str(ticket)}, format="json").status_code == 200
    refused = api.post(
        url + "transfer/", {"ticket": str(ticket), "to_window": "999999"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["message"] == "要转往的窗口不存在或已停用。"
    done = api.post(url + "finish/", {"ticket": str(ticket)}, format="json")
    assert done.status_code == 200 and done.json()["queue"]["current"] is None
    assert Ticket.objects.get(pk=ticket).status == TicketStatus.FINISHED
    nothing = api.post(url + "call/", {}, format="json")
    assert nothing.status_code == 200  # A002 still waits
    empty = api.post(
        url + "finish/", {"ticket": str(nothing.json()["queue"]["current"]["id"])}, format="json"
    )
    assert empty.status_code == 200
    last = api.post(url + "call/", {}, format="json")
    assert last.status_code == 400 and last.json()["message"] == "当前没有等候的号。"


def test_another_windows_clerk_gets_a_logged_404(api, hall):
    services.issue(IssueRequest(line_id=hall.line_a.pk), source=TicketSource.KIOSK)
    api.force_authenticate(hall.clerk_b1)
    url = API + f"windows/{hall.a01.pk}/"
    assert api.get(url).status_code == 404
    assert api.post(url + "call/", {}, format="json").status_code == 404
    assert AccessDenied.objects.filter(target=f"catalog.window:{hall.a01.pk}").count() == 2
    assert Ticket.objects.get().status == TicketStatus.WAITING
    api.force_authenticate(hall.p.applicant)
    assert api.post(url + "call/", {}, format="json").status_code == 403


def test_the_display_and_the_times(api, hall):
    ticket = services.issue(
        IssueRequest(line_id=hall.line_a.pk), source=TicketSource.KIOSK, at=hall.at(0)
    )
    services.call_next(hall.a01, hall.p.clerk, at=hall.at(6))
    data = api.get(API + "display/").json()
    assert data["latest"]["number"] == "A001" and data["latest"]["window"] == "A01"
    board = next(w for w in data["windows"] if w["number"] == "A01")
    assert board["current"] == "A001"
    services.finish(hall.a01, ticket, hall.p.clerk, at=hall.at(18))
    assert api.get(API + "times/").status_code in (401, 403)
    api.force_authenticate(hall.p.chief_a)
    times = api.get(API + "times/", {"from": "2026-03-01", "to": "2026-03-02"}).json()
    row = next(r for r in times["windows"] if r["key"] == "A01")
    assert (
        row["issued"],
        row["finished"],
        row["avg_wait_minutes"],
        row["avg_service_minutes"],
    ) == (
        1,
        1,
        6.0,
        12.0,
    )
    assert times["items"] == []  # the ticket was taken by category, not by item
    bad = api.get(API + "times/", {"from": "2026-03-05", "to": "2026-03-01"})
    assert bad.status_code == 400


def test_the_kiosk_api_takes_a_limited_number_of_tickets_a_minute(api, hall, settings):
    # docs/rules/hall.md §J10: over the budget 429 with Retry-After, nothing issued.
    settings.QUEUE_TICKETS_PER_MINUTE = 2
    body = {"line": str(hall.line_a.pk)}
    assert api.post(API + "tickets/", body, format="json").status_code == 201
    assert api.post(API + "tickets/", body, format="json").status_code == 201
    refused = api.post(API + "tickets/", body, format="json")
    assert refused.status_code == 429 and "Retry-After" in refused
    assert "过于频繁" in refused.json()["message"]
    assert Ticket.objects.count() == 2
