"""Marks that higher apps show beside a department's review tasks.

Supervision shows its open yellow/red cards on the reviewer's inbox rows, on the task page and
as a count for the department. Review does not import supervision: supervision registers its
two readers here from its ``AppConfig.ready``, keyed by a name, and the review pages ask this
module. With nothing registered the pages show no marks and no count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Pair = tuple[int, int]  # (case id, department id): a department sees only its own marks


@dataclass(frozen=True)
class TaskMarks:
    """``per_task`` reads the marks of many (case, department) pairs in one query for a whole
    page of rows; ``department_count`` counts the department's open marks."""

    per_task: Callable[[Iterable[Pair]], Mapping[Pair, list[Any]]]
    department_count: Callable[[int], int]


_registered: dict[str, TaskMarks] = {}


def task_marks_register(name: str, marks: TaskMarks) -> None:
    """Called from an app's ``ready``; registering a name again replaces its readers."""
    _registered[name] = marks


def marks_by_pair(pairs: Iterable[Pair]) -> dict[Pair, list[Any]]:
    """Every registered app's marks of each pair; a pair without marks is absent."""
    wanted = list(pairs)
    found: dict[Pair, list[Any]] = {}
    for marks in _registered.values():
        for pair, rows in marks.per_task(wanted).items():
            found.setdefault(pair, []).extend(rows)
    return found


def department_mark_count(department_id: int) -> int | None:
    """The department's open marks, or None when no app registers any."""
    if not _registered:
        return None
    return sum(marks.department_count(department_id) for marks in _registered.values())
