"""The state-machine helper (onewindow.core.statemachine) on the letter lifecycle: declared
transitions, one conditional UPDATE, one event row."""

from __future__ import annotations

import pytest

from onewindow.review.tests.task_world import accepted_case, make_world
from onewindow.supervision.errors import LetterConflict, LetterWrongStatus
from onewindow.supervision.models import LETTER_MACHINE, LetterStatus, SupervisionLetter
from onewindow.supervision.tests.test_events import _issue

pytestmark = pytest.mark.django_db


def test_a_move_checks_updates_bumps_and_records(personas):
    letter = _issue(personas, accepted_case(make_world(personas)))
    seen = []

    def record(old: str, new: str) -> str:
        seen.append((old, new))
        return "row"

    result = LETTER_MACHINE.move(letter, to=LetterStatus.RESPONDED, record=record, response="好")
    assert result == "row" and seen == [("issued", "responded")]
    assert (letter.status, letter.revision, letter.response) == ("responded", 1, "好")
    stored = SupervisionLetter.objects.get(pk=letter.pk)
    assert (stored.status, stored.revision, stored.response) == ("responded", 1, "好")


def test_an_undeclared_move_is_refused_and_a_stale_one_writes_nothing(personas):
    letter = _issue(personas, accepted_case(make_world(personas)))
    with pytest.raises(LetterWrongStatus):
        LETTER_MACHINE.move(letter, to=LetterStatus.CLOSED)
    stale = SupervisionLetter.objects.get(pk=letter.pk)
    LETTER_MACHINE.move(letter, to=LetterStatus.RESPONDED)
    seen = []
    with pytest.raises(LetterConflict):
        LETTER_MACHINE.move(stale, to=LetterStatus.RESPONDED, record=lambda o, n: seen.append(n))
    assert seen == [] and stale.revision == 0
    assert SupervisionLetter.objects.get(pk=letter.pk).revision == 1
