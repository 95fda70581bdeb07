"""Cards next to their case (docs/product.md §C10, docs/rules/supervision.md §D7): the department's
inbox and task page show the open cards of the case for that department only; the supervisor console
shows every department's cards with their status; the inbox fetches the cards of a page in one
query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.cases.models import Case
from onewindow.core import clock
from onewindow.review.tests.task_world import accepted_case, make_world, task_of
from onewindow.supervision.models import Card, CardStatus, Rule

pytestmark = pytest.mark.django_db


def _card(case: Case, department, *, level="red", status=CardStatus.ISSUED, code="task_due"):
    task = task_of(case, department)
    return Card.objects.create(
        rule=Rule.objects.get(code=code),
        level=level,
        object_kind="task",
        object_id=task.pk,
        case=case,
        department=department,
        status=status,
        due=task.due,
        issued_at=clock.now(),
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _row_of(page: str, number: str) -> str:
    """The table row (``<tr>…</tr>``) of the case ``number``."""
    rows = [row for row in page.split("<tr") if number in row]
    assert len(rows) == 1, number
    return rows[0].split("</tr>")[0]


@pytest.fixture
def world(personas):
    w = make_world(personas)
    first, second = accepted_case(w), accepted_case(w)
    p = personas
    cards = {
        "a_red": _card(first, p.dept_a),
        "a_yellow_second": _card(second, p.dept_a, level="yellow"),
        "b_on_first": _card(first, p.dept_b, level="yellow"),
        "a_cancelled": _card(first, p.dept_a, level="yellow", status=CardStatus.CANCELLED),
        "a_rectified_second": _card(second, p.dept_a, status=CardStatus.RECTIFIED),
    }
    return w, first, second, cards


def _url(card: Card) -> str:
    return reverse("supervision:card", args=[card.pk])


def test_each_inbox_row_shows_the_open_cards_of_its_case_for_this_department_only(world):
    w, first, second, cards = world
    page = _client(w.p.handler_a).get(reverse("review:inbox")).content.decode()
    row_first, row_second = _row_of(page, first.number), _row_of(page, second.number)
    assert _url(cards["a_red"]) in row_first and "task_due" not in row_first
    assert "红牌" in row_first and Rule.objects.get(code="task_due").name in row_first
    assert _url(cards["a_yellow_second"]) in row_second
    assert _url(cards["a_red"]) not in row_second
    # Another department's card, cancelled and rectified cards: not shown.
    for name in ("b_on_first", "a_cancelled", "a_rectified_second"):
        assert _url(cards[name]) not in page


def test_another_department_sees_its_own_card_next_to_the_same_case(world):
    w, first, _second, cards = world
    page = _client(w.p.reviewer_b).get(reverse("review:inbox")).content.decode()
    row = _row_of(page, first.number)
    assert _url(cards["b_on_first"]) in row and _url(cards["a_red"]) not in page


def test_the_inbox_counts_the_departments_open_cards_and_links_to_the_card_list(world):
    w, *_ = world
    response = _client(w.p.handler_a).get(reverse("review:inbox"))
    assert response.context["open_cards"] == "2"  # bounded, shown as "1000+" past 1,000
    assert f'href="{reverse("supervision:cards")}"' in response.content.decode()


def test_the_task_page_shows_the_open_cards_of_its_case_for_its_department(world):
    w, first, second, cards = world
    client = _client(w.p.handler_a)
    page = client.get(reverse("review:task", args=[task_of(first, w.p.dept_a).pk])).content
    text = page.decode()
    assert _url(cards["a_red"]) in text and "已发牌，待说明" in text
    assert _url(cards["b_on_first"]) not in text and _url(cards["a_cancelled"]) not in text
    other = client.get(reverse("review:task", args=[task_of(second, w.p.dept_a).pk])).content
    assert _url(cards["a_red"]) not in other.decode()


def test_the_console_list_and_case_page_show_every_departments_cards_with_status(world):
    w, first, second, cards = world
    client = _client(w.p.supervisor)
    page = client.get(reverse("supervision:console")).content.decode()
    row_first = _row_of(page, first.number)
    for name in ("a_red", "b_on_first", "a_cancelled"):
        assert _url(cards[name]) in row_first
    assert "已撤销" in row_first and w.p.dept_b.name in row_first
    assert _url(cards["a_rectified_second"]) in _row_of(page, second.number)
    case_page = client.get(reverse("supervision:console_case", args=[first.pk])).content.decode()
    for name in ("a_red", "b_on_first", "a_cancelled"):
        assert _url(cards[name]) in case_page
    assert _url(cards["a_yellow_second"]) not in case_page


def _inbox_queries(client: Client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("review:inbox"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_inbox_query_count_does_not_grow_with_the_number_of_rows(personas):
    w = make_world(personas)
    client = _client(personas.handler_a)
    for _ in range(5):
        _card(accepted_case(w), personas.dept_a)
    few, page = _inbox_queries(client)
    assert page.count('class="card-badges"') == 5
    for _ in range(20):
        _card(accepted_case(w), personas.dept_a)
    many, page = _inbox_queries(client)
    assert page.count('class="card-badges"') == 25
    assert many == few
