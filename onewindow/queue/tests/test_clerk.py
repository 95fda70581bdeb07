"""The clerk at the window (docs/rules/hall.md §J12): call, recall, skip, transfer, finish; only
at one's own windows (others a logged 404); the queue lives in the database and continues after
a restart."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.urls import reverse

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.catalog.models import Region, RegionLevel
from onewindow.core.errors import DomainError
from onewindow.core.models import AccessDenied
from onewindow.queue import services
from onewindow.queue.models import EventKind, Ticket, TicketEvent, TicketSource, TicketStatus
from onewindow.queue.services import IssueRequest
from onewindow.queue.tests.conftest import Hall

pytestmark = pytest.mark.django_db


def _issue(hall: Hall, minute: int, priority: str = "") -> Ticket:
    request = IssueRequest(line_id=hall.line_a.pk, priority=priority)
    return services.issue(request, source=TicketSource.KIOSK, at=hall.at(minute))


def _snapshot() -> list[tuple]:
    return list(
        Ticket.objects.order_by("pk").values_list(
            "pk", "status", "window_id", "line_id", "served_by_id"
        )
    )


def test_call_recall_skip_recall_again_and_finish(hall):
    first = _issue(hall, 1)
    second = _issue(hall, 2)
    clerk, window = hall.p.clerk, hall.a01
    called = services.call_next(window, clerk)
    assert called == first and called.status == TicketStatus.CALLED
    with pytest.raises(DomainError, match="本窗口还有正在办理的号"):
        services.call_next(window, clerk)
    services.recall(window, called, clerk)
    services.skip(window, called, clerk)
    assert services.current_at(window) is None
    assert services.call_next(window, clerk) == second
    with pytest.raises(DomainError, match="本窗口还有正在办理的号"):
        services.recall(window, first, clerk)  # a skipped ticket waits for the window to be free
    services.finish(window, second, clerk)
    again = services.recall(window, first, clerk)  # the skipped one, same day
    assert again.status == TicketStatus.CALLED
    finished = services.finish(window, again, clerk)
    assert finished.status == TicketStatus.FINISHED and finished.finished_at is not None
    kinds = list(TicketEvent.objects.filter(ticket=first).values_list("kind", flat=True))
    assert kinds == ["issue", "call", "recall", "skip", "recall", "finish"]
    # recalls do not count for the fairness streak: the window made two calls
    assert TicketEvent.objects.filter(window=window, kind=EventKind.CALL).count() == 2


def test_finish_links_the_case_and_refuses_an_unknown_case_number(hall):
    ticket = _issue(hall, 1)
    services.call_next(hall.a01, hall.p.clerk)
    with pytest.raises(DomainError, match="没有找到办件编号为“NO-SUCH”的办件"):
        services.finish(hall.a01, ticket, hall.p.clerk, case_number="NO-SUCH")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CALLED
    region = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    case = case_services.case_create_draft(
        item_version=hall.item_a.published_version,
        applicant=hall.p.applicant,
        created_by=hall.p.clerk,
        region=region,
    )
    # the number a case gets when the window registers it (a draft has none yet)
    Case.objects.filter(pk=case.pk).update(number="420700-SC-20260302-0001")
    case.refresh_from_db()
    services.finish(hall.a01, ticket, hall.p.clerk, case_number=str(case.number))
    ticket.refresh_from_db()
    assert (ticket.status, ticket.case) == (TicketStatus.FINISHED, case)


def test_transfer_to_an_inactive_or_unknown_window_is_refused_and_nothing_changes(hall):
    ticket = _issue(hall, 1)
    services.call_next(hall.a01, hall.p.clerk)
    hall.b01.is_active = False
    hall.b01.save()
    before = _snapshot()
    events = TicketEvent.objects.count()
    for kwargs, message in [
        ({"to_window_id": hall.b01.pk}, "要转往的窗口不存在或已停用。"),
        ({"to_window_id": 999999}, "要转往的窗口不存在或已停用。"),
        ({"to_window_id": hall.a01.pk}, "不能转往本窗口。"),
        ({"to_line_id": hall.line_c.pk}, "该业务类别暂无窗口办理。"),
        ({}, "请选择要转往的窗口或业务类别（二者选一）。"),
    ]:
        with pytest.raises(DomainError) as err:
            services.transfer(hall.a01, ticket, hall.p.clerk, **kwargs)
        assert err.value.message == message
    assert _snapshot() == before and TicketEvent.objects.count() == events


def test_a_window_acts_only_on_its_own_tickets(hall):
    ticket = _issue(hall, 1)
    services.call_next(hall.a01, hall.p.clerk)
    with pytest.raises(DomainError, match="只能对本窗口正在呼叫的号过号"):
        services.skip(hall.a02, ticket, hall.clerk_a2)
    with pytest.raises(DomainError, match="只能对本窗口正在办理的号办结"):
        services.finish(hall.b01, ticket, hall.clerk_b1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_queue_continues_after_a_restart(hall):
    """Nothing is held in the process: a brand-new database connection sees the tickets and
    their statuses; then with the old connection closed and the cache cleared the window's
    order, streak and numbering continue."""
    for minute, priority in enumerate(["", "elderly", "", "pregnant"]):
        _issue(hall, minute, priority)
    called = services.call_next(hall.a01, hall.p.clerk)
    assert called.number == "V001"
    before = [t.number for t in services.order_at(hall.a01, called.day)]
    fresh = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with fresh.cursor() as cursor:
            cursor.execute("SELECT number, status FROM queue_ticket ORDER BY number")
            rows = cursor.fetchall()
    finally:
        fresh.close()
    assert rows == [
        ("A001", "waiting"),
        ("A002", "waiting"),
        ("V001", "called"),
        ("V002", "waiting"),
    ]
    connection.close()
    cache.clear()
    assert services.current_at(hall.a01).number == "V001"  # type: ignore[union-attr]
    assert [t.number for t in services.order_at(hall.a01, called.day)] == before
    assert services.priority_streak(hall.a01, called.day) == 1
    services.finish(hall.a01, called, hall.p.clerk)
    assert services.call_next(hall.a01, hall.p.clerk).number == "V002"
    assert _issue(hall, 30).number == "A003"  # the numbering continues too


# --- pages: access -------------------------------------------------------------------------------
def test_a_clerk_of_another_window_gets_a_logged_404_and_nothing_changes(client, hall):
    ticket = _issue(hall, 1)
    client.force_login(hall.clerk_b1)
    for url in (
        reverse("queue:window", args=[hall.a01.pk]),
        reverse("queue:action", args=[hall.a01.pk, "call"]),
    ):
        response = client.post(url) if url.endswith("call/") else client.get(url)
        assert response.status_code == 404
    assert AccessDenied.objects.filter(target=f"catalog.window:{hall.a01.pk}").count() == 2
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING
    # a ticket of another window through one's own window: 404 too
    services.call_next(hall.a01, hall.p.clerk)
    client.force_login(hall.clerk_a2)
    url = reverse("queue:action", args=[hall.a02.pk, "skip"])
    assert client.post(url, {"ticket": ticket.pk}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CALLED


@pytest.mark.parametrize("name", ["applicant", "handler_a", "supervisor", "chief_a"])
def test_people_without_the_window_get_a_404(client, hall, name):
    client.force_login(hall.p.get(name))
    assert client.get(reverse("queue:window", args=[hall.a01.pk])).status_code == 404


def test_the_clerks_page_calls_and_shows_messages(client, hall):
    _issue(hall, 1)
    _issue(hall, 2, "elderly")
    client.force_login(hall.p.clerk)
    response = client.get(reverse("queue:windows"))
    assert response.status_code == 302  # one window: straight to it
    page = client.get(response.url).content.decode()
    assert "等候 2 人" in page and "V001" in page
    response = client.post(reverse("queue:action", args=[hall.a01.pk, "call"]), follow=True)
    assert "已呼叫 V001。" in response.content.decode()
    current = Ticket.objects.get(number="V001")
    url = reverse("queue:action", args=[hall.a01.pk, "transfer"])
    response = client.post(url, {"ticket": current.pk, "to_window": hall.b01.pk}, follow=True)
    assert "要转往的窗口不存在或已停用" not in response.content.decode()
    current.refresh_from_db()
    assert current.window == hall.b01 and current.status == TicketStatus.WAITING
    response = client.post(
        reverse("queue:action", args=[hall.a01.pk, "issue"]), {"item": "999999"}, follow=True
    )
    assert "所选事项不存在，请重新选择。" in response.content.decode()
    assert Ticket.objects.count() == 2


def test_times_page_for_chiefs_and_supervisors(client, hall):
    ticket = _issue(hall, 0)
    services.call_next(hall.a01, hall.p.clerk, at=hall.at(10))
    services.finish(hall.a01, ticket, hall.p.clerk, at=hall.at(25))
    client.force_login(hall.p.supervisor)
    page = client.get(reverse("queue:times")).content.decode()
    assert "A01" in page and "10.0" in page and "15.0" in page
    bad = client.get(reverse("queue:times"), {"from": "2026-13-01"})
    assert bad.status_code == 400 and "日期格式应为" in bad.content.decode()
    client.force_login(hall.p.clerk)
    assert client.get(reverse("queue:times")).status_code == 404
