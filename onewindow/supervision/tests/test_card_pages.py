"""The department's card list and the supervisor's card console (pages): who sees which cards,
the explanation → confirm → rectify forms, refusals shown, others 404 and logged."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.core.models import AccessDenied
from onewindow.review.tests.task_world import accepted_case, make_world
from onewindow.supervision.models import Card, CardStatus
from onewindow.supervision.tests.world import sweep_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(personas) -> Card:
    world = make_world(personas)
    accepted_case(world)
    sweep_on("2025-10-15")  # task A red (dept A), task C red (dept C), B yellow? no: due 10-17
    return Card.objects.get(rule__code="task_due", level="red", department=personas.dept_a)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _act(client: Client, card: Card, action: str, text: str = "说明内容"):
    card.refresh_from_db()
    url = reverse("supervision:card_act", args=[card.pk, action])
    return client.post(url, {"text": text, "revision": card.revision})


def test_the_department_sees_its_own_cards_and_the_supervisor_every_card(card, personas):
    own = _client(personas.handler_a).get(reverse("supervision:cards")).content.decode()
    assert reverse("supervision:card", args=[card.pk]) in own
    others = Card.objects.exclude(department=personas.dept_a)
    assert others.exists()
    assert all(reverse("supervision:card", args=[c.pk]) not in own for c in others)
    console = _client(personas.supervisor).get(reverse("supervision:cards")).content.decode()
    assert all(reverse("supervision:card", args=[c.pk]) in console for c in Card.objects.all())


def test_explain_confirm_rectify_through_the_pages(card, personas):
    dept, sup = _client(personas.handler_a), _client(personas.supervisor)
    page = dept.get(reverse("supervision:card", args=[card.pk])).content.decode()
    assert reverse("supervision:card_act", args=[card.pk, "explain"]) in page
    assert reverse("supervision:card_act", args=[card.pk, "confirm"]) not in page
    assert _act(dept, card, "explain", "国庆长假后积压").status_code == 302
    assert _act(sup, card, "confirm", "说明不充分").status_code == 302
    assert _act(dept, card, "rectify", "已办结并整改").status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.RECTIFIED and card.explanation == "国庆长假后积压"


def test_a_wrong_step_is_shown_with_its_reason_and_changes_nothing(card, personas):
    response = _act(_client(personas.supervisor), card, "confirm", "确认")
    assert response.status_code == 400
    assert "不能进行此操作" in response.content.decode()
    response = _act(_client(personas.handler_a), card, "explain", "   ")
    assert response.status_code == 400
    card.refresh_from_db()
    assert card.status == CardStatus.ISSUED


def test_acting_outside_ones_role_or_reading_another_departments_card_is_404_and_logged(
    card, personas
):
    assert _act(_client(personas.supervisor), card, "explain").status_code == 404
    assert _act(_client(personas.chief_a), card, "cancel").status_code == 404
    assert (
        _client(personas.reviewer_b).get(reverse("supervision:card", args=[card.pk])).status_code
        == 404
    )
    assert _client(personas.applicant).get(reverse("supervision:cards")).status_code == 404
    assert AccessDenied.objects.filter(target__startswith="supervision.card").count() == 4
    card.refresh_from_db()
    assert card.status == CardStatus.ISSUED


def test_the_card_list_pages_by_50_and_keeps_the_filters_on_the_next_page(card, personas):
    copies = [
        Card(
            rule=card.rule,
            level=card.level,
            object_kind=card.object_kind,
            object_id=10_000 + n,
            case=card.case,
            department=card.department,
            status=card.status,
            issued_at=card.issued_at,
        )
        for n in range(60)
    ]
    Card.objects.bulk_create(copies)
    client = _client(personas.supervisor)
    query = f"?status={CardStatus.ISSUED}&department={personas.dept_a.pk}"
    first = client.get(reverse("supervision:cards") + query).content.decode()
    assert "第 1 页，共 2 页" in first
    next_link = f"?status={CardStatus.ISSUED}&amp;department={personas.dept_a.pk}&amp;page=2"
    assert next_link in first
    second = client.get(reverse("supervision:cards") + query + "&page=2").content.decode()
    assert "第 2 页，共 2 页" in second
    assert 'rel="prev"' in second
