"""Card lifecycle (docs/product.md §C10): issued → explained (department) → confirmed | cancelled
(supervisor) → rectified (department); everything else refused with a clear message, nothing
changed. Reads of a card by anyone else are 404 and logged."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import RequestFactory

from onewindow.core.models import AccessDenied
from onewindow.review.tests.task_world import accepted_case, make_world
from onewindow.supervision import selectors
from onewindow.supervision.errors import CardConflict, CardError, CardForbidden, CardWrongStatus
from onewindow.supervision.models import Card, CardStatus
from onewindow.supervision.services import (
    card_cancel,
    card_confirm,
    card_explain,
    card_rectify,
)
from onewindow.supervision.tests.world import sweep_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(personas) -> Card:
    world = make_world(personas)
    accepted_case(world)
    sweep_on("2025-10-15")
    return Card.objects.get(rule__code="task_due", level="red", department=personas.dept_a)


def test_the_full_lifecycle_records_who_did_what(card, personas):
    card = card_explain(card=card, actor=personas.handler_a, text="节假日后材料集中，已加派人手")
    assert card.status == CardStatus.EXPLAINED and card.explained_by == personas.handler_a
    card = card_confirm(card=card, actor=personas.supervisor, reason="说明不成立，请整改")
    assert card.status == CardStatus.CONFIRMED and card.reviewed_by == personas.supervisor
    card = card_rectify(card=card, actor=personas.chief_a, text="已完成审查并建立提醒制度")
    assert card.status == CardStatus.RECTIFIED and card.rectified_at is not None
    assert card.revision == 3


def test_a_supervisor_may_cancel_an_issued_or_explained_card(card, personas):
    card = card_cancel(card=card, actor=personas.supervisor, reason="系统日历维护期间误发")
    assert card.status == CardStatus.CANCELLED and card.review_note == "系统日历维护期间误发"
    with pytest.raises(CardWrongStatus, match="已撤销"):
        card_explain(card=card, actor=personas.handler_a, text="说明")


def test_confirming_before_the_explanation_is_refused(card, personas):
    with pytest.raises(CardWrongStatus, match="已发牌，待说明"):
        card_confirm(card=card, actor=personas.supervisor, reason="确认")
    card.refresh_from_db()
    assert card.status == CardStatus.ISSUED and card.revision == 0


def test_rectifying_an_unconfirmed_or_cancelling_a_confirmed_card_is_refused(card, personas):
    with pytest.raises(CardWrongStatus):
        card_rectify(card=card, actor=personas.handler_a, text="已整改")
    card = card_explain(card=card, actor=personas.handler_a, text="说明")
    card = card_confirm(card=card, actor=personas.supervisor, reason="确认")
    with pytest.raises(CardWrongStatus):
        card_cancel(card=card, actor=personas.supervisor, reason="撤销")
    with pytest.raises(CardWrongStatus):
        card_explain(card=card, actor=personas.handler_a, text="再说明")


def test_only_the_cards_department_explains_and_rectifies(card, personas):
    for outsider in (personas.reviewer_b, personas.supervisor, personas.applicant, personas.admin):
        with pytest.raises(CardForbidden, match="被发牌部门"):
            card_explain(card=card, actor=outsider, text="说明")
    card.refresh_from_db()
    assert card.status == CardStatus.ISSUED and card.explanation == ""


def test_only_a_supervisor_confirms_or_cancels(card, personas):
    card = card_explain(card=card, actor=personas.handler_a, text="说明")
    for other in (personas.chief_a, personas.approver_a, personas.admin, personas.auditor):
        with pytest.raises(CardForbidden, match="电子监察人员"):
            card_confirm(card=card, actor=other, reason="确认")
        with pytest.raises(CardForbidden):
            card_cancel(card=card, actor=other, reason="撤销")
    card.refresh_from_db()
    assert card.status == CardStatus.EXPLAINED


def test_a_blank_text_is_refused(card, personas):
    with pytest.raises(CardError, match="请填写情况说明"):
        card_explain(card=card, actor=personas.handler_a, text="  \n")
    card = card_explain(card=card, actor=personas.handler_a, text="说明")
    with pytest.raises(CardError, match="请填写撤销理由"):
        card_cancel(card=card, actor=personas.supervisor, reason="")


def test_two_people_acting_on_the_same_card_at_once_one_wins(card, personas):
    stale = Card.objects.get(pk=card.pk)
    card_explain(card=card, actor=personas.handler_a, text="说明一")
    stale.status = CardStatus.ISSUED  # the second screen still shows it as issued
    with pytest.raises(CardConflict, match="刚刚已被他人处理"):
        card_explain(card=stale, actor=personas.chief_a, text="说明二")
    card.refresh_from_db()
    assert card.explanation == "说明一"


def _request(user, path="/supervision/cards/1/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def test_a_card_is_read_by_its_department_and_supervisors_only(card, personas):
    for reader in (personas.handler_a, personas.chief_a, personas.supervisor):
        assert selectors.card_get(_request(reader), card.pk)[0] == card
    for other in (personas.reviewer_b, personas.applicant, personas.outsider):
        with pytest.raises(Http404):
            selectors.card_get(_request(other), card.pk)
    assert AccessDenied.objects.filter(target=f"supervision.card:{card.pk}").count() == 3


def test_the_department_list_holds_its_own_cards_and_the_console_every_card(card, personas):
    dept_a = selectors.cards_for_department(_request(personas.handler_a))
    assert card in dept_a and all(c.department_id == personas.dept_a.pk for c in dept_a)
    assert set(selectors.cards_for_supervisor(_request(personas.supervisor))) == set(
        Card.objects.all()
    )
    for other in (personas.applicant, personas.supervisor):
        with pytest.raises(Http404):
            selectors.cards_for_department(_request(other))
    with pytest.raises(Http404):
        selectors.cards_for_supervisor(_request(personas.chief_a))
    assert AccessDenied.objects.filter(target="supervision.card").count() == 3
