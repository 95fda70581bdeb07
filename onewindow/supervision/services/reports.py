"""Situation reports (情况通报, docs/product.md §C10, docs/rules/supervision.md §D3, §D9).

A report covers one month or quarter. The background job schedules one report per period that
ended (``reports_schedule``: the partial unique constraint ``report_scheduled_once`` makes it
idempotent in any number of processes) and generates pending ones; supervisors also request one
on demand (``report_request``), e.g. for the current month so far.

``report_generate`` claims a pending report with a conditional UPDATE (pending → running, the
revision is the claim token), computes the figures (``selectors.report_figures``) while writing its progress
in small committed UPDATEs that a polling page sees, renders the PDF and stores everything with
a number ``情况通报〔2026〕第3期`` (per year, in order of completion; unique, retried on a clash).
A worker that died leaves its report running: after ``STALE_AFTER`` another worker reclaims it.
A failed report keeps its error text; a supervisor may request the period again.

Who: supervisors request and read every report; department staff (chief, approver, handler,
reviewer) and administrators read the finished ones (reports are circulated); anyone else is
refused with a logged 404.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.request import Request

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, Role, has_perm
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.core.engine import defer, deferrable, deferring
from onewindow.core.errors import DomainError, Forbidden
from onewindow.lib.workdays import FIRST_YEAR
from onewindow.supervision.models import PeriodKind, ReportStatus, SituationReport
from onewindow.supervision.pdf.reports import report_pdf
from onewindow.supervision.selectors import _django
from onewindow.supervision.selectors.report_figures import (
    add_months,
    period_bounds,
    previous_period,
    report_figures,
)
from onewindow.supervision.services.scores import period_label

__all__ = [
    "ReportError",
    "ReportForbidden",
    "may_read_reports",
    "may_request_reports",
    "period_bounds",
    "period_choices",
    "period_label",
    "previous_period",
    "report_generate",
    "report_generate_pending",
    "report_generate_soon",
    "report_get",
    "report_request",
    "reports_for",
    "reports_schedule",
]

log = logging.getLogger("onewindow.supervision")

TARGET = "supervision.report"
STALE_AFTER = dt.timedelta(minutes=10)
BACKFILL_MONTHS = 12
NUMBER_ATTEMPTS = 5
ERROR_MAX = 2000
# Reports are circulated to the departments: their case staff (not the window clerks) read them.
READER_ROLES = (Role.CHIEF, Role.APPROVER, Role.HANDLER, Role.REVIEWER)
STAGES = {
    "claimed": gettext_lazy("开始生成"),
    "headline": gettext_lazy("统计收件与办结情况"),
    "departments": gettext_lazy("统计各部门情况"),
    "rules": gettext_lazy("统计黄牌、红牌"),
    "overdue": gettext_lazy("查找逾期未办结办件"),
    "previous": gettext_lazy("与上期比较"),
    "pdf": gettext_lazy("生成 PDF"),
    "done": gettext_lazy("已完成"),
}


class ReportError(DomainError):
    """The request is not allowed. ``message`` is for the user."""

    code = "report_error"


class ReportForbidden(ReportError, Forbidden):
    code = "forbidden"


class _LostClaim(Exception):
    """Another worker reclaimed the report (ours was thought dead): stop quietly."""


# --- who --------------------------------------------------------------------------------------
def may_request_reports(user: Any) -> bool:
    return has_perm(user, Perm.SUPERVISE)


def may_read_reports(user: Any) -> bool:
    """Supervisors, administrators and department case staff (finished reports only)."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if has_perm(user, Perm.SUPERVISE) or user.role == Role.ADMIN:
        return True
    return bool(user.role in READER_ROLES and user.department_id)


def reports_for(
    request: HttpRequest | Request, *, kind: str = "", year: int | None = None
) -> QuerySet[SituationReport]:
    """The archive the signed-in user may read (supervisors: every report); else 404, logged."""
    user = request.user
    if not may_read_reports(user):
        raise deny(_django(request), target=TARGET, reason="may not read situation reports")
    reports = SituationReport.objects.select_related("requested_by").defer("pdf", "data")
    if not has_perm(user, Perm.SUPERVISE):
        reports = reports.filter(status=ReportStatus.DONE)
    if kind:
        reports = reports.filter(period_kind=kind)
    if year:
        reports = reports.filter(period_start__year=year)
    return reports


def report_get(request: HttpRequest | Request, pk: int) -> SituationReport:
    """One report the signed-in user may read; else 404 and logged."""
    target = f"{TARGET}:{pk}"
    user = request.user
    if not may_read_reports(user):
        raise deny(_django(request), target=target, reason="may not read situation reports")
    # The PDF is read (one more query) only when it is downloaded.
    report = (
        SituationReport.objects.select_related("requested_by").defer("pdf").filter(pk=pk).first()
    )
    if report is None:
        raise deny(_django(request), target=target, reason="no such report")
    if report.status != ReportStatus.DONE and not has_perm(user, Perm.SUPERVISE):
        raise deny(_django(request), target=target, reason="report not finished")
    return report


# --- periods ----------------------------------------------------------------------------------
def period_choices(
    today: dt.date, *, months: int = 12, quarters: int = 4
) -> list[tuple[str, dt.date]]:
    """Recent periods to request, newest first (the current one included)."""
    choices: list[tuple[str, dt.date]] = []
    for kind, count in ((PeriodKind.MONTH, months), (PeriodKind.QUARTER, quarters)):
        start, _end = period_bounds(kind, today)
        for _i in range(count):
            choices.append((kind, start))
            start, _end = previous_period(kind, start)
    return choices


# --- services ---------------------------------------------------------------------------------
@transaction.atomic
def report_request(
    *, kind: str, period_start: dt.date, actor: User, now: dt.datetime | None = None
) -> SituationReport:
    """A supervisor asks for the report of the period containing ``period_start``.

    Returns a pending report, or the one already queued or running for that period.
    """
    if not may_request_reports(actor):
        raise ReportForbidden(_("只有电子监察人员可以生成情况通报。"))
    if kind not in PeriodKind.values:
        raise ReportError(_("请选择通报周期：月度或季度。"))
    if not isinstance(period_start, dt.date):
        raise ReportError(_("请选择通报周期。"))
    now = now or clock.now()
    start, end = period_bounds(kind, period_start)
    if start > clock.local_date(now):
        raise ReportError(_("%(p)s尚未开始，不能生成情况通报。") % {"p": period_label(kind, start)})
    if start.year <= FIRST_YEAR:
        raise ReportError(_("只能生成 %(y)s 年以后的情况通报。") % {"y": FIRST_YEAR})
    queued = (
        SituationReport.objects.filter(
            period_kind=kind,
            period_start=start,
            status__in=(ReportStatus.PENDING, ReportStatus.RUNNING),
        )
        .order_by("requested_at", "pk")
        .first()
    )
    if queued is not None:
        return queued
    report = SituationReport.objects.create(
        period_kind=kind,
        period_start=start,
        period_end=end,
        requested_by=actor,
        requested_at=now,
    )
    _hand_over(report)
    return report


def _ended_periods(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Every month and quarter that ended before ``today`` within the last 12 months."""
    cutoff = add_months(today.replace(day=1), -BACKFILL_MONTHS)
    periods = []
    for kind in (PeriodKind.MONTH, PeriodKind.QUARTER):
        start, end = period_bounds(kind, cutoff)
        if start < cutoff:
            start, end = period_bounds(kind, end + dt.timedelta(days=1))
        while end < today:
            periods.append((kind.value, start, end))
            start, end = period_bounds(kind, end + dt.timedelta(days=1))
    return periods


@transaction.atomic
def reports_schedule(*, today: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """Queue the scheduled report of every period that ended and has none; returns how many
    were new. Idempotent in any number of processes (``report_scheduled_once``)."""
    now = now or clock.now()
    today = today or clock.local_date(now)
    periods = _ended_periods(today)
    if not periods:
        return 0
    have = set(
        SituationReport.objects.filter(
            scheduled=True, period_start__gte=min(start for _k, start, _e in periods)
        ).values_list("period_kind", "period_start")
    )
    created = 0
    for kind, start, end in periods:
        if (kind, start) in have:
            continue
        try:
            with transaction.atomic():
                _hand_over(
                    SituationReport.objects.create(
                        period_kind=kind,
                        period_start=start,
                        period_end=end,
                        scheduled=True,
                        requested_at=now,
                    )
                )
        except IntegrityError:  # another worker scheduled it a moment ago
            continue
        created += 1
    return created


def _stage(code: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(STAGES[code])


def _claim(report: SituationReport, now: dt.datetime) -> int | None:
    """pending (or running with a dead worker) → running; the new revision is our token."""
    revision = SituationReport.objects.filter(pk=report.pk).values_list("revision", flat=True)
    current = revision.first()
    if current is None:
        return None
    claimable = Q(status=ReportStatus.PENDING) | Q(
        status=ReportStatus.RUNNING, started_at__lt=now - STALE_AFTER
    )
    claimed = SituationReport.objects.filter(claimable, pk=report.pk, revision=current).update(
        status=ReportStatus.RUNNING,
        revision=current + 1,
        started_at=now,
        finished_at=None,
        progress=5,
        stage=_stage("claimed"),
        error="",
    )
    return current + 1 if claimed else None


def _mine(report: SituationReport, token: int) -> QuerySet[SituationReport]:
    return SituationReport.objects.filter(pk=report.pk, status=ReportStatus.RUNNING, revision=token)


def _progress(report: SituationReport, token: int, percent: int, code: str) -> None:
    """One small committed UPDATE (outside any transaction) so a polling page sees it."""
    if not _mine(report, token).update(progress=percent, stage=_stage(code)):
        raise _LostClaim


NUMBER_PREFIX = "情况通报〔{year}〕第"
_NUMBER = re.compile(r"第(\d+)期$")


def _next_number(year: int) -> str:
    """The next free number of ``year`` (the unique column settles a race: the caller retries)."""
    prefix = NUMBER_PREFIX.format(year=year)
    used = SituationReport.objects.filter(number__startswith=prefix).values_list(
        "number", flat=True
    )
    last = max((int(m.group(1)) for n in used if n and (m := _NUMBER.search(n))), default=0)
    return f"{prefix}{last + 1}期"


def _finish(
    report: SituationReport, token: int, data: dict[str, Any], at: dt.datetime | None
) -> bool:
    """Number, render and store: a clash on the number (another report finished at the same
    moment) renders again with the next one."""
    for _attempt in range(NUMBER_ATTEMPTS):
        now = at or clock.now()
        number = _next_number(clock.local_date(now).year)
        pdf = report_pdf(report, data=data, number=number, finished_at=now)
        try:
            with transaction.atomic():
                done = _mine(report, token).update(
                    status=ReportStatus.DONE,
                    number=number,
                    data=data,
                    pdf=pdf,
                    progress=100,
                    stage=_stage("done"),
                    finished_at=now,
                    revision=token + 1,
                )
        except IntegrityError:
            continue
        if not done:
            raise _LostClaim
        return True
    raise RuntimeError("no free report number after several attempts")


def _fail(report: SituationReport, token: int, err: Exception, at: dt.datetime | None) -> None:
    text = f"{type(err).__name__}: {err}"[:ERROR_MAX]
    _mine(report, token).update(
        status=ReportStatus.FAILED, error=text, finished_at=at or clock.now(), revision=token + 1
    )


def report_generate(report: SituationReport, *, now: dt.datetime | None = None) -> bool:
    """Generate ``report`` if this call claims it; True when this call finished it.

    Deliberately not one transaction: every progress step commits on its own, so the page
    polling the report sees it move, and a long computation never holds a write lock.
    ``now`` (a simulation's clock) defaults to the real one.
    """
    token = _claim(report, now or clock.now())
    if token is None:
        return False
    try:
        data = report_figures(
            report.period_kind,
            report.period_start,
            report.period_end,
            today=clock.local_date(now) if now else clock.today(),
            progress=lambda percent, code: _progress(report, token, percent, code),
        )
        _progress(report, token, 80, "pdf")
        finished = _finish(report, token, data, now)
    except _LostClaim:
        log.info("situation report %s was reclaimed by another worker", report.pk)
        finished = False
    except Exception as err:
        log.exception("situation report %s failed", report.pk)
        _fail(report, token, err, now)
        finished = False
    report.refresh_from_db()
    return finished


def report_generate_pending(
    *, limit: int | None = None, seconds: float | None = None, now: dt.datetime | None = None
) -> int:
    """Generate queued reports one after another until none is left, ``limit`` were finished or
    ``seconds`` have passed (the next one is not started then); returns how many were finished.

    Reports a supervisor requested go first (someone is waiting for them), then the scheduled
    ones, oldest first; a dead worker's report is reclaimed after ``STALE_AFTER``. Each report is
    claimed before it is generated, so several workers share the queue without doing one twice.
    """
    started = time.monotonic()
    tried: set[int] = set()
    done = 0
    while limit is None or done < limit:
        if seconds is not None and time.monotonic() - started >= seconds:
            break
        stale = (now or clock.now()) - STALE_AFTER
        pk = (
            SituationReport.objects.filter(
                Q(status=ReportStatus.PENDING)
                | Q(status=ReportStatus.RUNNING, started_at__lt=stale)
            )
            .exclude(pk__in=tried)
            .order_by("scheduled", "requested_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            break
        tried.add(pk)
        report = SituationReport.objects.defer("pdf", "data").filter(pk=pk).first()
        if report is not None and report_generate(report, now=now):
            done += 1
    return done


def _hand_over(report: SituationReport) -> None:
    """docs/rules/tasks.md §X5: under procrastinate, the report's ``supervision.report`` job is
    inserted in the transaction that queues the report (requested ones go first). The embedded
    engine's loop looks for queued reports every second instead."""
    if deferring():
        defer(report_generate_by_id, {"report_id": report.pk})


@deferrable("supervision.report", queue="reports")
def report_generate_by_id(*, report_id: int) -> bool:
    """The procrastinate job of one report: generate it if this call claims it (a report taken
    by another worker, or already done, is left alone; ``report_generate``)."""
    report = SituationReport.objects.defer("pdf", "data").filter(pk=report_id).first()
    return report is not None and report_generate(report)


def report_generate_soon(report_id: int) -> None:
    """After the request commits, generate in a thread of this process (useful on a
    single-process deployment; the background job would pick the report up anyway, and the
    claim makes sure only one of them does the work). Under procrastinate the report's job was
    inserted with it (``_hand_over``), and a worker starts on it at once."""
    if deferring():
        return

    def work() -> None:
        close_old_connections()
        try:
            report = SituationReport.objects.defer("pdf", "data").filter(pk=report_id).first()
            if report is not None:
                report_generate(report)
        except Exception:
            log.exception("situation report %s: background generation failed", report_id)
        finally:
            connection.close()  # this thread's own connection

    def start() -> None:
        threading.Thread(target=work, name=f"report-{report_id}", daemon=True).start()

    transaction.on_commit(start)
