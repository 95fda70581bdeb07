"""Progress query (进度查询, docs/product.md §C9) and the applicant's dashboard (我的办件).

The public look-up needs no login: case number + query code, rate-limited per client address,
compared in constant time, and one answer for "no such number" and "wrong code" alike, so the
page cannot be used to find out which numbers exist. It shows only what the applicant may
tell anyone holding the code: status, stage, department, due dates and the public events
(never staff names or internal remarks).

The read side of the progress page and the dashboard: the pages are in ``portal.views``, the
API in ``portal.api``.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.calendars.selectors import get_calendar
from onewindow.cases import dues
from onewindow.cases.events import event_public_label, event_reason_public
from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    Notice,
)
from onewindow.cases.selectors import application as application_selectors
from onewindow.cases.trail import on_behalf_public_text
from onewindow.certificates import selectors as certificate_selectors
from onewindow.certificates.selectors import DeliveryInfo
from onewindow.core.ratelimit import rate_spend
from onewindow.lib.prepared import Prepared
from onewindow.lib.workdays import Due
from onewindow.review import selectors as review_selectors

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NOT_FOUND = gettext_lazy("未找到该办件，请核对办件编号和查询码")
# Lookups per client address per minute, page and API together (a fixed one-minute window).
DEFAULT_PER_MINUTE = 20
_LONGEST_NUMBER, _LONGEST_CODE = 40, 12  # Case.number / Case.query_code max_length
_DUMMY_CODE = "X" * 8  # compared against when the number does not exist: same work either way

CLOSED = (CaseStatus.REJECTED, CaseStatus.WITHDRAWN, CaseStatus.TERMINATED, CaseStatus.COMPLETED)

STAGES: dict[str, StrOrPromise] = {
    CaseStatus.SUBMITTED: gettext_lazy("窗口受理"),
    CaseStatus.CORRECTION: gettext_lazy("申请人补正材料"),
    CaseStatus.ACCEPTED: gettext_lazy("审查与决定"),
    CaseStatus.IN_REVIEW: gettext_lazy("部门并联审查"),  # docs/product.md §C5: the parallel review
    CaseStatus.REJECTED: gettext_lazy("已办结"),
    CaseStatus.WITHDRAWN: gettext_lazy("已办结"),
    CaseStatus.TERMINATED: gettext_lazy("已办结"),
    CaseStatus.GRANTED: gettext_lazy("证照制发与送达"),
    CaseStatus.COMPLETED: gettext_lazy("已办结"),
}


# --- read side: look-up, report, rate limit ----------------------------------------------------


# The reads of the page, compiled once (onewindow/lib/prepared.py): it is the busiest public page.
_BY_NUMBER: Prepared[Case] = Prepared(
    lambda p: (
        Case.objects.select_related("item_version", "department")
        .filter(number=p.number)
        .exclude(status=CaseStatus.DRAFT)
        .order_by()[:1]
    ),  # Case.number is unique: no ordering needed
    number=str,
)
_TOLERATED: Prepared[Commitment] = Prepared(
    lambda p: (
        Commitment.objects.filter(
            case_id=p.case, kind=CommitmentKind.TOLERATED, due_on__isnull=False
        )
        .select_related("material")
        .order_by("due_on", "pk")
    ),
    case=int,
)
_PUBLIC_EVENTS: Prepared[CaseEvent] = Prepared(
    lambda p: (
        CaseEvent.objects.filter(case_id=p.case, public=True)
        .order_by("at", "pk")
        .only("at", "action", "old_status", "new_status", "reason", "on_behalf_of")
    ),
    case=int,
)


def progress_lookup(*, number: str, code: str) -> Case | None:
    """The submitted case with this number and query code, or None — one answer for both misses."""
    number, code = number.strip().upper(), code.strip().upper()
    if not (0 < len(number) <= _LONGEST_NUMBER and 0 < len(code) <= _LONGEST_CODE):
        return None
    case = _BY_NUMBER.first(number=number)
    expected = case.query_code if case is not None and case.query_code else _DUMMY_CODE
    matches = hmac.compare_digest(expected.encode(), code.encode())
    return case if matches and case is not None else None


def progress_rate_spend(ip: str | None) -> int:
    """Count one look-up for ``ip``: 0 while under the limit, else seconds until it resets.

    Counted in the store every worker shares (``core.ratelimit``, docs/decisions.md §S2)."""
    limit: int = getattr(settings, "PROGRESS_QUERY_PER_MINUTE", DEFAULT_PER_MINUTE)
    return rate_spend(scope="progress", ident=ip, limit=limit)


@dataclass(frozen=True)
class DueDate:
    """One dated line of the report: the ``Due`` value (date, provisional, paused) with a label."""

    label: str
    date: dt.date
    provisional: bool
    note: str = ""
    paused: bool = False


def _line(label: str, due: Due | None, note: str = "") -> list[DueDate]:
    """The report line of a stored due date (``cases.dues`` / ``review.dues``), if it has one."""
    if due is None:
        return []
    return [DueDate(label, due.date, due.provisional, note, due.paused)]


@dataclass(frozen=True)
class Step:
    """One public event of the timeline: when, what, and the decision's own words if any."""

    at: dt.datetime
    label: str
    note: str
    # docs/rules/mandates.md §T5: an agent acted (no name on the public page).
    by_agent: str = ""


@dataclass(frozen=True)
class ProgressReport:
    """Everything the public progress page and API show about one case."""

    case: Case
    status_label: str
    status_colour: str
    stage: str
    holder: str
    due_dates: list[DueDate]
    expected: DueDate | None
    expected_note: str
    steps: list[Step] = field(default_factory=list)
    # docs/product.md §C6: how the result is delivered (method, status, tracking number); None
    # before a choice.
    delivery: DeliveryInfo | None = None

    @property
    def provisional(self) -> bool:
        return any(d.provisional for d in self.due_dates) or bool(
            self.expected and self.expected.provisional
        )


def progress_report(case: Case) -> ProgressReport:
    """The report of a case found by ``progress_lookup`` (three more queries at most)."""
    status = case.status
    expected, expected_note = _expected_completion(case)
    return ProgressReport(
        case=case,
        status_label=_status_label(status),
        status_colour=case.status_colour,
        stage=str(STAGES.get(status) or _status_label(status)),
        holder=_holder(case),
        due_dates=_due_dates(case),
        expected=expected,
        expected_note=expected_note,
        steps=_public_steps(case),
        delivery=certificate_selectors.delivery_public(case),
    )


_STATUS_LABELS = dict(CaseStatus.choices)  # lazy labels: translated when str() is called


def _status_label(status: str) -> str:
    """The label of a status, also for statuses later apps add (shown by their value)."""
    return str(_STATUS_LABELS.get(status, status))


def _holder(case: Case) -> str:
    if case.status in CLOSED:
        return _("已办结，无办理部门")
    if case.status == CaseStatus.CORRECTION:
        return _("申请人（补正材料中），受理部门：%(d)s") % {"d": case.department.name}
    if case.status == CaseStatus.IN_REVIEW and (
        names := review_selectors.departments_holding(case)
    ):
        return "、".join(names)
    return case.department.name


def _due_dates(case: Case) -> list[DueDate]:
    dates: list[DueDate] = []
    if case.received_on:
        dates.append(DueDate(_("收件日期"), case.received_on, False))
    if case.intake_due and case.status == CaseStatus.SUBMITTED:  # once decided, history
        dates += _line(_("受理期限"), dues.case_intake_due(case), _("5个工作日内作出受理决定"))
    if case.accepted_on:
        note = _("期限届满未作决定，视为受理") if case.deemed_accepted else ""
        dates.append(DueDate(_("受理日期"), case.accepted_on, False, note))
    dates += _line(_("承诺办结期限"), dues.case_decision_due(case))
    dates += _line(_("法定办结期限"), dues.case_statutory_due(case))
    dates += [
        _line(label, due, note)[0] for label, due, note in review_selectors.public_task_dues(case)
    ]
    for commitment in _tolerated(case):
        dates += _line(
            _("容缺材料补齐期限：%(m)s")
            % {"m": commitment.material.name if commitment.material else ""},
            dues.commitment_due(commitment),
            str(CommitmentStatus(commitment.status).label),
        )
    return dates


def _tolerated(case: Case) -> list[Commitment]:
    if case.accepted_on is None:
        return []  # 容缺 commitments are signed at acceptance
    return _TOLERATED.all(case=case.pk)


def _expected_completion(case: Case) -> tuple[DueDate | None, str]:
    """When the applicant can expect the result, from the stored due dates."""
    label = _("预计办结时间")
    if case.status in CLOSED:
        closed = timezone.localdate(case.closed_at) if case.closed_at else None
        return (DueDate(_("办结日期"), closed, False) if closed else None), ""
    if case.decision_due:
        return _line(label, dues.case_decision_due(case))[0], _("不晚于承诺办结期限")
    if case.status == CaseStatus.SUBMITTED and case.intake_due:
        # Accepted at the latest on the intake due date (or deemed accepted from receipt).
        due = get_calendar().add_working_days(case.intake_due, case.item_version.committed_days)
        return DueDate(label, due.date, due.provisional), _(
            "最迟受理后 %(n)s 个工作日内办结，受理后以承诺办结期限为准"
        ) % {"n": case.item_version.committed_days}
    if case.status == CaseStatus.CORRECTION:
        return None, _("补正材料重新提交后重新计算")
    return None, ""


def _public_steps(case: Case) -> list[Step]:
    steps = []
    for event in _PUBLIC_EVENTS.all(case=case.pk):
        # The step's public name (cases.events); a kind without one shows only as a status change.
        label = event_public_label(event.action)
        if label is None:
            if not event.new_status or event.new_status == event.old_status:
                continue
            label = _("办件状态变为“%(s)s”") % {"s": _status_label(event.new_status)}
        note = event.reason if event_reason_public(event.action) else ""
        steps.append(Step(timezone.localtime(event.at), label, note, on_behalf_public_text(event)))
    return steps


# --- read side: the applicant's dashboard -------------------------------------------------------


@dataclass(frozen=True)
class NextAction:
    """What the applicant has to do about a case now, and where (None: nowhere to click)."""

    text: str
    hint: str
    url: str | None
    urgent: bool


@dataclass(frozen=True)
class DashboardRow:
    """One case on 我的办件 with its next action and links."""

    case: Case
    action: NextAction
    progress_url: str | None
    notice_url: str | None
    notice_label: str


def url_or_none(name: str, *args: Any) -> str | None:
    """The URL, or None while the page it names does not exist (the dashboard renders anyway)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def progress_url(case: Case) -> str | None:
    """The public progress page of the case, as the QR code on its notices links it."""
    if not case.number or not case.query_code:
        return None
    query = urlencode({"number": case.number, "code": case.query_code})
    return f"{reverse('portal:progress')}?{query}"


def next_action(case: Case) -> NextAction:
    """``application_selectors.applicant_action`` in the dashboard's short words, with the page to use."""
    action = application_selectors.applicant_action(case)
    application = url_or_none("cases:application", case.pk)
    if action.code == "complete_draft":
        return NextAction(_("继续填写"), action.text, application, True)
    if action.code == "answer_correction":
        return NextAction(_("补正材料"), action.text, application, True)
    if action.code == "supply_tolerated":
        tolerated = getattr(case, "open_tolerated", [])
        soonest = min(
            (c for c in tolerated if c.due_on), key=lambda c: c.due_on or dt.date.max, default=None
        )
        due = dues.commitment_due(soonest) if soonest else None
        text = _("补齐容缺材料，截止 %(d)s") % {"d": _due_text(due)}
        return NextAction(text, _("请将材料交到受理窗口。"), application, True)
    if (requested := _material_requested(case)) is not None:
        return requested
    if case.status == CaseStatus.SUBMITTED:
        text = _("等待受理（受理期限 %(d)s）") % {"d": _due_text(dues.case_intake_due(case))}
        return NextAction(text, "", None, False)
    # docs/product.md §C6: choose how the certificate reaches you
    if case.status == CaseStatus.GRANTED:
        url = url_or_none("certificates:case", case.pk)
        return NextAction(
            _("选择送达方式、领取证照"), _("准予许可，请选择窗口领取、邮寄或电子证照。"), url, True
        )
    if case.status == CaseStatus.ACCEPTED:
        due = dues.case_decision_due(case)
        text = _("等待审批结果（承诺办结期限 %(d)s）") % {"d": _due_text(due)}
        return NextAction(text, "", None, False)
    return NextAction(str(action.text), "", None, False)


def _date(value: dt.date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else _("待定")


def _due_text(due: Due | None) -> str:
    """A due date in running text, marked as ``{% due_date %}`` marks it
    (docs/rules/workdays.md §A4; docs/rules/licensing.md §B4)."""
    if due is None:
        return _date(None)
    if due.paused:
        return _("暂停计时")
    return _date(due.date) + (_("（临时）") if due.provisional else "")


def _material_requested(case: Case) -> NextAction | None:
    """A department asked for more material during review (docs/product.md §C5): the applicant
    answers it."""
    if case.status not in (CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED):
        return None
    prefetched: list[Any] | None = getattr(case, "open_requests", None)  # by dashboard_rows
    requests = (
        prefetched if prefetched is not None else review_selectors.open_requests_of_case(case)
    )
    if not requests:
        return None
    first = requests[0]
    text = _("补充材料（%(d)s）") % {"d": first.task.department.name}
    return NextAction(text, first.text, url_or_none("review:material_answer", first.pk), True)


def dashboard_rows(cases: list[Case]) -> list[DashboardRow]:
    """One row per case; the latest notice of each (prefetched by ``dashboard_cases``)."""
    rows = []
    # The open material requests of the page's cases in review, one query (not one per row).
    reviewed = [c.pk for c in cases if c.status in (CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED)]
    requests = review_selectors.open_requests_by_case(reviewed) if reviewed else {}
    for case in cases:
        case.open_requests = requests.get(case.pk, [])  # type: ignore[attr-defined]
        notices = list(case.notices.all())  # prefetched, oldest first
        latest = notices[-1] if notices else None
        notice_url = url_or_none("cases:notice_pdf", case.pk, latest.pk) if latest else None
        label = latest.get_kind_display() if latest else ""
        rows.append(DashboardRow(case, next_action(case), progress_url(case), notice_url, label))
    return rows


def dashboard_cases(user: Any) -> QuerySet[Case]:
    """``application_selectors.applicant_cases`` with each case's notices, oldest first."""
    return application_selectors.applicant_cases(user).prefetch_related(
        Prefetch("notices", queryset=Notice.objects.order_by("issued_at", "pk"))
    )
