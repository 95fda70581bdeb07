"""Steps and opinions: each department's chain of steps ends with its opinion
(docs/rules/licensing.md §C2)."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from onewindow.cases.errors import CaseError, WrongStatus
from onewindow.cases.models import CaseEvent
from onewindow.review import services
from onewindow.review.models import Opinion, OpinionKind, StepRecord, TaskStatus
from onewindow.review.selectors import case_opinions, case_opinions_complete
from onewindow.review.services import OpinionRefused, TaskConflict, TaskNotAllowed
from onewindow.review.tests.task_world import accepted_case, at, make_world, task_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def tworld(personas):
    return make_world(personas)


@pytest.fixture
def case(tworld):
    c = accepted_case(tworld)
    with time_machine.travel(at("2025-10-09"), tick=False):
        yield c


def _through_steps(task, p):
    services.task_step_complete(task=task, actor=p.handler_a, comment="材料齐全", revision=0)
    services.task_step_complete(task=task, actor=p.reviewer_a, comment="符合条件", revision=1)
    task.refresh_from_db()
    return task


def test_the_steps_go_handle_review_approve_each_by_its_role(tworld, case):
    p = tworld.p
    task = _through_steps(task_of(case, p.dept_a), p)
    assert task.step == 2 and task.revision == 2
    records = list(StepRecord.objects.filter(task=task).values_list("kind", "actor_id", "outcome"))
    assert records == [("handle", p.handler_a.pk, "pass"), ("review", p.reviewer_a.pk, "pass")]
    services.task_opinion_give(task=task, actor=p.approver_a, kind="agree", revision=2)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.closed_at is not None


def test_a_handler_cannot_do_the_approvers_step_but_the_chief_can(tworld, case):
    p = tworld.p
    task = _through_steps(task_of(case, p.dept_a), p)
    with pytest.raises(TaskNotAllowed, match="批准人"):
        services.task_opinion_give(task=task, actor=p.handler_a, kind="agree", revision=2)
    with pytest.raises(TaskNotAllowed):
        services.task_opinion_give(task=task, actor=p.reviewer_a, kind="agree", revision=2)
    services.task_opinion_give(task=task, actor=p.chief_a, kind="agree", revision=2)
    assert Opinion.objects.get(task=task).actor == p.chief_a


def test_an_approver_may_do_the_handling_step(tworld, case):
    task = task_of(case, tworld.p.dept_a)
    services.task_step_complete(task=task, actor=tworld.p.approver_a, comment="", revision=0)
    task.refresh_from_db()
    assert task.step == 1


def test_the_opinion_can_only_be_given_at_the_last_step(tworld, case):
    task = task_of(case, tworld.p.dept_a)
    with pytest.raises(CaseError, match="最后一个环节"):
        services.task_opinion_give(task=task, actor=tworld.p.chief_a, kind="agree", revision=0)
    assert not Opinion.objects.exists()


def test_returning_goes_back_one_step_and_needs_a_reason(tworld, case):
    p = tworld.p
    task = task_of(case, p.dept_a)
    services.task_step_complete(task=task, actor=p.handler_a, comment="", revision=0)
    task.refresh_from_db()
    with pytest.raises(CaseError, match="退回须说明理由"):
        services.task_return(task=task, actor=p.reviewer_a, comment="  ", revision=1)
    services.task_return(task=task, actor=p.reviewer_a, comment="营业执照复印件不清晰", revision=1)
    task.refresh_from_db()
    assert task.step == 0
    assert StepRecord.objects.filter(task=task, outcome="return").count() == 1


def test_disagreeing_without_reasons_is_refused_and_nothing_changes(tworld, case):
    task = task_of(case, tworld.p.dept_b)
    with pytest.raises(OpinionRefused, match="必须说明理由"):
        services.task_opinion_give(
            task=task, actor=tworld.p.reviewer_b, kind="disagree", text="   ", revision=0
        )
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.revision == 0
    assert not Opinion.objects.exists() and not StepRecord.objects.exists()
    assert not CaseEvent.objects.filter(action="opinion_given").exists()


def test_agreeing_with_conditions_needs_the_conditions(tworld, case):
    task = task_of(case, tworld.p.dept_b)
    with pytest.raises(OpinionRefused, match="所附条件"):
        services.task_opinion_give(
            task=task, actor=tworld.p.reviewer_b, kind="agree_conditions", text="", revision=0
        )
    services.task_opinion_give(
        task=task,
        actor=tworld.p.reviewer_b,
        kind="agree_conditions",
        text="开业前须通过消防验收",
        revision=0,
    )
    assert Opinion.objects.get(task=task).text == "开业前须通过消防验收"


def test_a_disagreement_with_reasons_is_recorded(tworld, case):
    task = task_of(case, tworld.p.dept_b)
    services.task_opinion_give(
        task=task, actor=tworld.p.reviewer_b, kind="disagree", text="选址不符合规划", revision=0
    )
    opinion = Opinion.objects.get(task=task)
    assert (opinion.kind, opinion.text) == (OpinionKind.DISAGREE, "选址不符合规划")


def test_a_stale_revision_is_a_conflict_and_changes_nothing(tworld, case):
    task = task_of(case, tworld.p.dept_b)
    with pytest.raises(TaskConflict, match="刚刚已被他人处理"):
        services.task_opinion_give(task=task, actor=tworld.p.reviewer_b, kind="agree", revision=7)
    assert not Opinion.objects.exists()


def test_an_answered_task_takes_no_second_opinion(tworld, case):
    task = task_of(case, tworld.p.dept_b)
    services.task_opinion_give(task=task, actor=tworld.p.reviewer_b, kind="agree", revision=0)
    with pytest.raises(WrongStatus):
        services.task_opinion_give(
            task=task, actor=tworld.p.reviewer_b, kind="disagree", text="x", revision=1
        )
    assert Opinion.objects.filter(task=task).count() == 1


def test_the_case_is_ready_for_decision_when_the_last_department_answers(tworld, case):
    p = tworld.p
    services.task_opinion_give(
        task=task_of(case, p.dept_b), actor=p.reviewer_b, kind="agree", revision=0
    )
    task_c = task_of(case, tworld.dept_c)
    chief_c = type(p.chief_a).objects.create_user(
        username="chief_c", password="x", role="chief", department=tworld.dept_c
    )
    services.task_opinion_give(task=task_c, actor=chief_c, kind="agree", revision=0)
    assert not case_opinions_complete(case)
    assert not CaseEvent.objects.filter(case=case, action="opinions_complete").exists()
    task_a = _through_steps(task_of(case, p.dept_a), p)
    services.task_opinion_give(
        task=task_a, actor=p.approver_a, kind="agree_conditions", text="限期整改", revision=2
    )
    assert case_opinions_complete(case)
    assert CaseEvent.objects.filter(case=case, action="opinions_complete").count() == 1
    # Lead department first.
    assert case_opinions(case)[0].task.department_id == p.dept_a.pk


def test_the_task_page_gives_the_opinion_and_refuses_a_disagreement_without_reasons(
    client, tworld, case
):
    task = task_of(case, tworld.p.dept_b)
    client.force_login(tworld.p.reviewer_b)
    url = reverse("review:task_opinion", args=[task.pk])
    refused = client.post(url, {"revision": 0, "kind": "disagree", "text": ""})
    assert refused.status_code == 400
    assert "提出“不同意”意见必须说明理由" in refused.content.decode()
    assert not Opinion.objects.exists()
    done = client.post(url, {"revision": 0, "kind": "agree", "text": ""})
    assert done.status_code == 302
    assert Opinion.objects.get(task=task).kind == "agree"
