"""Review's task marks: what higher apps register to show beside a department's tasks, without
review importing them (supervision's open cards)."""

from __future__ import annotations

from unittest import mock

from onewindow.review import task_marks
from onewindow.review.task_marks import TaskMarks, department_mark_count, marks_by_pair


def test_supervision_registers_its_open_cards_at_ready():
    assert "supervision_cards" in task_marks._registered


def test_marks_of_every_registered_app_are_merged_per_pair_and_counts_summed():
    one = TaskMarks(lambda pairs: {p: ["a"] for p in pairs if p[0] == 1}, lambda d: 2)
    two = TaskMarks(lambda pairs: {(1, 9): ["b"]}, lambda d: 3)
    with mock.patch.dict(task_marks._registered, {"one": one, "two": two}, clear=True):
        assert marks_by_pair([(1, 9), (2, 9)]) == {(1, 9): ["a", "b"]}
        assert department_mark_count(9) == 5


def test_with_nothing_registered_there_are_no_marks_and_no_count():
    with mock.patch.dict(task_marks._registered, {}, clear=True):
        assert marks_by_pair([(1, 9)]) == {}
        assert department_mark_count(9) is None
