"""Periodic job: deemed consent for departments silent past their due date (C2)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext as _

from onewindow.cases.models import Case, CaseStatus, FlagKind
from onewindow.cases.transitions import event_record, flag_raise
from onewindow.core import clock
from onewindow.review.models import (
    TASK_MACHINE,
    TASK_PENDING,
    MaterialRequest,
    Opinion,
    OpinionKind,
    Task,
    TaskStatus,
)
from onewindow.review.services.tasks import _join_if_complete, _lock_case

log = logging.getLogger("onewindow.review")


# --- deemed consent (docs/rules/licensing.md §C2) -------------------------------------------------
def _deemable(today: dt.date) -> Any:
    paused = MaterialRequest.objects.filter(
        task=OuterRef("pk"), answered_on__isnull=True, pauses_clock=True
    )
    # docs/rules/licensing.md §C2: silence counts as consent for a *co-department* only. The lead
    # department combines the opinions and decides (C1), so its own task is never deemed: it stays
    # open and overdue (the supervision sweep cards it like any late task) until the lead answers.
    return Task.objects.filter(
        status__in=TASK_PENDING, due__lt=today, case__status=CaseStatus.IN_REVIEW, is_lead=False
    ).filter(~Exists(paused))


def tasks_deem_consent(
    *, today: dt.date | None = None, batch: int = 500, now: dt.datetime | None = None
) -> int:
    """A co-department silent past its due date (due < today) is recorded as 默许同意 and the
    case gets a red-card flag (C2); the lead department's task is never deemed. Claimed with one conditional UPDATE per batch: rows another worker
    holds are skipped (PostgreSQL) or already changed (SQLite serialises writers), and the
    ``Opinion`` one-per-task constraint backs it up. Returns how many tasks were deemed."""
    if not settings.DEEMED_CONSENT:
        return 0
    today = today or clock.today()
    done = 0
    while True:
        claimed = _deem_batch(today, batch, now)
        if not claimed:
            break
        done += len(claimed)
        for case_id in sorted({case_id for _pk, case_id in claimed}):
            with transaction.atomic():
                _lock_case(case_id)
                _join_if_complete(Case.objects.get(pk=case_id), now or clock.now())
        if len(claimed) < batch:
            break
    return done


@transaction.atomic
def _deem_batch(
    today: dt.date, batch: int, now: dt.datetime | None = None
) -> list[tuple[int, int]]:
    now = now or clock.now()
    rows = list(
        _deemable(today)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("due", "pk")
        .values_list("pk", "case_id")[:batch]
    )
    if not rows:
        return []
    ids = [pk for pk, _case_id in rows]
    updated = (
        Task.objects.filter(
            pk__in=ids, status__in=TASK_MACHINE.allowed_from(TaskStatus.DEEMED), is_lead=False
        )
        .filter(Q(due__lt=today))
        .update(status=TaskStatus.DEEMED, revision=F("revision") + 1, closed_at=now)
    )
    if updated != len(ids):  # another worker changed some of them under us: retry later
        transaction.set_rollback(True)
        return []
    tasks = list(Task.objects.filter(pk__in=ids).select_related("case", "department"))
    Opinion.objects.bulk_create(
        [
            Opinion(
                task=task,
                kind=OpinionKind.DEEMED_CONSENT,
                text=_("审查期限 %(d)s 届满未提出意见，视为同意。") % {"d": task.due},
                actor=None,
                at=now,
            )
            for task in tasks
        ]
    )
    for task in tasks:
        note = _("%(dep)s 审查期限 %(d)s 届满未回复，视为同意（默许同意）。") % {
            "dep": task.department.name,
            "d": task.due,
        }
        event_record(
            task.case,
            actor=None,
            action="deemed_consent",
            old=task.case.status,
            reason=note,
            public=False,
            now=now,
            data={"task": task.pk, "department": task.department.name, "due": task.due.isoformat()},
        )
        flag_raise(task.case, kind=FlagKind.DEEMED_CONSENT, note=note, now=now)
    log.info("deemed consent recorded on %s task(s)", len(tasks))
    return rows
