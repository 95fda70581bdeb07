"""Every step of a card's and a letter's lifecycle writes exactly one event row (who, when, from
which status to which, the text); a step that loses a race writes none."""

from __future__ import annotations

import pytest
import time_machine

from onewindow.review.tests.task_world import accepted_case, at, make_world
from onewindow.supervision.errors import CardConflict, CardWrongStatus, LetterConflict
from onewindow.supervision.models import (
    Card,
    CardEvent,
    LetterEvent,
    LetterStatus,
    SupervisionLetter,
)
from onewindow.supervision.services import card_cancel, card_confirm, card_explain, card_rectify
from onewindow.supervision.services.letters import (
    letter_close,
    letter_issue,
    letter_respond,
    letters_escalate,
)
from onewindow.supervision.tests.world import sweep_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(personas) -> Card:
    accepted_case(make_world(personas))
    sweep_on("2025-10-15")
    return Card.objects.get(rule__code="task_due", level="red", department=personas.dept_a)


def _trail(events) -> list[tuple[str, str, str, int | None, str]]:
    return [(e.action, e.old_status, e.new_status, e.actor_id, e.note) for e in events]


def test_the_sweep_writes_one_issued_row_per_card_and_not_again(card):
    assert _trail(card.events.all()) == [("issued", "", "issued", None, "")]
    assert card.events.get().at == card.issued_at
    sweep_on("2025-10-15")  # the same crossing again: no new card, no new row
    assert CardEvent.objects.count() == Card.objects.count()


def test_each_card_step_writes_one_row(card, personas):
    card = card_explain(card=card, actor=personas.handler_a, text="已加派人手")
    card = card_confirm(card=card, actor=personas.supervisor, reason="请整改")
    card = card_rectify(card=card, actor=personas.chief_a, text="已整改")
    assert _trail(card.events.all()) == [
        ("issued", "", "issued", None, ""),
        ("explained", "issued", "explained", personas.handler_a.pk, "已加派人手"),
        ("confirmed", "explained", "confirmed", personas.supervisor.pk, "请整改"),
        ("rectified", "confirmed", "rectified", personas.chief_a.pk, "已整改"),
    ]
    assert card.events.last().at == card.rectified_at


def test_a_cancelled_card_has_its_row(card, personas):
    card_cancel(card=card, actor=personas.supervisor, reason="误发")
    assert _trail(card.events.exclude(action="issued")) == [
        ("cancelled", "issued", "cancelled", personas.supervisor.pk, "误发")
    ]


def test_a_refused_or_lost_card_step_writes_no_row(card, personas):
    stale = Card.objects.get(pk=card.pk)
    card_explain(card=card, actor=personas.handler_a, text="说明一")
    with pytest.raises(CardConflict):
        card_explain(card=stale, actor=personas.chief_a, text="说明二")
    with pytest.raises(CardWrongStatus):
        card_rectify(card=card, actor=personas.handler_a, text="已整改")
    assert card.events.count() == 2  # issued, explained


def _issue(personas, case) -> SupervisionLetter:
    with time_machine.travel(at("2025-09-30", 9), tick=False):  # due 2025-10-14
        return letter_issue(
            actor=personas.supervisor,
            department=personas.dept_a,
            case=case,
            subject="审查超时",
            text="请说明原因。",
        )


def test_each_letter_step_writes_one_row(personas):
    letter = _issue(personas, accepted_case(make_world(personas)))
    letter_respond(letter=letter, actor=personas.handler_a, text="已说明")
    letter_close(letter=letter, actor=personas.supervisor, note="办结")
    assert _trail(letter.events.all()) == [
        ("issued", "", "issued", personas.supervisor.pk, "审查超时"),
        ("responded", "issued", "responded", personas.handler_a.pk, "已说明"),
        ("closed", "responded", "closed", personas.supervisor.pk, "办结"),
    ]


def test_escalation_writes_one_row_once_and_a_lost_reply_none(personas):
    letter = _issue(personas, accepted_case(make_world(personas)))
    for day in ("2025-10-15", "2025-10-16"):
        with time_machine.travel(at(day, 7), tick=False):
            letters_escalate()
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ESCALATED
    assert _trail(letter.events.exclude(action="issued")) == [
        ("escalated", "issued", "escalated", None, "")
    ]
    stale = SupervisionLetter.objects.get(pk=letter.pk)
    letter_respond(letter=letter, actor=personas.handler_a, text="迟复")
    with pytest.raises(LetterConflict):
        letter_respond(letter=stale, actor=personas.chief_a, text="再复")
    assert LetterEvent.objects.filter(letter=letter).count() == 3
    assert [e.new_status for e in letter.events.all()][-1] == LetterStatus.RESPONDED
