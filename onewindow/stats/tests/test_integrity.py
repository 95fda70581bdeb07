"""``onewindow integrity``: sound data passes every check; each kind of damage a crash or a
careless repair could leave (a duplicate, a status without the rows it needs) is found and named,
and the command exits 1 on it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from onewindow.audit.triggers import triggers_suspended
from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseEvent, CaseStatus
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.uploads import case_file_add
from onewindow.catalog.models import Region, RegionLevel
from onewindow.certificates.models import Certificate
from onewindow.certificates.tests.conftest import certificate_version
from onewindow.cli import main
from onewindow.core.models import JobRun
from onewindow.notifications.models import OutboxMessage
from onewindow.review import services as review_services
from onewindow.review.models import Decision, Opinion, Task, TaskStatus
from onewindow.review.services.decisions import decision_make
from onewindow.stats.integrity import integrity_check
from onewindow.testing import Personas

pytestmark = pytest.mark.django_db


def events_delete(case: Case, status: str) -> None:
    """Case events are append-only (docs/rules/audit.md §Z1): remove one the way only a DBA
    could, with the triggers dropped and raw SQL."""
    ids = list(CaseEvent.objects.filter(case=case, new_status=status).values_list("pk", flat=True))
    OutboxMessage.objects.filter(event_id__in=ids).update(event=None)  # on_delete=SET_NULL
    with transaction.atomic(), triggers_suspended(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {CaseEvent._meta.db_table} WHERE case_id = %s AND new_status = %s",
            [case.pk, status],
        )


def codes() -> set[str]:
    return {finding.code for finding in integrity_check()}


def granted_case(personas: Personas) -> Case:
    """A certificate item's case through the real services: submitted, accepted (one task with
    the default three steps), the opinion, the grant and its certificate."""
    region = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    version = certificate_version(personas.dept_a)
    case = case_services.case_create_draft(
        item_version=version,
        applicant=personas.applicant,
        created_by=personas.applicant,
        region=region,
    )
    for line in case.materials.all():
        case_file_add(case_material=line, upload=pdf(), actor=personas.applicant)
    case_services.case_submit(case=case, actor=personas.applicant)
    case_services.case_accept(case=case, actor=personas.clerk)
    task = Task.objects.get(case=case)
    for actor in (personas.handler_a, personas.reviewer_a):
        task.refresh_from_db()
        review_services.task_step_complete(task=task, actor=actor, revision=task.revision)
    task.refresh_from_db()
    review_services.task_opinion_give(
        task=task, actor=personas.approver_a, kind="agree", revision=task.revision
    )
    case.refresh_from_db()
    decision_make(case=case, actor=personas.approver_a, kind="grant")
    case.refresh_from_db()
    assert case.status == CaseStatus.GRANTED
    assert Certificate.objects.filter(case=case).exists()
    return case


@pytest.fixture
def case(personas: Personas) -> Case:
    return granted_case(personas)


def test_a_case_through_the_real_services_passes_every_check(case, capsys):
    assert integrity_check() == []
    assert main(["integrity"]) == 0
    assert "全部通过" in capsys.readouterr().out


def test_a_duplicated_notification_is_found(case, capsys):
    message = OutboxMessage.objects.exclude(event=None).first()
    assert message is not None
    message.pk = None
    message.save()
    assert codes() == {"notification_duplicate"}
    assert main(["integrity"]) == 1
    out = capsys.readouterr().out
    assert "通知重复" in out and "1 类问题" in out


def test_a_granted_case_without_its_decision_is_found(case):
    Certificate.objects.filter(case=case).delete()
    Decision.objects.filter(case=case).delete()
    assert codes() == {"decided_without_decision"}


def test_a_grant_of_a_certificate_item_without_the_certificate_is_found(case):
    Certificate.objects.filter(case=case).delete()
    assert codes() == {"grant_without_certificate"}


def test_a_decision_written_without_the_status_change_is_found(case):
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.IN_REVIEW)
    events_delete(case, CaseStatus.GRANTED)
    assert codes() == {"decision_status_mismatch"}


def test_a_case_in_review_without_tasks_is_found(case):
    Certificate.objects.filter(case=case).delete()
    Decision.objects.filter(case=case).delete()
    Task.objects.filter(case=case).delete()
    events_delete(case, CaseStatus.GRANTED)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.IN_REVIEW)
    assert codes() == {"in_review_without_tasks"}


def test_an_accepted_case_without_its_acceptance_event_is_found(case):
    events_delete(case, CaseStatus.ACCEPTED)
    assert codes() == {"accepted_without_acceptance"}


def test_a_task_done_without_its_opinion_and_an_opinion_on_an_open_task_are_found(case):
    Opinion.objects.filter(task__case=case).delete()
    assert codes() == {"answered_without_opinion"}


def test_an_opinion_on_a_task_still_open_is_found(case):
    Task.objects.filter(case=case).update(status=TaskStatus.OPEN)
    assert codes() == {"opinion_on_open_task", "closed_with_pending_tasks"}


def test_a_status_without_its_event_is_found(case):
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.COMPLETED)
    assert codes() == {"status_without_event"}


def test_a_submitted_case_without_a_number_is_found(case):
    Case.objects.filter(pk=case.pk).update(number=None)
    assert "submitted_without_number" in codes()


def _runs(name: str, *seconds: int) -> None:
    start = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    for offset in seconds:
        at = start + dt.timedelta(seconds=offset)
        JobRun.objects.create(
            name=name, period_start=at, started_at=at, host="test", pid=1, outcome="ok"
        )


def test_a_periodic_job_that_ran_every_period_or_nearly_is_not_stalled(settings):
    interval = settings.BACKGROUND_INTERVAL  # supervision.sweep's period
    _runs("supervision.sweep", 0, interval, 3 * interval, 5 * interval)  # skips one at a time
    assert codes() == set()


def test_a_periodic_job_without_a_run_for_more_than_three_periods_is_found(settings, capsys):
    interval = settings.BACKGROUND_INTERVAL
    _runs("supervision.sweep", 0, interval, 5 * interval)
    assert codes() == {"job_stalled"}
    assert main(["integrity"]) == 1
    assert "supervision.sweep" in capsys.readouterr().out
