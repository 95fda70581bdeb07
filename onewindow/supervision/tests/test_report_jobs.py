"""Situation reports requested, scheduled and generated (情况通报, docs/rules/supervision.md §D9): the
claim makes generation happen once, scheduling is idempotent and looks back 12 months at most,
numbers run per year in order of completion, failures are kept and may be requested again."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
import time_machine

from onewindow.core import jobs as core_jobs
from onewindow.core.jobs import Job
from onewindow.core.models import AccessDenied
from onewindow.review.tests.task_world import at
from onewindow.supervision import jobs
from onewindow.supervision.models import PeriodKind, ReportStatus, SituationReport
from onewindow.supervision.pdf.reports import report_document
from onewindow.supervision.services import reports
from onewindow.supervision.tests.world import D

pytestmark = pytest.mark.django_db


def _request(personas, kind: str = PeriodKind.MONTH, start: str = "2026-10-01") -> SituationReport:
    with time_machine.travel(at("2026-11-20", 9), tick=False):
        return reports.report_request(kind=kind, period_start=D(start), actor=personas.supervisor)


def _generate(report: SituationReport, day: str = "2026-11-20", hour: int = 10) -> bool:
    with time_machine.travel(at(day, hour), tick=False):
        return reports.report_generate(report)


def test_a_requested_report_is_generated_with_figures_pdf_and_number(personas):
    report = _request(personas)
    assert report.status == ReportStatus.PENDING and not report.scheduled
    assert (report.period_start, report.period_end) == (D("2026-10-01"), D("2026-10-31"))
    assert _generate(report) is True
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.progress == 100
    assert report.number == "情况通报〔2026〕第1期"
    assert report.data["period"]["start"] == "2026-10-01"
    assert report.pdf is not None and bytes(report.pdf).startswith(b"%PDF")
    assert report.finished_at is not None and report.error == ""


def test_any_day_of_the_period_selects_the_period(personas):
    report = _request(personas, PeriodKind.QUARTER, "2026-08-17")
    assert (report.period_start, report.period_end) == (D("2026-07-01"), D("2026-09-30"))


def test_generating_the_same_report_twice_generates_it_once(personas):
    report = _request(personas)
    assert _generate(report) is True
    first = SituationReport.objects.get(pk=report.pk)
    assert _generate(report) is False
    again = SituationReport.objects.get(pk=report.pk)
    assert again.number == first.number and again.revision == first.revision


def test_numbers_run_per_year_in_order_of_completion(personas):
    october = _request(personas)
    september = _request(personas, start="2026-09-01")
    _generate(september)
    _generate(october)
    october.refresh_from_db()
    september.refresh_from_db()
    assert september.number == "情况通报〔2026〕第1期"
    assert october.number == "情况通报〔2026〕第2期"
    december = _request(personas, start="2026-11-01")
    _generate(december, day="2027-01-04")
    december.refresh_from_db()
    assert december.number == "情况通报〔2027〕第1期"


def test_progress_is_written_step_by_step(personas, monkeypatch):
    report = _request(personas)
    seen: list[tuple[int, str]] = []
    original = reports._progress

    def spy(report_: SituationReport, token: int, percent: int, code: str) -> None:
        original(report_, token, percent, code)
        row = SituationReport.objects.get(pk=report_.pk)
        seen.append((row.progress, row.stage))

    monkeypatch.setattr(reports, "_progress", spy)
    _generate(report)
    percents = [p for p, _stage in seen]
    assert percents == sorted(percents) and len(percents) >= 5
    assert ("统计各部门情况" in {s for _p, s in seen}) and percents[-1] == 80


def test_a_failure_is_recorded_and_the_period_can_be_requested_again(personas, monkeypatch):
    report = _request(personas)

    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr(reports, "report_figures", broken)
    assert _generate(report) is False
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and "数据库连接中断" in report.error
    assert report.number is None and report.pdf is None
    monkeypatch.undo()
    again = _request(personas)
    assert again.pk != report.pk and again.status == ReportStatus.PENDING
    assert _generate(again) is True


def test_a_report_already_queued_for_the_period_is_returned(personas):
    first = _request(personas)
    assert _request(personas).pk == first.pk
    assert SituationReport.objects.count() == 1


def test_a_running_report_whose_worker_died_is_reclaimed_after_ten_minutes(personas):
    report = _request(personas)
    SituationReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING, started_at=at("2026-11-20", 10), progress=30
    )
    assert _generate(report, hour=10) is False  # the worker may still be alive
    with time_machine.travel(at("2026-11-20", 10) + dt.timedelta(minutes=11), tick=False):
        assert reports.report_generate(report) is True
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE


def test_a_worker_that_lost_its_claim_stores_nothing(personas, monkeypatch):
    report = _request(personas)
    original = reports._progress

    def stolen(report_: SituationReport, token: int, percent: int, code: str) -> None:
        if code == "departments":  # another worker reclaimed it meanwhile
            SituationReport.objects.filter(pk=report_.pk).update(revision=token + 5)
        original(report_, token, percent, code)

    monkeypatch.setattr(reports, "_progress", stolen)
    assert _generate(report) is False
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING and report.number is None


@pytest.mark.parametrize(
    ("kind", "start", "message"),
    [
        (PeriodKind.MONTH, "2026-12-01", "2026年12月尚未开始"),
        (PeriodKind.QUARTER, "2027-01-15", "2027年第1季度尚未开始"),
        ("week", "2026-10-01", "请选择通报周期"),
        (PeriodKind.MONTH, "2003-05-01", "只能生成 2004 年以后"),
    ],
)
def test_bad_requests_are_refused_with_a_clear_message_and_nothing_saved(
    personas, kind, start, message
):
    with pytest.raises(reports.ReportError) as err:
        _request(personas, kind, start)
    assert message in err.value.message
    assert not SituationReport.objects.exists()


@pytest.mark.parametrize("name", ["chief_a", "handler_a", "admin", "clerk", "applicant"])
def test_only_supervisors_may_request_a_report(personas, name):
    with (
        pytest.raises(reports.ReportForbidden),
        time_machine.travel(at("2026-11-20", 9), tick=False),
    ):
        reports.report_request(
            kind=PeriodKind.MONTH, period_start=D("2026-10-01"), actor=personas.get(name)
        )
    assert not SituationReport.objects.exists() and not AccessDenied.objects.exists()


def test_on_2026_12_01_november_is_scheduled_and_twice_is_once(personas):
    with time_machine.travel(at("2026-12-01", 1), tick=False):
        created = reports.reports_schedule()
        assert reports.reports_schedule() == 0
    scheduled = SituationReport.objects.filter(scheduled=True)
    assert created == scheduled.count()
    months = sorted(scheduled.filter(period_kind="month").values_list("period_start", flat=True))
    quarters = sorted(
        scheduled.filter(period_kind="quarter").values_list("period_start", flat=True)
    )
    # Twelve months back at most: December 2025 … November 2026; the quarters ended since.
    assert months[0] == D("2025-12-01") and months[-1] == D("2026-11-01") and len(months) == 12
    assert quarters == [D("2026-01-01"), D("2026-04-01"), D("2026-07-01")]
    assert SituationReport.objects.filter(period_start=D("2026-12-01")).count() == 0


def test_the_next_day_schedules_nothing_new_and_a_quarter_end_schedules_the_quarter(personas):
    with time_machine.travel(at("2026-12-01", 1), tick=False):
        reports.reports_schedule()
    with time_machine.travel(at("2026-12-02", 1), tick=False):
        assert reports.reports_schedule() == 0
    with time_machine.travel(at("2027-01-01", 1), tick=False):
        assert reports.reports_schedule() == 2  # December 2026 and the fourth quarter
    assert SituationReport.objects.filter(
        scheduled=True, period_kind="quarter", period_start=D("2026-10-01")
    ).exists()


def _report_jobs(monkeypatch: pytest.MonkeyPatch) -> dict[str, Job]:
    """The background loop with only the report jobs, none run yet."""
    loop = {
        name: replace(core_jobs.JOBS[name], last_run=0.0)
        for name in ("supervision.reports_schedule", "supervision.reports")
    }
    monkeypatch.setattr(core_jobs, "JOBS", loop)
    # The loop closes stale connections between jobs: here that would end the test transaction.
    monkeypatch.setattr(core_jobs, "close_old_connections", lambda: None)
    return loop


def test_the_first_round_of_the_loop_generates_every_report_queued_at_start_up(
    personas, monkeypatch
):
    """docs/rules/supervision.md §D9: on 2026-12-01 fifteen reports are queued (twelve months, three
    quarters); the first round of the loop makes them all, not three a minute."""
    _report_jobs(monkeypatch)
    with time_machine.travel(at("2026-12-01", 1), tick=False):
        ran = core_jobs.run_due_jobs(now=1000.0)
    assert ran == ["supervision.reports_schedule", "supervision.reports"]
    assert SituationReport.objects.filter(status=ReportStatus.DONE).count() == 15
    assert not SituationReport.objects.exclude(status=ReportStatus.DONE).exists()


def test_a_report_requested_is_picked_up_by_the_worker_at_the_next_tick(personas, monkeypatch):
    """The loop ticks every second: a report requested a second after the last round is made
    in the next round, while the scheduling job waits for its own (longer) interval."""
    _report_jobs(monkeypatch)
    with time_machine.travel(at("2026-12-01", 1), tick=False):
        core_jobs.run_due_jobs(now=1000.0)
    report = _request(personas, start="2026-11-01")
    assert report.status == ReportStatus.PENDING
    with time_machine.travel(at("2026-12-01", 2), tick=False):
        assert core_jobs.run_due_jobs(now=1000.0 + jobs.REPORT_POLL_SECONDS) == [
            "supervision.reports"
        ]
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.progress == 100


def test_requested_reports_go_before_the_scheduled_queue(personas):
    """The supervisor asks for December so far after the fifteen scheduled reports were queued:
    theirs is made first."""
    with time_machine.travel(at("2026-12-01", 1), tick=False):
        assert reports.reports_schedule() == 15
    with time_machine.travel(at("2026-12-01", 2), tick=False):
        requested = reports.report_request(
            kind=PeriodKind.MONTH, period_start=D("2026-12-01"), actor=personas.supervisor
        )
        assert reports.report_generate_pending(limit=1) == 1
    requested.refresh_from_db()
    assert requested.status == ReportStatus.DONE
    assert SituationReport.objects.filter(status=ReportStatus.PENDING).count() == 15


def test_the_budget_stops_before_the_next_report(personas):
    with time_machine.travel(at("2026-12-01", 1), tick=False):
        reports.reports_schedule()
        assert reports.report_generate_pending(seconds=0) == 0
        assert reports.report_generate_pending(seconds=60, limit=2) == 2
    assert SituationReport.objects.filter(status=ReportStatus.PENDING).count() == 13


def test_the_pdf_states_the_number_period_and_sections(personas):
    report = _request(personas)
    _generate(report)
    report.refresh_from_db()
    assert report.finished_at is not None
    doc = report_document(
        report, data=report.data, number=report.number or "", finished_at=report.finished_at
    )
    assert doc.title == "情况通报" and doc.number == "情况通报〔2026〕第1期"
    text = " ".join(b if isinstance(b, str) else getattr(b, "text", "") for b in doc.blocks)
    assert "2026年10月" in text and "2025年" not in doc.number
    for heading in (
        "一、总体情况",
        "二、各部门情况",
        "五、逾期时间最长的未办结办件",
        "六、与上期比较",
    ):
        assert heading in text


def test_a_simulation_passes_its_own_clock(personas):
    report = _request(personas)
    moment = at("2026-11-21", 7)
    assert reports.report_generate_pending(now=moment) == 1
    report.refresh_from_db()
    assert report.started_at == moment and report.finished_at == moment
    assert report.data["period"]["as_of"] == "2026-10-31"
