"""The supervision letter pages (督办函): the supervisor lists, issues (also from a card page)
and closes; the department lists its letters and replies; refusals shown with nothing saved;
others 404 and logged; the PDF download."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from onewindow.core.models import AccessDenied
from onewindow.review.tests.task_world import accepted_case, at, make_world
from onewindow.supervision.models import Card, LetterStatus, SupervisionLetter
from onewindow.supervision.tests.world import sweep_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(personas) -> Card:
    accepted_case(make_world(personas))
    sweep_on("2025-10-15")
    return Card.objects.get(rule__code="task_due", level="red", department=personas.dept_a)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _issue(client: Client, card: Card, **data):
    form = {
        "department": card.department_id,
        "case_number": card.case.number if card.case else "",
        "card": card.pk,
        "subject": "审查超时督办",
        "text": "请说明审查超时原因。",
        "response_days": 5,
        **data,
    }
    with time_machine.travel(at("2025-10-15", 9), tick=False):
        return client.post(reverse("supervision:letter_new"), form)


def test_the_card_page_links_to_a_prefilled_issue_form(card, personas):
    sup = _client(personas.supervisor)
    page = sup.get(reverse("supervision:card", args=[card.pk])).content.decode()
    link = f"{reverse('supervision:letter_new')}?card={card.pk}"
    assert link in page
    form = sup.get(link).content.decode()
    assert card.case.number in form and card.detail in form
    dept_page = _client(personas.handler_a).get(reverse("supervision:card", args=[card.pk]))
    assert link not in dept_page.content.decode()


def test_issue_respond_close_through_the_pages(card, personas):
    sup = _client(personas.supervisor)
    response = _issue(sup, card)
    letter = SupervisionLetter.objects.get()
    assert response.status_code == 302 and letter.card == card
    # 10-15 + 5 working days: 10-16, 10-17, 10-20, 10-21, 10-22.
    assert str(letter.response_due) == "2025-10-22"
    own = _client(personas.handler_a).get(reverse("supervision:letters")).content.decode()
    assert letter.number in own
    detail = _client(personas.handler_a).get(reverse("supervision:letter", args=[letter.pk]))
    assert "提交回复" in detail.content.decode()
    r = _client(personas.handler_a).post(
        reverse("supervision:letter_respond", args=[letter.pk]),
        {"text": "已加派人手", "revision": letter.revision},
    )
    assert r.status_code == 302
    letter.refresh_from_db()
    r = sup.post(
        reverse("supervision:letter_close", args=[letter.pk]),
        {"text": "同意办结", "revision": letter.revision},
    )
    assert r.status_code == 302
    letter.refresh_from_db()
    assert letter.status == LetterStatus.CLOSED
    listed = sup.get(reverse("supervision:letters"), {"status": "closed"}).content.decode()
    assert letter.number in listed
    pdf = sup.get(reverse("supervision:letter_pdf", args=[letter.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "  "}, "请填写督办内容"),
        ({"response_days": 0}, "回复期限须为 1 至 20 个工作日"),
        ({"response_days": 30}, "回复期限须为 1 至 20 个工作日"),
        ({"case_number": "NOPE"}, "没有编号为 NOPE 的办件"),
    ],
)
def test_bad_input_is_shown_and_nothing_is_saved(card, personas, data, message):
    response = _issue(_client(personas.supervisor), card, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SupervisionLetter.objects.exists()


def test_others_are_404_and_logged(card, personas):
    assert _issue(_client(personas.chief_a), card).status_code == 404
    assert not SupervisionLetter.objects.exists()
    _issue(_client(personas.supervisor), card)
    letter = SupervisionLetter.objects.get()
    other = _client(personas.reviewer_b)
    assert other.get(reverse("supervision:letter", args=[letter.pk])).status_code == 404
    assert other.get(reverse("supervision:letter_pdf", args=[letter.pk])).status_code == 404
    r = other.post(
        reverse("supervision:letter_respond", args=[letter.pk]), {"text": "x", "revision": 0}
    )
    assert r.status_code == 404
    r = _client(personas.handler_a).post(
        reverse("supervision:letter_close", args=[letter.pk]), {"text": "x", "revision": 0}
    )
    assert r.status_code == 404
    assert _client(personas.applicant).get(reverse("supervision:letters")).status_code == 404
    assert AccessDenied.objects.filter(target__startswith="supervision.letter").count() == 6
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED
