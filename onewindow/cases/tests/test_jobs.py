"""The background loop runs deemed acceptance, overdue-commitment termination and retries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps

from onewindow.cases import services
from onewindow.cases.models import CaseStatus, FlagKind
from onewindow.cases.tests.conftest import World, pdf
from onewindow.cases.uploads import case_file_add
from onewindow.core import jobs
from onewindow.notifications.models import MessageStatus, OutboxMessage

SHANGHAI = ZoneInfo("Asia/Shanghai")
OURS = ("cases.accept_deemed", "cases.terminate_overdue_commitments", "notifications.retry")
# The start of a period of every job (epoch seconds, a multiple of each interval): within
# BACKGROUND_INTERVAL of it, the same period (docs/rules/tasks.md §X2).
START = 6 * 3600 * 1000.0


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@pytest.fixture
def loop(monkeypatch) -> dict[str, jobs.Job]:
    """The registered jobs as ``run_loop`` finds them (each app's jobs module), never run yet."""
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.jobs")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.jobs":
                raise
    # In app order, as in a fresh ``onewindow worker`` process (notifications come last).
    modules = [f"{config.name}.jobs" for config in apps.get_app_configs()]
    ordered = sorted(jobs.JOBS.values(), key=lambda job: modules.index(job.func.__module__))
    fresh = {job.name: dataclasses.replace(job, last_run=0.0) for job in ordered}
    monkeypatch.setattr(jobs, "JOBS", fresh)
    monkeypatch.setattr(jobs, "close_old_connections", lambda: None)
    return fresh


def submitted(world: World, when: str, *, skip: int = 0):
    case = services.case_create_draft(
        item_version=world.version,
        applicant=world.applicant,
        created_by=world.applicant,
        region=world.region,
    )
    lines = list(case.materials.all())
    for line in lines[: len(lines) - skip]:
        case_file_add(case_material=line, upload=pdf(), actor=world.applicant)
    with time_machine.travel(at(when), tick=False):
        services.case_submit(case=case, actor=world.applicant)
    return case


def test_the_case_jobs_are_registered_at_the_background_interval(loop, settings):
    for name in OURS:
        assert loop[name].interval == settings.BACKGROUND_INTERVAL


def test_the_loop_accepts_deemed_cases_terminates_overdue_commitments_and_retries(
    world, loop, settings
):
    world.applicant.phone = "13907110001"
    world.applicant.save()
    late = submitted(world, "2025-04-30")  # B1: intake due 2025-05-12
    tolerated = submitted(world, "2025-04-28", skip=1)
    missing = tolerated.materials.get(material=world.non_core[-1])
    with time_machine.travel(at("2025-04-29"), tick=False):
        services.case_accept(
            case=tolerated,
            actor=world.clerk,
            tolerated_material_ids=[missing.pk],
            commitment_due=dt.date(2025, 5, 9),
        )
    # The tests' transaction never commits, so no message was sent after commit: all pending.
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.PENDING}

    with time_machine.travel(at("2025-05-13", 1), tick=False):
        ran = jobs.run_due_jobs(now=START)
    assert set(OURS) <= set(ran)
    late.refresh_from_db()
    tolerated.refresh_from_db()
    # Accepted from receipt; the parallel review opens at once (docs/product.md §C5), so the case is
    # in review.
    assert late.status == CaseStatus.IN_REVIEW and late.accepted_on == dt.date(2025, 4, 30)
    assert late.flags.filter(kind=FlagKind.DEEMED_ACCEPTANCE).exists()
    assert tolerated.status == CaseStatus.TERMINATED
    assert tolerated.flags.filter(kind=FlagKind.COMMITMENT_OVERDUE).exists()
    # The retry job ran after the case jobs and delivered everything queued so far.
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert sum("视为受理" in m.body for m in OutboxMessage.objects.filter(case=late)) == 1
    assert sum("终止原因" in m.body for m in OutboxMessage.objects.filter(case=tolerated)) == 1

    # Within the interval nothing runs again but the queue of situation reports, which the loop
    # looks at every second (docs/rules/supervision.md §D9), and the audit sealer with its own
    # short period (docs/rules/audit.md §Z2).
    again = jobs.run_due_jobs(now=START + settings.BACKGROUND_INTERVAL - 1)
    assert sorted(again) == ["audit.seal", "supervision.reports"]
