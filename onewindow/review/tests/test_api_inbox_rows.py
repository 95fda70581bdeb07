"""The inbox API's rows are built without the serializer (``inbox_row_json``); they must be
exactly what ``InboxTaskSerializer`` answered, for every kind of task: each status, paused or
not, provisional due dates, a case suspended, not yet numbered or without a decision date."""

from __future__ import annotations

import copy
import json

import pytest
import time_machine

from onewindow.cases.models import CaseStatus
from onewindow.review.api.tasks import InboxTaskSerializer, inbox_row, inbox_row_json
from onewindow.review.models import TaskStatus
from onewindow.review.selectors import InboxFilters, inbox_rows
from onewindow.review.tests.task_world import SEEN_AT, three_accepted

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(personas):
    three_accepted(personas)
    with time_machine.travel(SEEN_AT, tick=False):
        yield list(inbox_rows(personas.supervisor, InboxFilters(status="all")))


def variants(task):
    for status in TaskStatus.values:
        for paused in (True, False, None):
            for provisional in (True, False):
                other, case = copy.copy(task), copy.copy(task.case)
                other.case = case
                other.status, other.due_provisional = status, provisional
                case.due_provisional = provisional
                if paused is None:
                    del other.clock_paused  # read from the task itself, as on the detail page
                else:
                    other.clock_paused = paused
                yield other
    bare = copy.copy(task)
    bare.case = copy.copy(task.case)
    bare.case.number, bare.case.accepted_on, bare.case.decision_due = None, None, None
    bare.case.status = CaseStatus.SUSPENDED
    bare.is_lead = not task.is_lead
    yield bare


def test_the_rows_are_what_the_serializer_answered(tasks):
    assert len(tasks) >= 6
    with time_machine.travel(SEEN_AT, tick=False):
        checked = 0
        for task in tasks:
            for variant in variants(task):
                expected = json.loads(json.dumps(InboxTaskSerializer(inbox_row(variant)).data))
                built = inbox_row_json(variant)
                assert json.loads(json.dumps(built)) == expected
                assert list(built) == list(expected)  # the same keys in the same order
                checked += 1
    assert checked > 100


def test_the_inbox_api_answers_the_built_rows(client, personas, tasks):
    from onewindow.testing import login_with_code

    assert login_with_code(client, personas.supervisor.username)
    with time_machine.travel(SEEN_AT, tick=False):
        answer = client.get("/api/v1/review/inbox/?status=all").json()
        expected = [json.loads(json.dumps(InboxTaskSerializer(inbox_row(t)).data)) for t in tasks]
    assert answer["results"] == expected[: len(answer["results"])] and answer["results"]
