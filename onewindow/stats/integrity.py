"""The integrity check (``onewindow integrity``): what must hold across the tables after any crash.

Every write that moves a case is one transaction (the status, its event, the rows the new status
needs, the outbox); a process killed half-way leaves all of it or none. This module checks that
promise from the outside, after the fact, for operations (after a crash, a restore or a manual
repair) and for the fault tests (``bench/fault.py``): nothing duplicated that must be unique,
nothing missing that a status needs, and the periodic jobs run once per period (``core.JobRun``)
without stalling. It reads the cases, review, certificates, notifications and supervision tables,
so it lives here, above all of them (statistics read them all too).

Each check is one set-based query; a finding says in Chinese what is wrong, how many rows and the
first few ids. An empty list means the data is sound.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from onewindow.cases.models import Case, CaseEvent, CaseStatus, SubmissionKey
from onewindow.certificates.models import Certificate, Renewal
from onewindow.certificates.validity import RESULT_CERTIFICATE
from onewindow.core.jobs import Job, jobs_import
from onewindow.core.models import JobRun
from onewindow.notifications.models import OutboxMessage
from onewindow.review.models import TASK_PENDING, Decision, DecisionKind, Opinion, Task, TaskStatus
from onewindow.supervision.models import Card

SAMPLE = 10  # ids shown per finding
STALL_PERIODS = 3  # periods a periodic job may go without a run before it counts as stalled

# Statuses a case reaches only through an acceptance (ALL Art. 32; TERMINATED is entered from
# ACCEPTED, IN_REVIEW or SUSPENDED only, see CASE_MACHINE in onewindow/cases/models.py).
AFTER_ACCEPTANCE = (
    CaseStatus.ACCEPTED,
    CaseStatus.IN_REVIEW,
    CaseStatus.SUSPENDED,
    CaseStatus.GRANTED,
    CaseStatus.REFUSED,
    CaseStatus.COMPLETED,
    CaseStatus.TERMINATED,
)
# Statuses a case reaches only through ``review_open`` (ACCEPTED → IN_REVIEW with its tasks).
AFTER_REVIEW_OPENED = (
    CaseStatus.IN_REVIEW,
    CaseStatus.SUSPENDED,
    CaseStatus.GRANTED,
    CaseStatus.REFUSED,
    CaseStatus.COMPLETED,
)
DECIDED = (CaseStatus.GRANTED, CaseStatus.REFUSED, CaseStatus.COMPLETED)
# No department owes an opinion on a case in these statuses (the decision waits for every
# opinion; withdrawal and termination cancel what is pending).
CLOSED = (*DECIDED, CaseStatus.WITHDRAWN, CaseStatus.TERMINATED)
# What each decision kind leaves the case in.
STATUS_OF_DECISION = {
    DecisionKind.GRANT: (CaseStatus.GRANTED, CaseStatus.COMPLETED),
    DecisionKind.REFUSE: (CaseStatus.REFUSED,),
}
ANSWERED = (TaskStatus.DONE, TaskStatus.DEEMED)


@dataclass(frozen=True)
class Finding:
    """One broken invariant: its code, the Chinese explanation, how many rows and some ids."""

    code: str
    message: str
    count: int
    sample: tuple[str, ...]

    def __str__(self) -> str:
        shown = "、".join(self.sample)
        more = _("等") if self.count > len(self.sample) else ""
        return _("%(message)s：%(count)d 处（%(sample)s%(more)s）") % {
            "message": self.message,
            "count": self.count,
            "sample": shown,
            "more": more,
        }


def _finding(code: str, message: str, values: Iterable[object]) -> Finding | None:
    rows = [str(v) for v in values]
    if not rows:
        return None
    return Finding(code, message, len(rows), tuple(rows[:SAMPLE]))


def _duplicates(queryset: QuerySet, fields: list[str]) -> list[str]:
    """Each combination of ``fields`` found on more than one row, as "a/b/c (n)"."""
    groups = queryset.values(*fields).annotate(rows=Count("pk")).filter(rows__gt=1).order_by()
    return ["/".join(str(g[f]) for f in fields) + f" ×{g['rows']}" for g in groups]


def _ids(queryset: QuerySet, field: str = "pk") -> list[object]:
    return list(queryset.order_by(field).values_list(field, flat=True))


def _event_into(status: str) -> Exists:
    """The case has an event that moved it into ``status``."""
    return Exists(CaseEvent.objects.filter(case=OuterRef("pk"), new_status=status))


# --- duplicates ----------------------------------------------------------------------------------
def duplicate_case_numbers() -> Finding | None:
    rows = _duplicates(Case.objects.exclude(number=None), ["number"])
    return _finding("case_number_duplicate", _("办件编号重复"), rows)


def duplicate_certificate_serials() -> Finding | None:
    rows = _duplicates(Certificate.objects.all(), ["serial"])
    return _finding("certificate_serial_duplicate", _("证书编号重复"), rows)


def duplicate_cards() -> Finding | None:
    # One card per rule, object and level (Card's ``card_once_per_crossing``).
    rows = _duplicates(Card.objects.all(), ["rule_id", "object_kind", "object_id", "level"])
    return _finding("card_duplicate", _("同一规则、对象和级别的监察牌重复"), rows)


def duplicate_notifications() -> Finding | None:
    # One message per event, recipient and channel: an event's subscribers queue each message once.
    rows = _duplicates(
        # the recipient is sealed: its blind index tells equal ones apart (docs/rules/privacy.md §P2)
        OutboxMessage.objects.exclude(event=None),
        ["event_id", "recipient_index", "channel"],
    )
    return _finding(
        "notification_duplicate", _("同一办件记录对同一接收人、同一渠道的通知重复"), rows
    )


def duplicate_submissions() -> Finding | None:
    rows = _duplicates(SubmissionKey.objects.all(), ["user_id", "key"])
    return _finding("submission_key_duplicate", _("同一幂等键产生了多次提交"), rows)


# --- half-written cases --------------------------------------------------------------------------
def submitted_without_number() -> Finding | None:
    # A draft withdrawn before submission never had a number; every other case past the draft has.
    cases = Case.objects.exclude(status__in=(CaseStatus.DRAFT, CaseStatus.WITHDRAWN)).filter(
        Q(number=None) | Q(submitted_at=None)
    )
    return _finding("submitted_without_number", _("已提交的办件缺少编号或提交时间"), _ids(cases))


def keys_on_drafts() -> Finding | None:
    # The key is written in the submission's own transaction: its case cannot still be a draft.
    keys = SubmissionKey.objects.filter(case__status=CaseStatus.DRAFT)
    return _finding("submission_key_on_draft", _("幂等键指向仍为草稿的办件"), _ids(keys, "case_id"))


def accepted_without_acceptance() -> Finding | None:
    cases = Case.objects.filter(status__in=AFTER_ACCEPTANCE).filter(
        Q(accepted_on=None) | ~_event_into(CaseStatus.ACCEPTED)
    )
    return _finding(
        "accepted_without_acceptance",
        _("已受理的办件缺少受理日期或受理记录"),
        _ids(cases, "number"),
    )


def in_review_without_tasks() -> Finding | None:
    cases = Case.objects.filter(status__in=AFTER_REVIEW_OPENED).filter(
        ~Exists(Task.objects.filter(case=OuterRef("pk"))) | ~_event_into(CaseStatus.IN_REVIEW)
    )
    return _finding(
        "in_review_without_tasks",
        _("进入审查的办件缺少审查任务或审查开始记录"),
        _ids(cases, "number"),
    )


def decided_without_decision() -> Finding | None:
    cases = Case.objects.filter(status__in=DECIDED).filter(
        ~Exists(Decision.objects.filter(case=OuterRef("pk")))
    )
    return _finding(
        "decided_without_decision", _("已决定的办件缺少审批决定"), _ids(cases, "number")
    )


def decision_status_mismatch() -> Finding | None:
    wrong = Q()
    for kind, statuses in STATUS_OF_DECISION.items():
        wrong |= Q(kind=kind) & ~Q(case__status__in=statuses)
    decisions = Decision.objects.filter(wrong)
    return _finding(
        "decision_status_mismatch",
        _("审批决定与办件状态不一致（决定已写入而办件未随之变更）"),
        _ids(decisions, "case__number"),
    )


def grant_without_certificate() -> Finding | None:
    # A grant of a certificate item issues the certificate in the grant's transaction
    # (onewindow/certificates/events.py); a renewal extends the certificate it renews instead.
    decisions = Decision.objects.filter(
        kind=DecisionKind.GRANT, case__item_version__result_type=RESULT_CERTIFICATE
    ).filter(
        ~Exists(Certificate.objects.filter(case=OuterRef("case_id"))),
        ~Exists(Renewal.objects.filter(case=OuterRef("case_id"))),
    )
    return _finding(
        "grant_without_certificate",
        _("准予许可的发证事项缺少证照"),
        _ids(decisions, "case__number"),
    )


def answered_without_opinion() -> Finding | None:
    tasks = Task.objects.filter(status__in=ANSWERED).filter(
        ~Exists(Opinion.objects.filter(task=OuterRef("pk"))) | Q(closed_at=None)
    )
    return _finding("answered_without_opinion", _("已提出意见的审查任务缺少部门意见"), _ids(tasks))


def opinion_on_open_task() -> Finding | None:
    opinions = Opinion.objects.exclude(task__status__in=ANSWERED)
    return _finding(
        "opinion_on_open_task", _("部门意见已写入而审查任务仍未结束"), _ids(opinions, "task_id")
    )


def closed_with_pending_tasks() -> Finding | None:
    cases = Case.objects.filter(status__in=CLOSED).filter(
        Exists(Task.objects.filter(case=OuterRef("pk"), status__in=TASK_PENDING))
    )
    return _finding(
        "closed_with_pending_tasks",
        _("已决定、已撤回或已终止的办件仍有未结束的审查任务"),
        _ids(cases, "number"),
    )


def status_without_event() -> Finding | None:
    # Every status change writes its event in the same transaction (onewindow/cases/transitions.py):
    # the last event that names a status names the case's status.
    last = (
        CaseEvent.objects.filter(case=OuterRef("pk"))
        .exclude(new_status="")
        .order_by("-pk")
        .values("new_status")[:1]
    )
    cases = (
        Case.objects.exclude(status=CaseStatus.DRAFT)
        .annotate(last_status=Subquery(last))
        .filter(Q(last_status=None) | ~Q(last_status=F("status")))
    )
    return _finding(
        "status_without_event",
        _("办件状态与其最后一条状态记录不一致"),
        _ids(cases, "pk"),
    )


# --- periodic jobs -------------------------------------------------------------------------------
def job_period_twice() -> Finding | None:
    # One run per job and period (core.JobRun's ``jobrun_once_per_period``).
    rows = _duplicates(JobRun.objects.all(), ["name", "period_start"])
    return _finding("job_period_twice", _("周期任务在同一周期内运行了多次"), rows)


def job_period(job: Job) -> float:
    """The longest period the job may run at (its sweep period under a task engine)."""
    return max(job.interval, job.sweep_interval or 0.0)


def stalled_jobs(*, since: dt.datetime | None = None, slack: float = 0.0) -> Finding | None:
    """A job that went more than ``STALL_PERIODS`` of its periods (plus ``slack`` seconds)
    without a run between two of its runs (since ``since``): every worker was down or stuck.
    A period or two may pass without a run when a worker's loop is busy with a long job; the
    jobs catch up on the next run (each handles everything due, docs/rules/tasks.md §X3)."""
    jobs = {name: job for name, job in jobs_import().items() if job.per_period}
    runs = JobRun.objects.filter(name__in=list(jobs))
    if since is not None:
        runs = runs.filter(period_start__gte=since)
    previous: dict[str, dt.datetime] = {}
    gaps = []
    for name, start in runs.order_by("name", "period_start").values_list("name", "period_start"):
        allowed = dt.timedelta(seconds=STALL_PERIODS * job_period(jobs[name]) + slack)
        before = previous.get(name)
        if before is not None and start - before > allowed:
            gaps.append(f"{name} {before:%Y-%m-%d %H:%M:%S}→{start:%H:%M:%S}")
        previous[name] = start
    return _finding("job_stalled", _("周期任务长时间未运行（所有后台进程停止或卡住）"), gaps)


CHECKS: tuple[Callable[[], Finding | None], ...] = (
    duplicate_case_numbers,
    duplicate_certificate_serials,
    duplicate_cards,
    duplicate_notifications,
    duplicate_submissions,
    submitted_without_number,
    keys_on_drafts,
    accepted_without_acceptance,
    in_review_without_tasks,
    decided_without_decision,
    decision_status_mismatch,
    grant_without_certificate,
    answered_without_opinion,
    opinion_on_open_task,
    closed_with_pending_tasks,
    status_without_event,
    job_period_twice,
    stalled_jobs,
)


def integrity_check() -> list[Finding]:
    """Every check; an empty list when the data is sound."""
    return [finding for check in CHECKS if (finding := check()) is not None]
