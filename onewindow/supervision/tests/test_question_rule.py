"""Rule question_unanswered (咨询逾期未答复, docs/rules/consultation.md §K1 with the
docs/rules/supervision.md §D2 timing), with the clock frozen.

A question asked on 2025-09-30 is due 2025-10-14 (5 working days across the National Day
holiday: Oct 9, 10, Sat 11, 13, 14). n = r = 1: yellow on Mon 2025-10-13 (the working day before),
red on Wed 2025-10-15 (the first working day after) while still unanswered; nothing on Fri
2025-10-10 and nothing once it is answered.
"""

from __future__ import annotations

import pytest
import time_machine

from onewindow.consult import services
from onewindow.consult.tests.world import World, ask, at, world
from onewindow.supervision.models import Card, CardLevel, ObjectKind
from onewindow.supervision.rules import crossed
from onewindow.supervision.tests.world import D, rule, sweep_on

pytestmark = pytest.mark.django_db
__all__ = ["world"]  # the fixture

CODE = "question_unanswered"


def _cards(question_id: int) -> list[tuple[str, str]]:
    return sorted(
        Card.objects.filter(
            rule__code=CODE, object_kind=ObjectKind.QUESTION, object_id=question_id
        ).values_list("level", "detail")
    )


def test_the_rule_is_seeded_as_a_deadline_rule() -> None:
    seeded = rule(CODE)
    assert (seeded.name, seeded.kind, seeded.enabled) == ("咨询逾期未答复", "deadline", True)
    assert (seeded.yellow_days_before, seeded.red_days_after) == (1, 1)


def test_yellow_the_working_day_before_red_the_first_working_day_after(world: World) -> None:
    question = ask(world, day="2025-09-30")
    assert question.reply_due == D("2025-10-14")
    sweep_on("2025-10-10")
    assert _cards(question.pk) == []
    sweep_on("2025-10-13")
    assert _cards(question.pk) == [("yellow", "网上咨询答复期限 2025-10-14")]
    sweep_on("2025-10-14")  # due today: still only the yellow card
    assert [level for level, _d in _cards(question.pk)] == ["yellow"]
    sweep_on("2025-10-15")
    assert [level for level, _d in _cards(question.pk)] == ["red", "yellow"]
    card = Card.objects.get(rule__code=CODE, level=CardLevel.RED)
    assert (card.department, card.case, card.due) == (world.p.dept_a, None, D("2025-10-14"))
    sweep_on("2025-10-16")  # idempotent: one card per crossing
    assert len(_cards(question.pk)) == 2


def test_no_card_once_answered(world: World) -> None:
    question = ask(world, day="2025-09-30")
    services.question_reply(
        question=question, actor=world.p.handler_a, reply="已答复。", now=at("2025-10-11")
    )
    for day in ("2025-10-13", "2025-10-15", "2025-10-20"):
        sweep_on(day)
    assert _cards(question.pk) == []
    assert crossed(rule(CODE), CardLevel.RED, D("2025-10-15")) == []


def test_answered_after_the_yellow_card_gets_no_red_one(world: World) -> None:
    question = ask(world, day="2025-09-30")
    sweep_on("2025-10-13")
    with time_machine.travel(at("2025-10-14", 16), tick=False):
        services.question_reply(question=question, actor=world.p.handler_a, reply="已答复。")
    sweep_on("2025-10-15")
    assert [level for level, _d in _cards(question.pk)] == ["yellow"]


def test_the_card_page_links_the_question(world: World, client) -> None:
    question = ask(world, day="2025-09-30")
    sweep_on("2025-10-15")
    card = Card.objects.get(rule__code=CODE, level=CardLevel.RED)
    client.force_login(world.p.supervisor)
    html = client.get(f"/supervision/cards/{card.pk}/").content.decode()
    assert f"/consult/questions/{question.pk}/" in html
    page = client.get(f"/consult/questions/{question.pk}/")
    assert page.status_code == 200 and question.title in page.content.decode()
