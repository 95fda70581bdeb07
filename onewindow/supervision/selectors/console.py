"""Reads for the supervisor console, the live feed and the risk register (docs/product.md §C10).

Supervisors (Perm.CASE_READ_ALL) read every department's cases and change none: nothing here
writes. Every read checks the permission first (``require_perm``: anyone else gets the logged 404
of ``core.access.deny``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from rest_framework.request import Request

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, role_label
from onewindow.accounts.selectors import require_perm
from onewindow.audit.access import AccessKind, case_access_record
from onewindow.cases.events import event_kinds, event_label
from onewindow.cases.models import (
    CLOSED_FOR_GOOD,
    Case,
    CaseEvent,
    CaseFile,
    CaseFlag,
    CaseMaterial,
    CaseStatus,
    console_closed,
)
from onewindow.catalog.models import Department
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.core.pagination import Key
from onewindow.review.models import Task
from onewindow.supervision.models import Card, Rule

# The statuses in which no decision is running against ``decision_due`` any more: closed, or
# decided (准予许可: only delivery is left, which the certificate deadline watches), or paused
# (特别程序: the clock stands still, ALL Art. 45).
CLOSED = CLOSED_FOR_GOOD
NOT_RUNNING = (*CLOSED, CaseStatus.GRANTED, CaseStatus.SUSPENDED)

# Actions of the applicant's draft, before a case exists for anyone else: not in the feed.
DRAFT_ACTIONS = ("draft_created", "draft_saved")
PAGE_SIZE = 50
FEED_LIMIT = 100


def action_label(action: str) -> str:
    return event_label(action)


def action_known(action: str) -> bool:
    """An action the feed can be filtered by: a registered kind with a staff name."""
    return any(code == action for code, _label in feed_actions())


def status_label(status: str) -> str:
    return str(CaseStatus(status).label) if status in CaseStatus.values else status


def require_supervisor(request: HttpRequest | Request, *, target: Any = None) -> User:
    """The signed-in supervisor (Perm.CASE_READ_ALL); anyone else: logged 404."""
    return require_perm(request, Perm.CASE_READ_ALL, target=target or "supervision:console")


# --- the case list ----------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseFilter:
    department: int | None = None
    status: str = ""
    item: str = ""  # the item's code
    overdue: bool = False
    flagged: bool = False
    number: str = ""


def _with_flags() -> Any:
    return Exists(CaseFlag.objects.filter(case_id=OuterRef("pk")))


# The console in pages by keyset (docs/rules/scale.md §Y2); the expression index
# case_console_order (cases/models.py) holds the cases in this order.
CONSOLE_ORDER: tuple[str | Key, ...] = ("closed", Key("deadline", nulls_last=True), "-pk")


def console_cases(filters: CaseFilter, *, today: dt.date | None = None) -> QuerySet[Case]:
    """Every submitted case of every department, open ones first and by nearest deadline
    (受理期限 before acceptance, 承诺办结期限 after)."""
    today = today or clock.today()
    rows = (
        Case.objects.exclude(status=CaseStatus.DRAFT)
        .select_related("item_version", "item_version__item", "department", "applicant")
        .annotate(
            deadline=Coalesce("decision_due", "intake_due"),
            flagged=_with_flags(),
            closed=console_closed(),
        )
    )
    if filters.department:
        rows = rows.filter(department_id=filters.department)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.item:
        rows = rows.filter(item_version__item__code=filters.item)
    if filters.overdue:
        rows = rows.filter(overdue_q(today))
    if filters.flagged:
        rows = rows.filter(flagged=True)
    if filters.number:
        rows = rows.filter(number__icontains=filters.number)
    return rows.order_by(*(Key.parse(key).order() for key in CONSOLE_ORDER))


def overdue_q(today: dt.date) -> Q:
    """A case past its committed completion date whose decision is still running."""
    return Q(decision_due__lt=today) & ~Q(status__in=NOT_RUNNING)


def departments() -> QuerySet[Department]:
    return Department.objects.order_by("name")


# --- one case ---------------------------------------------------------------------------------
def console_case_get(request: HttpRequest | Request, *, case_id: int) -> Case:
    """A submitted case for the supervisor; anyone else, or no such case: logged 404."""
    require_supervisor(request, target=f"case:{case_id}")
    case = (
        Case.objects.select_related(
            "item_version", "item_version__item", "department", "region", "applicant", "agent"
        )
        .exclude(status=CaseStatus.DRAFT)
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raw = request._request if isinstance(request, Request) else request
        raise deny(raw, target=f"case:{case_id}", reason="no such case")
    case_access_record(request, case)  # docs/rules/audit.md §Z11
    return case


def console_case_file(request: HttpRequest, *, case: Case, file_id: int) -> CaseFile:
    """A material file of ``case`` (which the caller got through ``console_case_get``)."""
    attached = (
        CaseFile.objects.select_related("stored")
        .filter(pk=file_id, case_material__case_id=case.pk)
        .first()
    )
    if attached is None:
        raise deny(request, target=f"case:{case.pk}:file:{file_id}", reason="file not on case")
    case_access_record(request, case, kind=AccessKind.FILE, detail=attached.stored.original_name)
    return attached


def case_lines(case: Case) -> QuerySet[CaseMaterial]:
    return case.materials.select_related("material").prefetch_related(
        Prefetch("files", queryset=CaseFile.objects.select_related("stored"))
    )


def case_tasks(case: Case) -> QuerySet[Task]:
    """The departments' review tasks with their opinions (and who gave them)."""
    return (
        Task.objects.filter(case_id=case.pk)
        .select_related("department", "opinion", "opinion__actor")
        .order_by("-is_lead", "pk")
    )


def case_flags(case: Case) -> QuerySet[CaseFlag]:
    return case.flags.order_by("at", "pk")


def case_events(case: Case) -> QuerySet[CaseEvent]:
    """The full trail, internal events and staff names included, oldest first."""
    return case.events.select_related("actor", "on_behalf_of").order_by("at", "pk")


# --- the live feed ----------------------------------------------------------------------------
def feed_events(
    *,
    after: int | None = None,
    department: int | None = None,
    action: str = "",
    rule: Rule | None = None,
) -> list[CaseEvent]:
    """The newest case events (at most ``FEED_LIMIT``), newest first; with ``after`` only those
    recorded after that event (by primary key, the insertion order: a cursor on the index); with
    ``rule`` only the events of cases that have a card of that rule."""
    rows = (
        CaseEvent.objects.exclude(case__status=CaseStatus.DRAFT)
        .exclude(action__in=DRAFT_ACTIONS)
        .select_related(
            "case",
            "case__department",
            "case__item_version",
            "case__item_version__item",
            "actor",
        )
    )
    if after is not None:
        rows = rows.filter(pk__gt=after)
    if department:
        rows = rows.filter(Q(case__department_id=department) | Q(actor__department_id=department))
    if action:
        rows = rows.filter(action=action)
    if rule is not None:
        # One subquery on the card table's (rule, …) unique index.
        rows = rows.filter(case_id__in=Card.objects.filter(rule_id=rule.pk).values("case_id"))
    return list(rows.order_by("-pk")[:FEED_LIMIT])


def feed_rule(code: str) -> Rule | None:
    """The rule a feed filter names by its code, or None (unknown codes are the caller's call)."""
    code = code.strip()
    return Rule.objects.filter(code=code).first() if code and len(code) <= 40 else None


def feed_rules() -> QuerySet[Rule]:
    return Rule.objects.order_by("sort", "code")


def feed_cards(
    *, after: int | None = None, department: int | None = None, rule: Rule | None = None
) -> list[Card]:
    """发牌动态: the newest cards issued (at most ``FEED_LIMIT``), newest first; with ``after``
    only the cards inserted after that card id (the same cursor semantics as ``feed_events``,
    on the card table's own primary key)."""
    rows = Card.objects.select_related(
        "rule", "case", "department", "case__item_version", "case__item_version__item"
    )
    if after is not None:
        rows = rows.filter(pk__gt=after)
    if department:
        rows = rows.filter(department_id=department)
    if rule is not None:
        rows = rows.filter(rule_id=rule.pk)
    return list(rows.order_by("-pk")[:FEED_LIMIT])


def card_feed_row(card: Card) -> dict[str, Any]:
    """One 发牌动态 line: "发出黄牌/红牌:<rule>" at the card's issue time."""
    case = card.case  # None for a card on a letter about a department in general
    return {
        "id": card.pk,
        "at": card.issued_at,
        "case_id": case.pk if case else None,
        "case_number": (case.number or "") if case else "",
        "item": case.item_version.name if case else "",
        "department": card.department.name,
        "level": card.level,
        "level_label": str(card.get_level_display()),
        "rule": card.rule.code,
        "rule_name": card.rule.name,
        "text": str(gettext_lazy("发出%(level)s：%(rule)s"))
        % {"level": card.get_level_display(), "rule": card.rule.name},
        "status": card.status,
        "status_label": str(card.get_status_display()),
    }


def feed_actions() -> list[tuple[str, str]]:
    """Every action code with its staff name (``cases.events``), by code."""
    return [(kind.code, str(kind.label)) for kind in event_kinds() if kind.label is not None]


def feed_row(event: CaseEvent) -> dict[str, Any]:
    """One feed line as plain data (the JSON endpoint and the page's script share it)."""
    case = event.case
    return {
        "id": event.pk,
        "at": event.at,
        "case_id": case.pk,
        "case_number": case.number or "",
        "item": case.item_version.name,
        "department": case.department.name,
        "actor": str(event.actor) if event.actor else "",
        "actor_role": event.actor_role,
        "actor_role_label": role_label(event.actor_role) if event.actor_role else "",
        "action": event.action,
        "action_label": action_label(event.action),
        "old_status": event.old_status,
        "old_status_label": status_label(event.old_status) if event.old_status else "",
        "new_status": event.new_status,
        "new_status_label": status_label(event.new_status) if event.new_status else "",
    }
