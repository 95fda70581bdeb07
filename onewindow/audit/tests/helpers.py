"""Shared helpers of the audit tests: a case with events, raw SQL as a DBA would send it."""

from __future__ import annotations

from typing import Any

from django.db import connection

from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.tests.test_intake_rules import submitted_case
from onewindow.cases.transitions import event_record

TABLE = CaseEvent._meta.db_table


def case_with_events(world: Any) -> Case:
    """A submitted case: draft, uploads and submission events."""
    case: Case = submitted_case(world)
    return case


def note(case: Case, text: str, actor: Any = None) -> CaseEvent:
    """One more event on ``case`` (an action that keeps the status)."""
    return event_record(case, actor=actor, action="note_added", reason=text, public=False)


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
