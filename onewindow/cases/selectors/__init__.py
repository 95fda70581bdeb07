"""Reads of cases that check access in the same call; refusals are logged and answered 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from onewindow.accounts.models import ApplicantKind, User, identity_q
from onewindow.accounts.roles import Perm, Role, has_perm
from onewindow.audit.access import AccessKind, case_access_record
from onewindow.calendars.selectors import get_calendar
from onewindow.cases import mandate_scopes
from onewindow.cases.models import (
    AWAITING_INTAKE,
    Case,
    CaseEvent,
    CaseStatus,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    Mandate,
    MandateChannel,
    Notice,
)
from onewindow.catalog.models import (
    Department,
    ImplementationMode,
    ItemVersion,
    ToleranceSetting,
    VersionStatus,
)
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.core.pagination import Key
from onewindow.lib.constant_sql import constant_in
from onewindow.lib.idnumbers import normalise
from onewindow.lib.prepared import Prepared
from onewindow.lib.workdays import Due


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related(
        "item_version", "item_version__item", "department", "region", "applicant", "agent"
    )


def cases_of_applicant(user: Any, *, today: dt.date | None = None) -> QuerySet[Case]:
    """The user's own cases, and those an agent reaches under a mandate in force.

    docs/product.md §C8, docs/rules/mandates.md §T2: a mandate is scoped and revocable. An agent
    reaches the cases they filed while a mandate for every item or for the case's item lasts,
    and any case of the principal a mandate for that very case or for its key project covers.
    Once the mandate is revoked, has expired, is still pending (a paper mandate not confirmed)
    or does not cover the case, the agent no longer sees (nor acts on) it; the applicant always
    sees their own.
    """
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    mine = Q(applicant=user)
    if not has_perm(user, Perm.CASE_APPLY_FOR_OTHERS):
        return _cases().filter(mine)
    today = today or clock.today()
    in_force = _mandates_in_force(agent_id=user.pk, today=today)
    filed = in_force.filter(
        Q(item__isnull=True) | Q(item_id=OuterRef("item_version__item_id")),
        case__isnull=True,
        project_id__isnull=True,
        applicant_id=OuterRef("applicant_id"),
    )
    named = in_force.filter(case_id=OuterRef("pk"), applicant_id=OuterRef("applicant_id"))
    reach = mine | (Q(agent=user) & Exists(filed)) | Exists(named)
    project_cases = _project_case_ids(user, in_force)
    if project_cases:
        reach |= Q(pk__in=project_cases)
    return _cases().filter(reach)


def _project_case_ids(user: Any, in_force: QuerySet[Mandate]) -> list[int]:
    """Cases of principals who mandated ``user`` for a key project, inside that project
    (asked of the registered project scope, ``cases.mandate_scopes``)."""
    if not mandate_scopes.project_known():
        return []
    projects: dict[int, set[int]] = {}
    for applicant_id, project_id in in_force.filter(project_id__isnull=False).values_list(
        "applicant_id", "project_id"
    ):
        if project_id is not None:
            projects.setdefault(applicant_id, set()).add(project_id)
    if not projects:
        return []
    found = []
    candidates = Case.objects.filter(applicant_id__in=projects).select_related("item_version")
    for case in candidates:
        item_id = case.item_version.item_id
        if any(
            mandate_scopes.project_covers(p, item_id, case) for p in projects[case.applicant_id]
        ):
            found.append(case.pk)
    return found


def mandates_in_force_q(today: dt.date) -> Q:
    """Mandates that authorise today (docs/rules/mandates.md §T2): started, not ended, not
    revoked, and not a paper mandate still pending or refused."""
    return (
        Q(revoked_at__isnull=True, refused_at__isnull=True)
        & Q(valid_from__lte=today, valid_until__gte=today)
        & ~Q(channel=MandateChannel.PAPER, confirmed_at__isnull=True)
    )


def _mandates_in_force(*, agent_id: int, today: dt.date) -> QuerySet[Mandate]:
    return Mandate.objects.filter(mandates_in_force_q(today), agent_id=agent_id)


def mandates_valid(*, agent: Any, item_id: int, today: dt.date) -> QuerySet[Mandate]:
    """The agent's mandates in force today under which they may file a new case of the item:
    every item, that item (a key-project mandate: see ``mandate_covering``)."""
    return _mandates_in_force(agent_id=agent.pk, today=today).filter(
        Q(item__isnull=True) | Q(item_id=item_id), case__isnull=True, project_id__isnull=True
    )


def mandate_covering(
    *,
    agent: Any,
    applicant_id: int,
    item_id: int,
    today: dt.date,
    case: Case | None = None,
    filed_scopes: bool = True,
) -> Mandate | None:
    """The agent's mandate in force from the applicant that covers a new filing of ``item_id``
    (``case`` None) or ``case`` (docs/rules/mandates.md §T1, §T2); None when there is none.

    Every item / one item cover any filing or case of the item; a case mandate only that case;
    a project mandate what the registered project scope says is inside the project. With
    ``filed_scopes`` False only the mandates that name the case (case, project) count: the
    scopes that let an agent reach a case they did not file themselves.
    """
    if not has_perm(agent, Perm.CASE_APPLY_FOR_OTHERS):
        return None
    mandates = _mandates_in_force(agent_id=agent.pk, today=today).filter(applicant_id=applicant_id)
    for mandate in mandates.order_by("pk"):
        if mandate.case_id is not None:
            if case is not None and mandate.case_id == case.pk:
                return mandate
        elif mandate.project_id is not None:
            if mandate_scopes.project_covers(mandate.project_id, item_id, case):
                return mandate
        elif filed_scopes and mandate.item_id in (None, item_id):
            return mandate
    return None


def mandate_covers(
    *, agent: Any, applicant_id: int, item_id: int, today: dt.date, case: Case | None = None
) -> bool:
    """Whether a mandate in force covers the filing (``case`` None) or the case."""
    return (
        mandate_covering(
            agent=agent, applicant_id=applicant_id, item_id=item_id, today=today, case=case
        )
        is not None
    )


def mandating_applicants(*, agent: Any, item_id: int, today: dt.date) -> QuerySet[Any]:
    """Applicants whose mandate lets the agent file a new case of this item (an agent files
    only for them): every item, that item, or a key project holding the item."""

    if not has_perm(agent, Perm.CASE_APPLY_FOR_OTHERS):
        return User.objects.none()
    ids = set(
        mandates_valid(agent=agent, item_id=item_id, today=today).values_list(
            "applicant_id", flat=True
        )
    )
    if mandate_scopes.project_known():
        projects = _mandates_in_force(agent_id=agent.pk, today=today).filter(
            project_id__isnull=False
        )
        ids |= {
            m.applicant_id
            for m in projects
            if m.project_id is not None
            and mandate_scopes.project_covers(m.project_id, item_id, None)
        }
    return User.objects.filter(pk__in=ids, role=Role.APPLICANT, is_active=True).order_by(
        "full_name", "pk"
    )


def agent_may_act(user: Any, case: Case, *, today: dt.date | None = None) -> bool:
    """True when ``user`` is an agent a mandate in force lets act on ``case``
    (docs/product.md §C8, docs/rules/mandates.md §T2): the agent who filed it under a mandate
    for every item or its item, or any agent holding a mandate for the case or its project."""
    if getattr(user, "pk", None) is None or user.pk == case.applicant_id:
        return False
    return (
        mandate_covering(
            agent=user,
            applicant_id=case.applicant_id,
            item_id=case.item_version.item_id,
            today=today or clock.today(),
            case=case,
            filed_scopes=case.agent_id == user.pk,
        )
        is not None
    )


def case_get_for_applicant(request: HttpRequest, *, case_id: int) -> Case:
    """The case if the signed-in user is its applicant or agent; otherwise a logged 404."""
    user = request.user
    case = cases_of_applicant(user).filter(pk=case_id).first() if user.is_authenticated else None
    if case is None or not has_perm(user, Perm.CASE_APPLY):
        raise deny(request, target=f"case:{case_id}", reason="not applicant or agent")
    return case


_OWN_CASE_ROW: Prepared[Case] = Prepared(
    lambda p: Case.objects.filter(pk=p.case, applicant_id=p.user).order_by("pk")[:1],
    case=int,
    user=int,
)


def case_row_for_applicant(request: HttpRequest, *, case_id: int) -> Case:
    """``case_get_for_applicant`` without the related rows: the same check and logged 404.

    For services that lock and reload the case first (submission), which load what they need
    with the locked row instead of reading it twice.
    """
    user: Any = request.user
    case = None
    if user.is_authenticated and not has_perm(user, Perm.CASE_APPLY_FOR_OTHERS):
        case = _OWN_CASE_ROW.first(case=case_id, user=user.pk)  # cases_of_applicant's own cases
    elif user.is_authenticated:
        case = cases_of_applicant(user).select_related(None).filter(pk=case_id).first()
    if case is None or not has_perm(user, Perm.CASE_APPLY):
        raise deny(request, target=f"case:{case_id}", reason="not applicant or agent")
    return case


# The queue in pages by keyset (docs/rules/scale.md §Y2): the partial indexes
# case_intake_queue and case_intake_by_submission answer each order for one department.
INTAKE_ORDER: tuple[str | Key, ...] = (
    "-priority",
    Key("intake_due", nulls_last=True),
    Key("submitted_at", nulls_last=True),
    "pk",
)
INTAKE_ORDER_BY_SUBMISSION: tuple[str | Key, ...] = (Key("submitted_at", nulls_last=True), "pk")


def intake_queue(user: Any) -> QuerySet[Case]:
    """Submitted cases waiting for the clerk's department: key-project cases first
    (docs/rules/projects.md §H4), then the nearest intake deadline."""
    if not has_perm(user, Perm.CASE_INTAKE) or user.department_id is None:
        return Case.objects.none()
    return (
        _cases()
        .filter(constant_in("status", AWAITING_INTAKE), department_id=user.department_id)
        .order_by(*(Key.parse(key).order() for key in INTAKE_ORDER))
    )


# Every case page and action loads its case by one of these: compiled once
# (onewindow/lib/prepared.py).
_CLERK_CASE: Prepared[Case] = Prepared(
    lambda p: (
        _cases()
        .filter(pk=p.case, department_id=p.department)
        .exclude(status=CaseStatus.DRAFT)
        .order_by("pk")[:1]
    ),
    case=int,
    department=int,
)
_READER_CASE: Prepared[Case] = Prepared(
    lambda p: _cases().filter(pk=p.case).exclude(status=CaseStatus.DRAFT).order_by("pk")[:1],
    case=int,
)


def case_get_for_clerk(request: HttpRequest, *, case_id: int) -> Case:
    """A non-draft case of the clerk's own department; otherwise a logged 404."""
    user: Any = request.user
    case = None
    department_id = getattr(user, "department_id", None)
    if has_perm(user, Perm.CASE_INTAKE) and department_id is not None:
        case = _CLERK_CASE.first(case=case_id, department=department_id)
    if case is None:
        raise deny(request, target=f"case:{case_id}", reason="not a clerk of the case's department")
    case_access_record(request, case)  # docs/rules/audit.md §Z11
    return case


def case_get_for_reader(request: HttpRequest, *, case_id: int) -> Case:
    """Read access: the applicant/agent, staff of the case's department, or a supervisor."""
    user: Any = request.user
    case = _READER_CASE.first(case=case_id)
    allowed = (
        case is not None
        and user.is_authenticated
        and (
            case.applicant_id == user.pk
            or agent_may_act(user, case)
            or has_perm(user, Perm.CASE_READ_ALL)
            or (
                getattr(user, "is_staff_member", False) and user.department_id == case.department_id
            )
        )
    )
    if not allowed or case is None:
        raise deny(request, target=f"case:{case_id}", reason="no read access")
    case_access_record(request, case)  # staff only (docs/rules/audit.md §Z11)
    return case


# --- window intake ----------------------------------------------------------------------------


def _clerk_department(user: Any) -> int | None:
    if not has_perm(user, Perm.CASE_INTAKE):
        return None
    department_id: int | None = getattr(user, "department_id", None)
    return department_id


def intake_queue_by_submission(user: Any) -> QuerySet[Case]:
    """``intake_queue`` in the order the applications came in (first come, first served)."""
    return intake_queue(user).order_by(
        *(Key.parse(key).order() for key in INTAKE_ORDER_BY_SUBMISSION)
    )


def corrections_pending(user: Any) -> QuerySet[Case]:
    """Cases of the clerk's department waiting for the applicant's corrected materials."""
    department_id = _clerk_department(user)
    if department_id is None:
        return Case.objects.none()
    return (
        _cases()
        .filter(department_id=department_id, status=CaseStatus.CORRECTION)
        .order_by("updated_at")
    )


def _commitments() -> QuerySet[Commitment]:
    return Commitment.objects.select_related(
        "case", "case__item_version", "case__applicant", "case__department", "material"
    )


def commitments_open_for_department(user: Any) -> QuerySet[Commitment]:
    """Open 容缺 commitments (docs/rules/licensing.md §G2) of the clerk's department, the earliest due
    first."""
    department_id = _clerk_department(user)
    if department_id is None:
        return Commitment.objects.none()
    return (
        _commitments()
        .filter(
            case__department_id=department_id,
            kind=CommitmentKind.TOLERATED,
            status=CommitmentStatus.OPEN,
        )
        .order_by("due_on", "pk")
    )


def open_commitments_for_applicant(user: Any) -> QuerySet[Commitment]:
    """The user's own open commitments (as applicant or agent), for their dashboard."""
    if not getattr(user, "is_authenticated", False):
        return Commitment.objects.none()
    return (
        _commitments()
        .filter(case__in=cases_of_applicant(user).values("pk"), status=CommitmentStatus.OPEN)
        .order_by("due_on", "pk")
    )


def commitment_get_for_clerk(request: HttpRequest, *, commitment_id: int) -> Commitment:
    """A commitment on a case of the clerk's own department; otherwise a logged 404."""
    department_id = _clerk_department(request.user)
    commitment = None
    if department_id is not None:
        commitment = (
            _commitments().filter(pk=commitment_id, case__department_id=department_id).first()
        )
    if commitment is None:
        raise deny(
            request,
            target=f"commitment:{commitment_id}",
            reason="not a clerk of the case's department",
        )
    return commitment


def notice_get_for_reader(request: HttpRequest, *, case_id: int, notice_id: int) -> Notice:
    """A notice of a case the user may read (``case_get_for_reader``); otherwise a logged 404."""
    case = case_get_for_reader(request, case_id=case_id)
    notice = Notice.objects.filter(pk=notice_id, case=case).first()
    if notice is None:
        raise deny(request, target=f"notice:{notice_id}", reason="not a notice of this case")
    notice.case = case
    case_access_record(request, case, kind=AccessKind.DOCUMENT, detail=_notice_label(notice))
    return notice


def _notice_label(notice: Notice) -> str:
    label = notice.get_kind_display()
    return f"{label} {notice.number}" if notice.number else str(label)


def case_history(case: Case) -> QuerySet[CaseEvent]:
    """Every event of the case, oldest first, with the actor (staff view: names included)."""
    return case.events.select_related("actor", "on_behalf_of").order_by("at", "pk")


def walk_in_items(user: Any) -> QuerySet[ItemVersion]:
    """Published item versions a clerk may register at the window: their department's."""
    department_id = _clerk_department(user)
    if department_id is None:
        return ItemVersion.objects.none()
    versions = ItemVersion.objects.select_related("item", "item__department").filter(
        status=VersionStatus.PUBLISHED
    )
    department = Department.objects.filter(pk=department_id).first()
    if (
        department is not None
        and department.counterpart_id is not None
        and department.region_id is not None
    ):
        # docs/rules/delegation.md §V1: a district bureau registers the city bureau's items its
        # district implements.
        versions = versions.filter(
            item__department_id=department.counterpart_id,
            item__implementations__region_id=department.region_id,
            item__implementations__mode=ImplementationMode.HANDLES,
        )
    else:
        versions = versions.filter(item__department_id=department_id)
    return versions.order_by("item__sort", "item__code")


def tolerance_limit(version: ItemVersion) -> int:
    """How many non-core materials the item's tolerance category lets be missing (G2)."""
    setting = ToleranceSetting.objects.filter(category=version.tolerance_category).first()
    return setting.max_missing if setting else 0


class DueLevel(StrEnum):
    """How close an intake deadline is, in working days, for the queue's warning colours."""

    OVERDUE = "overdue"
    TODAY = "today"
    NEXT = "next"  # the next working day
    LATER = "later"
    # the clock stands still (docs/rules/licensing.md §B4): neither due nor overdue
    PAUSED = "paused"


@dataclass(frozen=True)
class DueState:
    level: DueLevel
    label: str
    working_days_left: int

    @property
    def warn(self) -> bool:
        return self.level != DueLevel.LATER


def due_state(due: dt.date | Due, *, today: dt.date | None = None) -> DueState:
    """Overdue, due today, due the next working day, or later (with working days left); for a
    ``Due`` whose clock is paused (B4: a special procedure) always paused, never overdue."""
    if isinstance(due, Due):
        if due.paused:
            return DueState(DueLevel.PAUSED, _("暂停计时"), 0)
        due = due.date
    today = today or clock.today()
    calendar = get_calendar()
    if due < today:
        return DueState(DueLevel.OVERDUE, _("已逾期"), -calendar.count_working_days(due, today))
    if due == today:
        return DueState(DueLevel.TODAY, _("今日到期"), 0)
    left = calendar.count_working_days(today, due)
    if left <= 1:
        return DueState(DueLevel.NEXT, _("下一工作日到期"), left)
    return DueState(DueLevel.LATER, _("还剩 %(n)s 个工作日") % {"n": left}, left)


def applicant_find(*, kind: str, number: str) -> User | None:
    """The applicant account holding this ID number (person) or credit code (enterprise)."""
    number = normalise(number)
    if not number or len(number) > 18 or not (number.isascii() and number.isalnum()):
        return None  # no ID number or credit code looks like this (and NUL breaks PostgreSQL)
    field = "id_number" if kind == ApplicantKind.PERSON else "credit_code"
    return User.objects.filter(
        identity_q(field, number), role__in=(Role.APPLICANT, Role.AGENT)
    ).first()
