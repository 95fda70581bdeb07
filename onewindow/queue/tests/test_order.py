"""The calling order (docs/rules/hall.md §J11): the worked example, a transfer keeping its issue
time, and a property test over random sequences of issuing and calling at two windows."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onewindow.queue import services
from onewindow.queue.errors import QueueError
from onewindow.queue.models import PriorityReason, Ticket, TicketCounter, TicketEvent, TicketStatus
from onewindow.queue.services import IssueRequest
from onewindow.queue.tests.conftest import Hall
from onewindow.queue.tests.test_issue import key_project

pytestmark = pytest.mark.django_db


def _issue(hall: Hall, minute: int, priority: str = "", credit_code: str = "") -> Ticket:
    request = IssueRequest(line_id=hall.line_a.pk, priority=priority, credit_code=credit_code)
    return services.issue(request, source="kiosk", at=hall.at(minute))


def _serve_all(hall: Hall, window: Any, minute: int) -> list[str]:
    called: list[str] = []
    while True:
        try:
            ticket = services.call_next(window, hall.p.clerk, at=hall.at(minute))
        except QueueError:
            return called
        services.finish(window, ticket, hall.p.clerk, at=hall.at(minute))
        called.append(ticket.number)
        minute += 1


@override_settings(QUEUE_PRIORITY_STREAK=3)
def test_the_worked_example_of_the_rules(hall):
    """docs/rules/hall.md §J11, word for word: K = 3 at window C01 (here A01)."""
    _issue(hall, 30)  # A001
    _issue(hall, 31)  # A002
    _issue(hall, 32, PriorityReason.ELDERLY)  # V001
    key_project(hall)
    _issue(hall, 33, credit_code=hall.p.enterprise.credit_code)  # V002, a key project
    _issue(hall, 34, PriorityReason.PREGNANT)  # V003
    _issue(hall, 35, PriorityReason.DISABLED)  # V004
    _issue(hall, 36)  # A003
    expected = ["V001", "V002", "V003", "A001", "V004", "A002", "A003"]
    assert [t.number for t in services.order_at(hall.a01, hall.at(0).date())] == expected
    assert _serve_all(hall, hall.a01, 40) == expected


@override_settings(QUEUE_PRIORITY_STREAK=1)
def test_k_is_configurable(hall):
    for minute, priority in enumerate(["", "", "elderly", "elderly", "elderly"]):
        _issue(hall, minute, priority)
    assert _serve_all(hall, hall.a01, 10) == ["V001", "A001", "V002", "A002", "V003"]


def test_a_transferred_ticket_keeps_its_original_issue_time(hall):
    """A002 (08:31) is served at B01 and sent back to line A: it is called before A003 (08:36)
    at A01 although it arrived there later."""
    first = _issue(hall, 30)
    second = _issue(hall, 31)
    third = _issue(hall, 36)
    called = services.call_next(hall.a02, hall.clerk_a2, at=hall.at(40))
    assert called == first
    services.finish(hall.a02, called, hall.clerk_a2, at=hall.at(41))
    called = services.call_next(hall.a02, hall.clerk_a2, at=hall.at(42))
    assert called == second
    moved = services.transfer(hall.a02, called, hall.clerk_a2, to_window_id=hall.a01.pk)
    assert moved.issued_at == hall.at(31) and moved.status == TicketStatus.WAITING
    assert [t.pk for t in services.order_at(hall.a01, hall.at(0).date())] == [second.pk, third.pk]
    assert services.call_next(hall.a01, hall.p.clerk, at=hall.at(50)) == second
    # booked to A01 now: A02 no longer sees it
    assert second.pk not in [t.pk for t in services.order_at(hall.a02, hall.at(0).date())]


# --- the property test ---------------------------------------------------------------------------
ISSUE = st.tuples(st.just("issue"), st.booleans(), st.booleans())  # priority?, same minute?
CALL = st.tuples(st.just("call"), st.sampled_from([0, 1]), st.booleans())  # window, finish?
OPS = st.lists(st.one_of(ISSUE, CALL), min_size=1, max_size=40)


def _key(ticket: Ticket) -> tuple[Any, int]:
    return (ticket.issued_at, ticket.pk)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS, k=st.integers(min_value=1, max_value=4))
def test_fifo_within_a_class_and_the_fairness_bound(hall, ops, k):
    """For any sequence of issuing and calling at A01 and A02 (both serve line A), every call:

    - takes the earliest waiting ticket (issue time, id) of its class: no ticket is overtaken by a
      later one of the same class;
    - is a priority call only while fewer than K priority calls were made in a row at that window
      or no ordinary ticket is waiting (at most K priority calls in a row while one waits);
    - is an ordinary call while a priority ticket waits only right after K priority calls in a
      row at that window;
    - fails with a message when nothing waits.
    """
    TicketEvent.objects.all().delete()
    Ticket.objects.all().delete()
    TicketCounter.objects.all().delete()
    windows = [hall.a01, hall.a02]
    clerks = [hall.p.clerk, hall.clerk_a2]
    streak = [0, 0]
    minute = 0
    with override_settings(QUEUE_PRIORITY_STREAK=k):
        for op in ops:
            if op[0] == "issue":
                minute += 0 if op[2] else 1
                _issue(hall, minute, PriorityReason.ELDERLY if op[1] else "")
                continue
            index, finish_it = op[1], op[2]
            window = windows[index]
            current = services.current_at(window)
            if current is not None:
                # finish or skip what the window is serving first
                if finish_it:
                    services.finish(window, current, clerks[index])
                else:
                    services.skip(window, current, clerks[index])
            waiting = list(Ticket.objects.filter(status=TicketStatus.WAITING))
            priority_waiting = [t for t in waiting if t.is_priority]
            ordinary_waiting = [t for t in waiting if not t.is_priority]
            if not waiting:
                with pytest.raises(QueueError, match="当前没有等候的号"):
                    services.call_next(window, clerks[index])
                continue
            called = services.call_next(window, clerks[index])
            same_class = priority_waiting if called.is_priority else ordinary_waiting
            assert _key(called) == min(_key(t) for t in same_class)
            if called.is_priority:
                assert streak[index] < k or not ordinary_waiting
                streak[index] += 1
            else:
                if priority_waiting:
                    assert streak[index] >= k
                streak[index] = 0
            assert services.priority_streak(window, called.day) == min(streak[index], k + 1)
