"""Reads for the decision, extensions and special procedures (docs/product.md §C5, §C6), access
checked in the same call: staff outside the case's lead department get the logged 404 of
``core.access.deny``.

The lead department is the department of the case's lead task (``Task.is_lead``); a case whose
review opened without a process template falls back to the case's own department.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from onewindow.accounts.roles import DEPARTMENT_ROLES, Perm, has_perm
from onewindow.audit.access import case_access_record
from onewindow.cases.models import Case, CaseEvent, CaseStatus, Notice, NoticeKind
from onewindow.catalog.deadlines import extension_limit
from onewindow.catalog.models import Department
from onewindow.core.access import deny
from onewindow.lib.prepared import Prepared
from onewindow.review import signing
from onewindow.review.models import (
    TASK_PENDING,
    Decision,
    Extension,
    ExtensionStatus,
    Opinion,
    OpinionKind,
    StepRecord,
    Suspension,
    Task,
)
from onewindow.review.selectors import case_opinions_complete

# Actions the decision, extension and special-procedure services write on the case.
REVIEW_EVENT_ACTIONS = (
    "decision_granted",
    "decision_refused",
    "extension_requested",
    "extension_approved",
    "extension_refused",
    "suspension_started",
    "suspension_ended",
)
# Statuses in which the review is still running (a decision, extension or procedure may come).
REVIEW_OPEN = (CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED)


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related(
        "item_version", "item_version__item", "department", "region", "applicant", "agent"
    )


# --- the lead department ----------------------------------------------------------------------
# Every decision, extension and lead-department check asks these: compiled once
# (onewindow/lib/prepared.py, docs/decisions.md §O4).
_LEAD_TASK: Prepared[Task] = Prepared(
    lambda p: (
        Task.objects.filter(case_id=p.case, is_lead=True)
        .select_related("department")
        .order_by("due", "pk")[:1]  # Task.Meta.ordering, as .first() orders
    ),
    case=int,
)
_OPINION_TASKS: Prepared[Task] = Prepared(
    lambda p: (
        Task.objects.filter(case_id=p.case)
        .exclude(status="cancelled")
        .select_related("department", "opinion", "opinion__actor")
        .order_by("-is_lead", "department__code", "pk")
    ),
    case=int,
)
_LEAD_OWN_OPINION = Prepared.existence(
    lambda p: Opinion.objects.filter(
        task__is_lead=True, actor__isnull=False, task__case_id=p.case
    ).exclude(kind=OpinionKind.DEEMED_CONSENT),
    case=int,
)
_SUSPENSION_OPEN = Prepared.existence(
    lambda p: Suspension.objects.filter(case_id=p.case, ended_on__isnull=True), case=int
)


def _of_case(tasks: list[Task], case: Case) -> list[Task]:
    for task in tasks:
        Task.case.field.set_cached_value(task, case)
    return tasks


def lead_task(case: Case) -> Task | None:
    tasks = _of_case(_LEAD_TASK.all(case=case.pk), case)
    return tasks[0] if tasks else None


def lead_department(case: Case) -> Department:
    """The department that consolidates the opinions and decides (lead task, else the case's)."""
    task = lead_task(case)
    return task.department if task is not None else case.department


def _lead_filter(department_id: int) -> Q:
    """Cases whose lead department is ``department_id`` (as a filter on Case)."""
    lead_here = Task.objects.filter(case=OuterRef("pk"), is_lead=True, department_id=department_id)
    any_lead = Task.objects.filter(case=OuterRef("pk"), is_lead=True)
    return Q(Exists(lead_here)) | (Q(department_id=department_id) & ~Q(Exists(any_lead)))


def is_lead_staff(user: Any, case: Case, perm: Perm = Perm.TASK_HANDLE) -> bool:
    """True for an active member of the case's lead department whose role grants ``perm``."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in DEPARTMENT_ROLES
        and has_perm(user, perm)
        and user.department_id is not None
        and user.department_id == lead_department(case).pk
    )


def may_approve_extension(user: Any, case: Case) -> bool:
    """ALL Art. 42 (docs/rules/licensing.md §B2): an extension is approved by the head of the agency
    (机关 负责人 of the lead department); for joint / centralised handling (Art. 26) by the head of
    the government at that level (本级人民政府负责人), who belongs to no department."""
    if case.item_version.joint_handling:
        return bool(
            getattr(user, "is_authenticated", False)
            and user.is_active
            and has_perm(user, Perm.EXTENSION_APPROVE_JOINT)
        )
    return is_lead_staff(user, case, Perm.EXTENSION_APPROVE)


def is_extension_approver(user: Any) -> bool:
    """The user's role approves some extensions (agency head or government head)."""
    return has_perm(user, Perm.EXTENSION_APPROVE) or has_perm(user, Perm.EXTENSION_APPROVE_JOINT)


def extension_approver_required(request: HttpRequest, *, target: str) -> Any:
    """The signed-in head; anyone else (an approver, a chief representative …) gets the logged
    404 of ``core.access.deny``."""
    user: Any = request.user
    if not is_extension_approver(user):
        raise deny(request, target=target, reason="not an agency or government head")
    return user


def case_is_suspended(case: Case) -> bool:
    """True while a special procedure runs (ALL Art. 45): tasks of the case take no actions."""
    if case.status == CaseStatus.SUSPENDED:
        return True
    return _SUSPENSION_OPEN.exists(case=case.pk)


# --- opinions ---------------------------------------------------------------------------------
def opinions_complete(case: Case) -> bool:
    """Every department has answered, given or deemed (docs/rules/licensing.md §C1: the decision
    waits)."""
    return case_opinions_complete(case)


def _lead_own_opinions() -> QuerySet[Opinion]:
    """Opinions the lead department's staff signed on its own task (never a deemed consent)."""
    return Opinion.objects.filter(task__is_lead=True, actor__isnull=False).exclude(
        kind=OpinionKind.DEEMED_CONSENT
    )


def lead_opinion_recorded(case: Case) -> bool:
    """The lead department has recorded its own review opinion (docs/rules/licensing.md §C1, §C2:
    deemed consent is for co-departments only; a decision needs the lead's own review)."""
    return _LEAD_OWN_OPINION.exists(case=case.pk)  # _lead_own_opinions of the case


@dataclass(frozen=True)
class OpinionRow:
    """One department's part of the review as the decider sees it."""

    task: Task
    opinion: Opinion | None

    @property
    def disagrees(self) -> bool:
        return self.opinion is not None and self.opinion.kind == OpinionKind.DISAGREE

    @property
    def summary(self) -> str:
        """``鄂州市住房和城乡建设局：不同意。理由……`` for the decision and its PDF."""
        department = self.task.department.name
        if self.opinion is None:
            return _("%(d)s：尚未提出意见。") % {"d": department}
        label = str(OpinionKind(self.opinion.kind).label)
        text = self.opinion.remark  # "同意" under 同意 is said once
        if text:
            return _("%(d)s：%(k)s。%(t)s") % {"d": department, "k": label, "t": text}
        return _("%(d)s：%(k)s。") % {"d": department, "k": label}


def opinion_rows(case: Case) -> list[OpinionRow]:
    """Every department's task and opinion, lead first."""
    rows = []
    for task in _of_case(_OPINION_TASKS.all(case=case.pk), case):
        try:
            opinion: Opinion | None = task.opinion
        except Opinion.DoesNotExist:
            opinion = None
        rows.append(OpinionRow(task, opinion))
    return rows


def pending_departments(case: Case) -> list[str]:
    """Names of the departments whose opinion is still outstanding."""
    return [row.task.department.name for row in opinion_rows(case) if row.opinion is None]


def step_records(case: Case) -> QuerySet[StepRecord]:
    """The process record: every step done in every department, oldest first."""
    return (
        StepRecord.objects.filter(task__case=case)
        .select_related("task__department", "actor")
        .order_by("at", "pk")
    )


# --- the standard remedies text (ALL Art. 38, docs/rules/licensing.md §B5) ------------------------
def remedies_default(case: Case) -> str:
    """The prefilled 救济途径 of a refusal; the decider may edit it."""
    government = _("%(region)s人民政府") % {"region": case.region.name}
    return _(
        "申请人如对本决定不服，可以自收到本决定书之日起六十日内向%(gov)s申请行政复议，"
        "或者在六个月内依法向人民法院提起行政诉讼。"
    ) % {"gov": government}


# --- lists ------------------------------------------------------------------------------------
def decisions_pending(user: Any) -> QuerySet[Case]:
    """待决定: cases in review whose lead department is the user's, whose every department has
    answered and whose lead recorded its own opinion (C1, C2), the nearest decision deadline
    first. Empty for users who cannot decide."""
    if not has_perm(user, Perm.DECISION_MAKE) or getattr(user, "department_id", None) is None:
        return Case.objects.none()
    pending_task = Task.objects.filter(case=OuterRef("pk"), status__in=TASK_PENDING)
    any_task = Task.objects.filter(case=OuterRef("pk"))
    return (
        _cases()
        .filter(_lead_filter(user.department_id), status=CaseStatus.IN_REVIEW)
        .filter(Exists(any_task), ~Exists(pending_task))
        .filter(Exists(_lead_own_opinions().filter(task__case=OuterRef("pk"))))
        .order_by("decision_due", "pk")
    )


def cases_in_review_for_lead(user: Any) -> QuerySet[Case]:
    """Every case under review (or suspended) led by the user's department."""
    if not has_perm(user, Perm.TASK_HANDLE) or getattr(user, "department_id", None) is None:
        return Case.objects.none()
    return (
        _cases()
        .filter(_lead_filter(user.department_id), status__in=REVIEW_OPEN)
        .order_by("decision_due", "pk")
    )


def extensions_pending(user: Any) -> QuerySet[Extension]:
    """Extension requests waiting for this head (Art. 42): the agency head sees those of cases
    his department leads, the government head those of joint-handling cases."""
    mine = Q(pk__in=[])
    department_id = getattr(user, "department_id", None)
    if has_perm(user, Perm.EXTENSION_APPROVE) and department_id is not None:
        led = Case.objects.filter(_lead_filter(department_id)).values("pk")
        mine |= Q(case__in=led, case__item_version__joint_handling=False)
    if has_perm(user, Perm.EXTENSION_APPROVE_JOINT):
        mine |= Q(case__item_version__joint_handling=True)
    return (
        Extension.objects.filter(mine, status=ExtensionStatus.REQUESTED)
        .select_related("case", "case__item_version", "case__applicant", "requested_by")
        .order_by("requested_at", "pk")
    )


# --- fetch-and-check --------------------------------------------------------------------------
def case_get_for_lead(request: HttpRequest, *, case_id: int, perm: Perm = Perm.TASK_HANDLE) -> Case:
    """A case past intake whose lead department is the user's, the user's role granting
    ``perm``; anyone else (another department, an applicant, …) gets a logged 404."""
    user: Any = request.user
    case = _cases().filter(pk=case_id).first()
    if case is None or not case.tasks.exists() or not is_lead_staff(user, case, perm):
        raise deny(request, target=f"case:{case_id}", reason=f"not lead-department staff ({perm})")
    case_access_record(request, case)  # docs/rules/audit.md §Z11
    return case


def extension_get_for_head(request: HttpRequest, *, extension_id: int) -> Extension:
    """An extension this head may approve (``may_approve_extension``); otherwise a logged 404."""
    extension = (
        Extension.objects.select_related("case", "case__item_version")
        .filter(pk=extension_id)
        .first()
    )
    if extension is None or not may_approve_extension(request.user, extension.case):
        raise deny(request, target=f"extension:{extension_id}", reason="not the approving head")
    return extension


def suspension_get_for_lead(request: HttpRequest, *, suspension_id: int) -> Suspension:
    """A special procedure of a case led by the user's department; otherwise a logged 404."""
    suspension = Suspension.objects.select_related("case").filter(pk=suspension_id).first()
    if suspension is None or not is_lead_staff(request.user, suspension.case):
        raise deny(request, target=f"suspension:{suspension_id}", reason="not lead staff")
    return suspension


# --- the review summary of one case -----------------------------------------------------------
@dataclass(frozen=True)
class ReviewSummary:
    """Everything the decision page and the API show about a case's review."""

    case: Case
    lead: Department
    opinions: list[OpinionRow]
    complete: bool
    lead_reviewed: bool  # the lead's own opinion is recorded (C1, C2)
    decision: Decision | None
    extensions: list[Extension]
    suspensions: list[Suspension]
    notices: list[Notice]
    events: list[CaseEvent]
    extension_limit: int

    @property
    def open_suspension(self) -> Suspension | None:
        return next((s for s in self.suspensions if s.ended_on is None), None)

    @property
    def pending_extension(self) -> Extension | None:
        return next((e for e in self.extensions if e.status == ExtensionStatus.REQUESTED), None)

    @property
    def extension_used(self) -> bool:
        return any(e.status == ExtensionStatus.APPROVED for e in self.extensions)

    @property
    def disagreeing(self) -> list[OpinionRow]:
        return [row for row in self.opinions if row.disagrees]

    @cached_property
    def decision_signature(self) -> str:
        """docs/rules/audit.md §Z12: "valid", "invalid", "absent" (before SM2), or "" (none)."""
        if self.decision is None:
            return ""
        valid = signing.sm2_valid(self.decision)
        return "absent" if valid is None else "valid" if valid else "invalid"


REVIEW_NOTICE_KINDS = (
    NoticeKind.EXTENSION,
    NoticeKind.SPECIAL_PROCEDURE,
    NoticeKind.GRANT,
    NoticeKind.REFUSAL,
)


def case_decision(case: Case) -> Decision | None:
    return Decision.objects.filter(case=case).select_related("decided_by").first()


def review_summary(case: Case) -> ReviewSummary:
    rows = opinion_rows(case)
    return ReviewSummary(
        case=case,
        lead=lead_department(case),
        opinions=rows,
        complete=opinions_complete(case),
        lead_reviewed=lead_opinion_recorded(case),
        decision=case_decision(case),
        extensions=list(
            case.extensions.select_related("requested_by", "decided_by").order_by(
                "requested_at", "pk"
            )
        ),
        suspensions=list(case.suspensions.select_related("started_by", "ended_by")),
        notices=list(case.notices.filter(kind__in=REVIEW_NOTICE_KINDS).order_by("issued_at", "pk")),
        events=list(
            case.events.filter(action__in=REVIEW_EVENT_ACTIONS)
            .select_related("actor")
            .order_by("at", "pk")
        ),
        extension_limit=extension_limit(joint_handling=case.item_version.joint_handling),
    )


def allowed_actions(user: Any, summary: ReviewSummary) -> list[str]:
    """What ``user`` may do on the case now: decide, extension_request, extension_decide,
    suspension_start, suspension_end (the services check again)."""
    case = summary.case
    actions: list[str] = []
    review_open = case.status in REVIEW_OPEN
    if (
        case.status == CaseStatus.IN_REVIEW
        and summary.complete
        and summary.lead_reviewed
        and summary.decision is None
        and is_lead_staff(user, case, Perm.DECISION_MAKE)
    ):
        actions.append("decide")
    pending = summary.pending_extension
    if (
        pending is not None
        and pending.requested_by_id != user.pk
        and may_approve_extension(user, case)
    ):
        actions.append("extension_decide")
    if not is_lead_staff(user, case):
        return actions
    if review_open and not summary.extension_used and summary.pending_extension is None:
        actions.append("extension_request")
    if case.status == CaseStatus.IN_REVIEW:
        actions.append("suspension_start")
    if case.status == CaseStatus.SUSPENDED and summary.open_suspension is not None:
        actions.append("suspension_end")
    return actions
