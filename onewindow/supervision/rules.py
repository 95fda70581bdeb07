"""The supervision rules (docs/rules/supervision.md §D1), one small named query each.

Every rule function takes ``(rule, level, today)`` and returns a queryset of
``(object id, case id, department id, due date)`` tuples for the rows that crossed the rule's
threshold at ``today`` on that level, or ``None`` when the rule has no such level (violations
are red only) or no data source. Each is one set-based query on indexed columns; the sweep adds
"no card yet" and keyset paging on top, and ``crossed`` turns the rows into ``Hit`` values.

docs/rules/supervision.md §D2 timing, with ``n = rule.yellow_days_before`` and
``r = rule.red_days_after``: yellow from the n-th working day before a due date, red from the r-th
working day after it if still open. Example (n = r = 1): due 2025-10-14 → yellow 2025-10-13, red
2025-10-15. Both turn into plain date bounds computed once per sweep, so "due ≤ bound" is an index
range scan.

D2 "or at a share of the allotted time used": with ``rule.yellow_share = s`` (%) an object with
``N`` allotted working days is also yellow once ``k = ⌈s·N/100⌉`` of them are used, i.e. when at
most ``N − k`` working days remain: ``due ≤ add_working_days(today, N − k)`` — one bound per
distinct ``N`` (a handful of catalog values), so still an index range scan. Whichever of the two
thresholds comes first issues the (single) yellow card.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BigIntegerField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from onewindow.agencies.models import Agency, AgencyStatus, Qualification
from onewindow.calendars.selectors import get_calendar
from onewindow.cases.models import (
    AWAITING_INTAKE,
    Case,
    CaseFee,
    CaseMaterial,
    CaseStatus,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    CorrectionNotice,
    MaterialStatus,
)
from onewindow.catalog.deadlines import CERTIFICATE_DAYS, INTAKE_DAYS, critical_path_days
from onewindow.catalog.models import ItemVersion, ProcessBranch
from onewindow.consult.models import Question, QuestionStatus
from onewindow.ratings.models import BAD_REVIEW_OPEN, BadReview
from onewindow.review.dues import task_paused_q
from onewindow.review.models import (
    TASK_PENDING,
    Decision,
    DecisionKind,
    Suspension,
    Task,
    TaskStatus,
)
from onewindow.supervision.models import (
    CardLevel,
    LetterStatus,
    ObjectKind,
    Rule,
    RuleKind,
    SupervisionLetter,
)

Rows = QuerySet[Any, tuple[int, int | None, int, dt.date | None]]
RuleQuery = Callable[[Rule, str, dt.date], Rows | None]

# The case is under review and its committed limit runs (a special procedure stops the clock).
DECISION_CLOCK_RUNNING = (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)
# Empty or whitespace only (the database checks refuse "" but not "  \n"); works on SQLite's
# Python regexp and PostgreSQL's ``~`` alike.
BLANK = r"^\s*$"


@dataclass(frozen=True)
class Hit:
    object_kind: str
    object_id: int
    case_id: int | None
    department_id: int
    level: str
    detail: str
    due: dt.date | None = None


# --- D2 thresholds -----------------------------------------------------------------------------
def red_last_due(rule: Rule, today: dt.date) -> dt.date:
    """The latest due date that is red at ``today``: the r-th working day after it is ≤ today."""
    cal = get_calendar()
    day = today if cal.is_working_day(today) else cal.previous_working_day(today).date
    for _step in range(rule.red_days_after - 1):
        day = cal.previous_working_day(day).date
    # add(D, r) ≤ today  ⇔  D < the r-th working day counted back from the last one ≤ today.
    return day - dt.timedelta(days=1)


def yellow_last_due(rule: Rule, today: dt.date) -> dt.date:
    """The latest due date that is yellow at ``today``: its n-th working day before is ≤ today."""
    return get_calendar().add_working_days(today, rule.yellow_days_before).date


def due_window(rule: Rule, level: str, today: dt.date) -> tuple[dt.date | None, dt.date] | None:
    """Due dates in ``(after, upto]`` crossed ``level`` at ``today``; None: level not in use.

    A due date already past the red bound gets no late yellow card: the red one says it all.
    """
    red = red_last_due(rule, today)
    if level == CardLevel.RED:
        return None, red
    if not rule.yellow_enabled:
        return None
    return red, yellow_last_due(rule, today)


def _due_filter(field: str, window: tuple[dt.date | None, dt.date]) -> Q:
    after, upto = window
    q = Q(**{f"{field}__lte": upto})
    if after is not None:
        q &= Q(**{f"{field}__gt": after})
    return q


def _deadline(rule: Rule, level: str, today: dt.date) -> tuple[dt.date | None, dt.date] | None:
    return due_window(rule, level, today) if rule.kind == RuleKind.DEADLINE else None


def share_last_due(rule: Rule, today: dt.date, allotted: int) -> dt.date | None:
    """The latest due date that is yellow at ``today`` by the share rule for ``allotted`` days."""
    if rule.yellow_share is None or allotted <= 0:
        return None
    used = math.ceil(allotted * rule.yellow_share / 100)
    return get_calendar().add_working_days(today, max(allotted - used, 0)).date


def _deadline_filter(
    rule: Rule,
    level: str,
    today: dt.date,
    field: str,
    allotted: Callable[[], Iterable[tuple[Q, int]]],
) -> Q | None:
    """The due-date filter of a deadline rule at ``level``, share threshold included (D2).

    ``allotted`` lists (rows, allotted working days) pairs; it is only called when the rule has
    a share threshold.
    """
    window = _deadline(rule, level, today)
    if window is None:
        return None
    q = _due_filter(field, window)
    if level != CardLevel.YELLOW or rule.yellow_share is None:
        return q
    red, days_upto = window
    for rows, days in allotted():
        upto = share_last_due(rule, today, days)
        if upto is not None and upto > days_upto:
            q |= rows & _due_filter(field, (red, upto))
    return q


def _fixed(days: int) -> Callable[[], Iterable[tuple[Q, int]]]:
    return lambda: [(Q(), days)]


def _task_allotted() -> list[tuple[Q, int]]:
    """Each task carries its branch's allotted days (a handful of distinct catalog values)."""
    values = ProcessBranch.objects.order_by().values_list("allotted_days", flat=True).distinct()
    return [(Q(allotted_days=n), n) for n in sorted(set(values))]


def _case_allotted() -> list[tuple[Q, int]]:
    """A case's allotted time is its version's critical path (C3: the longest branch plus the
    consolidation; the committed limit less consolidation plus it without a template)."""
    by_days: dict[int, list[int]] = {}
    versions = ItemVersion.objects.order_by().annotate(
        longest=Max("process_branches__allotted_days")
    )
    for pk, longest, consolidation, committed in versions.values_list(
        "pk", "longest", "consolidation_days", "committed_days"
    ):
        if not longest and committed is None:
            continue
        branch = longest or max(1, committed - consolidation)  # as catalog.deadlines.process_plan
        days = critical_path_days([branch], consolidation)
        by_days.setdefault(days, []).append(pk)
    return [(Q(item_version_id__in=pks), n) for n, pks in sorted(by_days.items())]


# --- deadline rules ----------------------------------------------------------------------------
def task_due(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """D1 "a step late even when the case is not": a department's review task past its due.

    A paused task is not running (``review.dues.task_paused_q``): its case is in a special
    procedure (B4, ALL Art. 45: the time does not count, the due date moves when it ends; the
    procedure's own overrun is ``suspension_overdue``), or it waits for material under a request
    that stops the clock (item setting).
    """
    due = _deadline_filter(rule, level, today, "due", _task_allotted)
    if due is None:
        return None
    return (
        Task.objects.filter(due)
        .filter(status__in=TASK_PENDING)
        .exclude(task_paused_q())
        .values_list("pk", "case_id", "department_id", "due")
    )


def case_decision_due(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """D1 "exceeding the committed limit": an accepted case past its decision_due."""
    due = _deadline_filter(rule, level, today, "decision_due", _case_allotted)
    if due is None:
        return None
    return (
        Case.objects.filter(due)
        .filter(status__in=DECISION_CLOCK_RUNNING)
        .values_list("pk", "pk", "department_id", "decision_due")
    )


def case_intake_due(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """ALL Art. 32: a submitted case still without an intake decision at its intake_due."""
    due = _deadline_filter(rule, level, today, "intake_due", _fixed(INTAKE_DAYS))
    if due is None:
        return None
    return (
        Case.objects.filter(due)
        .filter(status__in=AWAITING_INTAKE)
        .values_list("pk", "pk", "department_id", "intake_due")
    )


def certificate_due(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """ALL Art. 44 (B3): a granted case not yet completed (delivered) at certificate_due."""
    due = _deadline_filter(rule, level, today, "certificate_due", _fixed(CERTIFICATE_DAYS))
    if due is None:
        return None
    return (
        Decision.objects.filter(due)
        .filter(kind=DecisionKind.GRANT, case__status=CaseStatus.GRANTED)
        .values_list("pk", "case_id", "case__department_id", "certificate_due")
    )


def commitment_due(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """G2: a 容缺 commitment (tolerated material) not fulfilled by its due date."""
    window = _deadline(rule, level, today)
    if window is None:
        return None
    return (
        Commitment.objects.filter(_due_filter("due_on", window))
        .filter(
            kind=CommitmentKind.TOLERATED,
            status__in=(CommitmentStatus.OPEN, CommitmentStatus.OVERDUE),
        )
        .values_list("pk", "case_id", "case__department_id", "due_on")
    )


def latest_start(days: int, upto: dt.date) -> dt.date:
    """The latest start date whose ``days``-th working day after it is on or before ``upto``."""
    cal = get_calendar()
    low = upto - dt.timedelta(days=days * 2 + 40)
    while cal.add_working_days(low, days).date > upto:  # long holidays: widen the range
        low -= dt.timedelta(days=days + 30)
    high = upto
    while low < high:  # add_working_days is non-decreasing in its start
        mid = low + dt.timedelta(days=(high - low).days + 1 >> 1)
        if cal.add_working_days(mid, days).date <= upto:
            low = mid
        else:
            high = mid - dt.timedelta(days=1)
    return low


def suspension_overdue(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """D1 "suspension past its stated length": started_on + expected_days working days passed.

    The due date is not stored, so the bounds are turned into start-date bounds per distinct
    ``expected_days`` (a handful of values): still one indexed query, no per-row loop.
    """
    window = _deadline(rule, level, today)
    if window is None:
        return None
    after, upto = window
    open_ = Suspension.objects.filter(ended_on__isnull=True)
    lengths = sorted(set(open_.values_list("expected_days", flat=True)))
    if not lengths:
        return None
    q = Q(pk__in=[])
    for days in lengths:
        term = Q(expected_days=days, started_on__lte=latest_start(days, upto))
        if after is not None:
            term &= Q(started_on__gt=latest_start(days, after))
        q |= term
    return open_.filter(q).values_list("pk", "case_id", "case__department_id", "started_on")


# --- violation rules (red only) ----------------------------------------------------------------
def _violation(level: str) -> bool:
    return level == CardLevel.RED


def decision_without_acceptance(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """docs/product.md §C10: a decision on a case that was never accepted nor deemed accepted."""
    if not _violation(level):
        return None
    return Decision.objects.filter(
        case__accepted_on__isnull=True, case__deemed_accepted=False
    ).values_list("pk", "case_id", "case__department_id", "decided_on")


def refusal_without_reasons(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """ALL Art. 38: a refusal whose reasons or remedies are blank (whitespace only)."""
    if not _violation(level):
        return None
    return (
        Decision.objects.filter(kind=DecisionKind.REFUSE)
        .filter(Q(reasons__regex=BLANK) | Q(remedies__regex=BLANK))
        .values_list("pk", "case_id", "case__department_id", "decided_on")
    )


def fee_off_list(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """D1 "fees not on the fee list or above it": a charge in the fee ledger (cases.CaseFee)
    under no line of the case's item version's fee list, or above the standard × the quantity
    charged (the handling district's own standard where it set one) (cases.services.fees.fee_is_off_list says the same for one record)."""
    if not _violation(level):
        return None
    off_list = (
        Q(fee__isnull=True)
        | ~Q(fee__version_id=F("case__item_version_id"))
        # docs/rules/delegation.md §V5: a district's own standard, kept on the record.
        | Q(amount__gt=Coalesce(F("unit_standard"), F("fee__amount")) * F("quantity"))
    )
    return CaseFee.objects.filter(off_list).values_list(
        "pk", "case_id", "case__department_id", "charged_on"
    )


def acceptance_core_missing(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """G2: an accepted case whose core (主要) material is missing, defective or tolerated."""
    if not _violation(level):
        return None
    bad_core = CaseMaterial.objects.filter(
        case=OuterRef("pk"),
        material__is_core=True,
        status__in=(MaterialStatus.MISSING, MaterialStatus.DEFECTIVE, MaterialStatus.TOLERATED),
    )
    return (
        Case.objects.filter(accepted_on__isnull=False)
        .filter(Exists(bad_core))
        .values_list("pk", "pk", "department_id", "accepted_on")
    )


def second_correction_unsigned(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """ALL Art. 32 (一次性告知): a second or later correction notice without a sign-off and its
    reason (the database refuses an empty one; a blank one still gets through)."""
    if not _violation(level):
        return None
    return (
        CorrectionNotice.objects.filter(sequence__gte=2)
        .filter(Q(signed_off_by__isnull=True) | Q(sign_off_reason__regex=BLANK))
        .values_list("pk", "case_id", "case__department_id", "notice__issued_at__date")
    )


def suspension_without_reason(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """ALL Art. 45 / D1 "suspension without a legal reason": a special procedure with a blank
    reason (its kind is always one of the legal ones)."""
    if not _violation(level):
        return None
    return Suspension.objects.filter(reason__regex=BLANK).values_list(
        "pk", "case_id", "case__department_id", "started_on"
    )


def deemed_acceptance(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """ALL Art. 32: the case was accepted by law because intake stayed silent (CaseFlag)."""
    if not _violation(level):
        return None
    return Case.objects.filter(flags__kind="deemed_acceptance").values_list(
        "pk", "pk", "department_id", "intake_due"
    )


def deemed_consent(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """C2: a department stayed silent past its task's due date, consent deemed (the case's
    deemed_consent CaseFlag; the card goes to the silent department, one per task)."""
    if not _violation(level):
        return None
    return Task.objects.filter(
        status=TaskStatus.DEEMED, case__flags__kind="deemed_consent"
    ).values_list("pk", "case_id", "department_id", "due")


def deemed_renewal(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """ALL Art. 50 (docs/rules/licensing.md §B6): a licence renewed by law because no decision on a
    timely renewal application came by its expiry date (the renewal case's deemed_renewal CaseFlag;
    the card goes to the case's department, dated with the expiry it let pass)."""
    if not _violation(level):
        return None
    return Case.objects.filter(flags__kind="deemed_renewal").values_list(
        "pk", "pk", "department_id", "renewal__expires_on"
    )


def letter_overdue(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """docs/rules/supervision.md §D8: a 督办函 not answered by its response_due (red only; the letter
    is marked escalated by ``letters.letters_escalate``). A letter about a department in general
    has no case: its card has none either."""
    window = _deadline(rule, level, today)
    if window is None or level != CardLevel.RED:
        return None
    return (
        SupervisionLetter.objects.filter(_due_filter("response_due", window))
        .filter(status__in=(LetterStatus.ISSUED, LetterStatus.ESCALATED))
        .values_list("pk", "case_id", "department_id", "response_due")
    )


def question_unanswered(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """docs/rules/consultation.md §K1: a question still unanswered at its reply_due (working days
    after it was asked); the card goes to the department asked and has no case."""
    window = _deadline(rule, level, today)
    if window is None:
        return None
    return (
        Question.objects.filter(_due_filter("reply_due", window))
        .filter(status=QuestionStatus.OPEN)
        .values_list(
            # A typed NULL (NULL::bigint on PostgreSQL): the sweep's INSERT … SELECT needs it.
            "pk",
            Cast(Value(None), BigIntegerField()),
            "department_id",
            "reply_due",
        )
    )


def rectification_overdue(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """docs/rules/satisfaction.md §E5: a bad review not rectified by its due date (default 15
    working days after the rating, or the earlier deadline the department set). The card goes to
    the responsible department; a rectified, reported or excluded one is quiet."""
    window = _deadline(rule, level, today)
    if window is None:
        return None
    return (
        BadReview.objects.filter(_due_filter("due_on", window))
        .filter(status__in=BAD_REVIEW_OPEN)
        .values_list("pk", "case_id", "department_id", "due_on")
    )


def agency_qualification_expiry(rule: Rule, level: str, today: dt.date) -> Rows | None:
    """docs/rules/agencies.md §I12: an active agency's qualification reaching the end of its
    validity with no later certificate of the same name registered: yellow ahead of the expiry,
    red after it. The card goes to the first department the agency serves (lowest id); it has no
    case."""
    window = _deadline(rule, level, today)
    if window is None:
        return None
    served = Agency.departments.through.objects.filter(agency_id=OuterRef("agency_id")).order_by(
        "department_id"
    )
    renewed = Qualification.objects.filter(
        agency_id=OuterRef("agency_id"), name=OuterRef("name"), valid_to__gt=OuterRef("valid_to")
    )
    return (
        Qualification.objects.filter(_due_filter("valid_to", window))
        .filter(agency__status=AgencyStatus.ACTIVE)
        .filter(~Exists(renewed))
        .annotate(first_department=Subquery(served.values("department_id")[:1]))
        .filter(first_department__isnull=False)
        .values_list(
            "pk",
            Cast(Value(None), BigIntegerField()),
            "first_department",
            "valid_to",
        )
    )


@dataclass(frozen=True)
class RuleSpec:
    object_kind: str
    query: RuleQuery
    # The card's text; %(due)s is the due date (or the date of the fact) of the row.
    detail: str


RULES: dict[str, RuleSpec] = {
    "task_due": RuleSpec(ObjectKind.TASK, task_due, "部门审查期限 %(due)s"),
    "case_decision_due": RuleSpec(ObjectKind.CASE, case_decision_due, "承诺办结期限 %(due)s"),
    "case_intake_due": RuleSpec(ObjectKind.CASE, case_intake_due, "受理期限 %(due)s"),
    "certificate_due": RuleSpec(ObjectKind.DECISION, certificate_due, "发证送达期限 %(due)s"),
    "commitment_due": RuleSpec(ObjectKind.COMMITMENT, commitment_due, "承诺补齐期限 %(due)s"),
    "suspension_overdue": RuleSpec(
        ObjectKind.SUSPENSION, suspension_overdue, "特别程序自 %(due)s 开始，已超过预计时长"
    ),
    "decision_without_acceptance": RuleSpec(
        ObjectKind.DECISION, decision_without_acceptance, "%(due)s 作出决定，办件未经受理"
    ),
    "refusal_without_reasons": RuleSpec(
        ObjectKind.DECISION, refusal_without_reasons, "%(due)s 不予许可决定未说明理由或救济途径"
    ),
    "fee_off_list": RuleSpec(
        ObjectKind.FEE, fee_off_list, "%(due)s 收费不在收费清单内或高于收费标准"
    ),
    "acceptance_core_missing": RuleSpec(
        ObjectKind.CASE, acceptance_core_missing, "%(due)s 受理时核心材料缺失"
    ),
    "second_correction_unsigned": RuleSpec(
        ObjectKind.CORRECTION, second_correction_unsigned, "%(due)s 第二次补正告知未经签批"
    ),
    "suspension_without_reason": RuleSpec(
        ObjectKind.SUSPENSION, suspension_without_reason, "%(due)s 启动特别程序未写明事由"
    ),
    "deemed_acceptance": RuleSpec(
        ObjectKind.CASE, deemed_acceptance, "受理期限 %(due)s 届满未作决定，视为受理"
    ),
    "deemed_consent": RuleSpec(
        ObjectKind.TASK, deemed_consent, "审查期限 %(due)s 届满未提出意见，视为同意"
    ),
    "deemed_renewal": RuleSpec(
        ObjectKind.CASE, deemed_renewal, "有效期 %(due)s 届满未作延续决定，视为准予延续"
    ),
    "letter_overdue": RuleSpec(
        ObjectKind.LETTER, letter_overdue, "督办函回复期限 %(due)s 届满未回复"
    ),
    "question_unanswered": RuleSpec(
        ObjectKind.QUESTION, question_unanswered, "网上咨询答复期限 %(due)s"
    ),
    "rectification_overdue": RuleSpec(
        ObjectKind.RECTIFICATION, rectification_overdue, "差评整改期限 %(due)s"
    ),
    "agency_qualification_expiry": RuleSpec(
        ObjectKind.QUALIFICATION, agency_qualification_expiry, "中介机构资质有效期至 %(due)s"
    ),
}

LEVELS = (CardLevel.YELLOW, CardLevel.RED)


def describe(spec: RuleSpec, due: dt.date | None) -> str:
    return describer(spec)(due)


def describer(spec: RuleSpec) -> Callable[[dt.date | None], str]:
    """``describe`` for many rows: the card text translated once, formatted per due date."""
    if not spec.detail:
        return lambda due: ""
    text = _(spec.detail)
    return lambda due: text % {"due": due.isoformat() if due else "—"}


def crossed(rule: Rule, level: str, today: dt.date) -> list[Hit]:
    """Every row that crossed ``rule`` on ``level`` at ``today`` (cards or not): for tests,
    pages and reports. The sweep pages through the same query instead."""
    spec = RULES.get(rule.code)
    rows = spec.query(rule, level, today) if spec and rule.enabled else None
    if spec is None or rows is None:
        return []
    return [
        Hit(spec.object_kind, pk, case_id, dept_id, level, describe(spec, due), due)
        for pk, case_id, dept_id, due in rows.order_by("pk")
    ]
