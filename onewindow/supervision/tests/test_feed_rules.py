"""The live feed by supervision rule and its 发牌动态 (docs/rules/supervision.md §D11): ``?rule=<code>``
keeps the events of the cases that have a card of that rule (the ``after`` cursor still works), and
the cards issued are listed newest first with their own ``cards_after`` cursor."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from onewindow.cases.models import Case, CaseEvent
from onewindow.core import clock
from onewindow.review.tests.task_world import accepted_case, at, make_world
from onewindow.supervision.models import Card, Rule
from onewindow.supervision.selectors.console import DRAFT_ACTIONS
from onewindow.supervision.tests.console_world import submitted_case_of_b

pytestmark = pytest.mark.django_db
API = "/api/v1/supervision/feed/"


def _card(case: Case, department, *, code: str, level: str = "red") -> Card:
    return Card.objects.create(
        rule=Rule.objects.get(code=code),
        level=level,
        object_kind="case",
        object_id=case.pk,
        case=case,
        department=department,
        issued_at=clock.now(),
    )


@pytest.fixture
def feed(personas):
    w = make_world(personas)
    a = accepted_case(w)
    b = submitted_case_of_b(w)
    with time_machine.travel(at("2025-10-15"), tick=False):
        on_a = _card(a, personas.dept_a, code="task_due")
        on_b = _card(b, personas.dept_b, code="case_intake_due", level="yellow")
        yield w, a, b, on_a, on_b


def _events(case: Case):
    return CaseEvent.objects.filter(case=case).exclude(action__in=DRAFT_ACTIONS)


def _get(client, user, **params):
    client.force_login(user)
    return client.get(API, params)


def test_the_rule_filter_keeps_the_events_of_cases_with_a_card_of_that_rule(client, feed):
    w, a, b, _on_a, _on_b = feed
    rows = _get(client, w.p.supervisor, rule="task_due").json()["results"]
    assert rows and {row["case_id"] for row in rows} == {a.pk}
    assert len(rows) == _events(a).count()
    rows = _get(client, w.p.supervisor, rule="case_intake_due").json()["results"]
    assert rows and {row["case_id"] for row in rows} == {b.pk}
    # A rule without any card: nothing.
    assert _get(client, w.p.supervisor, rule="case_decision_due").json()["results"] == []


def test_the_after_cursor_still_works_with_the_rule_filter(client, feed):
    w, a, _b, _on_a, _on_b = feed
    first, *later = _events(a).order_by("pk").values_list("pk", flat=True)
    data = _get(client, w.p.supervisor, rule="task_due", after=first).json()
    assert sorted(row["id"] for row in data["results"]) == later
    assert data["last_id"] == later[-1]
    empty = _get(client, w.p.supervisor, rule="task_due", after=later[-1]).json()
    assert empty == {"results": [], "last_id": later[-1]}


def test_an_unknown_rule_is_a_clear_400_in_the_api_and_ignored_on_the_page(client, feed):
    w, a, b, _on_a, _on_b = feed
    response = _get(client, w.p.supervisor, rule="no_such_rule")
    assert response.status_code == 400 and "rule" in response.json()["errors"]
    page = client.get(reverse("supervision:feed"), {"rule": "no_such_rule"}).content.decode()
    assert a.number in page and b.number in page


def test_the_page_filters_by_rule_and_offers_the_rules(client, feed):
    w, a, b, _on_a, _on_b = feed
    client.force_login(w.p.supervisor)
    page = client.get(reverse("supervision:feed"), {"rule": "case_intake_due"}).content.decode()
    assert b.number in page and a.number not in page
    assert '<option value="case_intake_due" selected>' in page
    assert 'data-rule="case_intake_due"' in page


def test_the_cards_issued_are_listed_newest_first_with_their_own_cursor(client, feed):
    w, a, _b, on_a, on_b = feed
    data = _get(client, w.p.supervisor, cards="1").json()
    assert [row["id"] for row in data["cards"]] == [on_b.pk, on_a.pk]
    assert data["cards_last_id"] == on_b.pk
    red = data["cards"][1]
    assert red["text"] == f"发出红牌：{on_a.rule.name}" and red["case_id"] == a.pk
    assert red["card_url"] == reverse("supervision:card", args=[on_a.pk])
    newer = _get(client, w.p.supervisor, cards_after=on_a.pk).json()
    assert [row["id"] for row in newer["cards"]] == [on_b.pk]
    none = _get(client, w.p.supervisor, cards_after=on_b.pk).json()
    assert none["cards"] == [] and none["cards_last_id"] == on_b.pk
    # Filtered by rule and department like the events.
    only_a = _get(client, w.p.supervisor, cards="1", rule="task_due").json()["cards"]
    assert [row["id"] for row in only_a] == [on_a.pk]
    only_b = _get(client, w.p.supervisor, cards="1", department=w.p.dept_b.pk).json()["cards"]
    assert [row["id"] for row in only_b] == [on_b.pk]
    # Without asking, the feed answers as before (events only).
    assert set(_get(client, w.p.supervisor).json()) == {"results", "last_id"}


def test_the_page_lists_the_cards_issued_linking_to_each_card(client, feed):
    w, _a, _b, on_a, on_b = feed
    client.force_login(w.p.supervisor)
    page = client.get(reverse("supervision:feed")).content.decode()
    section = page.split('id="feed-cards"')[1]
    assert f"发出红牌：{on_a.rule.name}" in section and f"发出黄牌：{on_b.rule.name}" in section
    assert section.index(reverse("supervision:card", args=[on_b.pk])) < section.index(
        reverse("supervision:card", args=[on_a.pk])
    )
    assert f'data-after="{on_b.pk}"' in page


def test_the_rule_filter_is_for_supervisors_only(client, feed):
    w, *_ = feed
    assert _get(client, w.p.handler_a, rule="task_due").status_code == 404
