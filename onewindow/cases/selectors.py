"""Reads of cases that check access in the same call; refusals are logged and answered 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.accounts.models import ApplicantKind, User
from onewindow.accounts.roles import Perm, Role, has_perm
from onewindow.calendars.selectors import get_calendar
from onewindow.cases.models import (
    AWAITING_INTAKE,
    Case,
    CaseEvent,
    CaseFile,
    CaseMaterial,
    CaseStatus,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    FalseCommitmentRecord,
    Mandate,
    Notice,
    StoredFile,
    SubmissionKey,
)
from onewindow.catalog.models import (
    Item,
    ItemVersion,
    Region,
    RegionLevel,
    ToleranceSetting,
    VersionStatus,
)
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.lib.idnumbers import normalise
from onewindow.lib.workdays import Due


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related(
        "item_version", "item_version__item", "department", "region", "applicant", "agent"
    )


def cases_of_applicant(user: Any, *, today: dt.date | None = None) -> QuerySet[Case]:
    """The user's own cases, and those they filed as agent while the applicant's mandate lasts.

    docs/product.md §C8: a mandate is scoped and revocable. Once it is revoked, has expired or does
    not cover the case's item, the agent no longer sees (nor acts on) the cases filed under it; the
    applicant always sees their own.
    """
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    mine = Q(applicant=user)
    if not has_perm(user, Perm.CASE_APPLY_FOR_OTHERS):
        return _cases().filter(mine)
    in_force = _mandates_in_force(agent_id=user.pk, today=today or clock.today()).filter(
        Q(item__isnull=True) | Q(item_id=OuterRef("item_version__item_id")),
        applicant_id=OuterRef("applicant_id"),
    )
    return _cases().filter(mine | (Q(agent=user) & Exists(in_force)))


def _mandates_in_force(*, agent_id: int, today: dt.date) -> QuerySet[Mandate]:
    return Mandate.objects.filter(
        agent_id=agent_id, revoked_at__isnull=True, valid_until__gte=today
    )


def agent_may_act(user: Any, case: Case, *, today: dt.date | None = None) -> bool:
    """True when ``user`` is the case's agent and a mandate in force covers its item
    (docs/product.md §C8)."""
    return (
        case.agent_id is not None
        and case.agent_id == getattr(user, "pk", None)
        and mandate_covers(
            agent=user,
            applicant_id=case.applicant_id,
            item_id=case.item_version.item_id,
            today=today or clock.today(),
        )
    )


def case_get_for_applicant(request: HttpRequest, *, case_id: int) -> Case:
    """The case if the signed-in user is its applicant or agent; otherwise a logged 404."""
    user = request.user
    case = cases_of_applicant(user).filter(pk=case_id).first() if user.is_authenticated else None
    if case is None or not has_perm(user, Perm.CASE_APPLY):
        raise deny(request, target=f"case:{case_id}", reason="not applicant or agent")
    return case


def case_row_for_applicant(request: HttpRequest, *, case_id: int) -> Case:
    """``case_get_for_applicant`` without the related rows: the same check and logged 404.

    For services that lock and reload the case first (submission), which load what they need
    with the locked row instead of reading it twice.
    """
    user = request.user
    rows = cases_of_applicant(user).select_related(None) if user.is_authenticated else None
    case = rows.filter(pk=case_id).first() if rows is not None else None
    if case is None or not has_perm(user, Perm.CASE_APPLY):
        raise deny(request, target=f"case:{case_id}", reason="not applicant or agent")
    return case


def intake_queue(user: Any) -> QuerySet[Case]:
    """Submitted cases waiting for the clerk's department, the nearest intake deadline first."""
    if not has_perm(user, Perm.CASE_INTAKE) or user.department_id is None:
        return Case.objects.none()
    return (
        _cases()
        .filter(department_id=user.department_id, status__in=AWAITING_INTAKE)
        .order_by("intake_due", "submitted_at")
    )


def case_get_for_clerk(request: HttpRequest, *, case_id: int) -> Case:
    """A non-draft case of the clerk's own department; otherwise a logged 404."""
    user: Any = request.user
    case = None
    department_id = getattr(user, "department_id", None)
    if has_perm(user, Perm.CASE_INTAKE) and department_id is not None:
        case = (
            _cases()
            .filter(pk=case_id, department_id=department_id)
            .exclude(status=CaseStatus.DRAFT)
            .first()
        )
    if case is None:
        raise deny(request, target=f"case:{case_id}", reason="not a clerk of the case's department")
    return case


def case_get_for_reader(request: HttpRequest, *, case_id: int) -> Case:
    """Read access: the applicant/agent, staff of the case's department, or a supervisor."""
    user: Any = request.user
    case = _cases().filter(pk=case_id).exclude(status=CaseStatus.DRAFT).first()
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
    return case


# --- online application -----------------------------------------------------------------------


def implementing_regions(version: ItemVersion) -> QuerySet[Region]:
    """Where the item may be applied for: its implementing regions, else the city (no rows yet)."""
    regions = Region.objects.filter(implementations__item_id=version.item_id).distinct()
    if regions.exists():
        return regions.order_by("sort", "code")
    return Region.objects.filter(level=RegionLevel.CITY).order_by("sort", "code")


def mandates_valid(*, agent: Any, item_id: int, today: dt.date) -> QuerySet[Mandate]:
    """The agent's mandates that are in force today and cover the item."""
    return _mandates_in_force(agent_id=agent.pk, today=today).filter(
        Q(item__isnull=True) | Q(item_id=item_id)
    )


def mandate_covers(*, agent: Any, applicant_id: int, item_id: int, today: dt.date) -> bool:
    if not has_perm(agent, Perm.CASE_APPLY_FOR_OTHERS):
        return False
    mandates = mandates_valid(agent=agent, item_id=item_id, today=today)
    return mandates.filter(applicant_id=applicant_id).exists()


def mandating_applicants(*, agent: Any, item_id: int, today: dt.date) -> QuerySet[Any]:
    """Applicants who have mandated the agent for this item (an agent files only for them)."""
    from onewindow.accounts.models import User

    if not has_perm(agent, Perm.CASE_APPLY_FOR_OTHERS):
        return User.objects.none()
    ids = mandates_valid(agent=agent, item_id=item_id, today=today).values("applicant_id")
    return User.objects.filter(pk__in=ids, role=Role.APPLICANT, is_active=True).order_by(
        "full_name", "pk"
    )


def has_false_commitment(applicant: Any) -> bool:
    """G1: an applicant with a record of a false commitment may not use 告知承诺制."""
    return FalseCommitmentRecord.objects.filter(applicant_id=applicant.pk).exists()


def reusable_files(case: Case) -> QuerySet[StoredFile]:
    """Once-only: the applicant's documents on file that this case could reuse.

    Files marked reusable (identity documents, certificates) and files of the applicant's other
    cases; not those already attached to this case.
    """
    here = CaseFile.objects.filter(case_material__case_id=case.pk).values("stored_id")
    elsewhere = (
        CaseFile.objects.filter(case_material__case__applicant_id=case.applicant_id)
        .exclude(case_material__case_id=case.pk)
        .values("stored_id")
    )
    return (
        StoredFile.objects.filter(owner_id=case.applicant_id)
        .filter(~Q(reusable_kind="") | Q(pk__in=elsewhere))
        .exclude(pk__in=here)
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class ReuseChoices:
    """The documents on file offered for one checklist line: those matching it, then the rest."""

    matching: list[StoredFile]
    others: list[StoredFile]


def _material_names_of(files: list[StoredFile]) -> dict[int, set[str]]:
    """For each file, the names of the materials it was handed in as (in any case)."""
    names: dict[int, set[str]] = {}
    rows = CaseFile.objects.filter(stored_id__in=[f.pk for f in files]).values_list(
        "stored_id", "case_material__material__name"
    )
    for stored_id, name in rows:
        names.setdefault(stored_id, set()).add(name.strip())
    return names


# Shorter names ("证明", "申请书") are too common to say two materials are the same document.
SAME_DOCUMENT_MIN_CHARS = 4


def _same_document(a: str, b: str) -> bool:
    """Two material names (or a name and a document type) that name the same document: equal,
    or one holds the other (营业执照 / 营业执照或者其他主体资格证明文件)."""
    if a == b:
        return bool(a)
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= SAME_DOCUMENT_MIN_CHARS and shorter in longer


def reuse_matches(stored: StoredFile, material_name: str, names: set[str]) -> bool:
    """A document matches a checklist line when it was handed in as the same material (by name)
    or its document type (identity card, licence…) names that material."""
    name = material_name.strip()
    kinds = {*names, stored.reusable_kind.strip()}
    return any(_same_document(name, kind) for kind in kinds if kind)


def reuse_choices(case: Case, lines: list[CaseMaterial]) -> dict[int, ReuseChoices]:
    """Once-only, per checklist line (by line id): the reusable documents (``reusable_files``)
    that match the line first, the others after, each newest first."""
    files = list(reusable_files(case))
    names = _material_names_of(files)
    choices = {}
    for line in lines:
        matching: list[StoredFile] = []
        others: list[StoredFile] = []
        for stored in files:
            fits = reuse_matches(stored, line.material.name, names.get(stored.pk, set()))
            (matching if fits else others).append(stored)
        choices[line.pk] = ReuseChoices(matching, others)
    return choices


def reuse_matching_lines(case: Case, files: list[StoredFile]) -> dict[int, list[int]]:
    """For each of ``files``, the ids of the case's checklist lines it matches."""
    names = _material_names_of(files)
    lines = list(case.materials.select_related("material").order_by("material__sort", "pk"))
    return {
        stored.pk: [
            line.pk
            for line in lines
            if reuse_matches(stored, line.material.name, names.get(stored.pk, set()))
        ]
        for stored in files
    }


def case_lines(case: Case) -> QuerySet[CaseMaterial]:
    """The checklist lines of a case with their files, in the catalog's order."""
    return case.materials.select_related("material").prefetch_related(
        Prefetch("files", queryset=CaseFile.objects.select_related("stored"))
    )


def case_get_with_files(request: HttpRequest, *, case_id: int) -> Case:
    """A case whose files the user may see: their own (drafts too), or any case a reader may read."""
    user: Any = request.user
    if user.is_authenticated:
        own = cases_of_applicant(user).filter(pk=case_id).first()
        if own is not None:
            return own
    return case_get_for_reader(request, case_id=case_id)


def case_file_get(request: HttpRequest, *, case: Case, file_id: int) -> CaseFile:
    """One file attached to ``case``; anything else is a logged 404."""
    attached = (
        CaseFile.objects.select_related("stored", "case_material__material")
        .filter(pk=file_id, case_material__case_id=case.pk)
        .first()
    )
    if attached is None:
        raise deny(request, target=f"case:{case.pk}:file:{file_id}", reason="file not on case")
    return attached


def submission_for_key(user: Any, key: str) -> Case | None:
    """The case an Idempotency-Key of this user already produced, if any."""
    if not key:
        return None
    used = SubmissionKey.objects.filter(user_id=user.pk, key=key).select_related("case").first()
    return used.case if used else None


def submission_key_case_id(user: Any, key: str) -> int | None:
    """The id of the case an Idempotency-Key of this user already produced (one narrow query)."""
    if not key:
        return None
    used = SubmissionKey.objects.filter(user_id=user.pk, key=key).values_list("case_id", flat=True)
    return used.first()


def applicant_cases(user: Any) -> QuerySet[Case]:
    """The user's cases (as applicant or agent), newest first, ready for ``applicant_action``."""
    open_commitments = Commitment.objects.filter(
        kind=CommitmentKind.TOLERATED, status=CommitmentStatus.OPEN
    ).select_related("material")
    return (
        cases_of_applicant(user)
        .prefetch_related(
            Prefetch("commitments", queryset=open_commitments, to_attr="open_tolerated")
        )
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class ApplicantAction:
    """What a case needs from its applicant now (code for machines, text for people)."""

    code: str
    text: str


def applicant_action(case: Case) -> ApplicantAction:
    """The next step the applicant must take on ``case``; code ``none`` when nothing is due."""
    status = CaseStatus(case.status)
    if status == CaseStatus.DRAFT:
        return ApplicantAction("complete_draft", _("填写申请表、上传材料后提交申请"))
    if status == CaseStatus.CORRECTION:
        return ApplicantAction("answer_correction", _("按补正材料通知书补齐材料后重新提交"))
    tolerated = getattr(case, "open_tolerated", None)
    # The review runs beside an open 容缺 commitment (IN_REVIEW / SUSPENDED after acceptance).
    in_progress = status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED)
    if tolerated is None and in_progress:
        tolerated = list(
            case.commitments.filter(
                kind=CommitmentKind.TOLERATED, status=CommitmentStatus.OPEN
            ).select_related("material")
        )
    if in_progress and tolerated:
        due = min((c.due_on for c in tolerated if c.due_on), default=None)
        names = "、".join(c.material.name for c in tolerated if c.material)
        return ApplicantAction(
            "supply_tolerated", _("请于 %(d)s 前补齐容缺材料：%(m)s") % {"d": due, "m": names}
        )
    return ApplicantAction("none", _("无需操作"))


@dataclass(frozen=True)
class CommitmentStatement:
    """The agency's written statement for 告知承诺制 (G1): what must be proved, and the liability."""

    conditions: list[str]
    text: str
    liability: str


# G1: a false commitment ends or revokes the approval and is recorded.
COMMITMENT_LIABILITY = gettext_lazy(
    "申请人作出不实承诺的，行政机关将依法终止办理或者撤销已作出的行政许可决定，"
    "将虚假承诺情况记入申请人信用记录，申请人今后不再适用告知承诺制；"
    "构成违法的，依法承担相应的法律责任。"
)


def commitment_statement(version: ItemVersion) -> CommitmentStatement:
    """What the applicant commits to instead of proving it, built from the item's conditions."""
    conditions = [c.text for c in version.conditions.all()]
    listed = "".join(f"{n}. {text}\n" for n, text in enumerate(conditions, start=1))
    text = _(
        "本申请人已知晓“%(item)s”的许可条件：\n%(conditions)s"
        "本申请人郑重承诺：符合上述全部条件，能够在经营（执业）期间持续符合，"
        "所填写的信息和提交的材料真实、准确、完整，愿意接受行政机关的事中事后核查。"
    ) % {
        "item": version.name,
        "conditions": listed or _("（本事项未另行规定受理条件，以法律、法规的规定为准。）\n"),
    }
    return CommitmentStatement(conditions, text, str(COMMITMENT_LIABILITY))


# --- window intake ----------------------------------------------------------------------------


def _clerk_department(user: Any) -> int | None:
    if not has_perm(user, Perm.CASE_INTAKE):
        return None
    department_id: int | None = getattr(user, "department_id", None)
    return department_id


def intake_queue_by_submission(user: Any) -> QuerySet[Case]:
    """``intake_queue`` in the order the applications came in (first come, first served)."""
    return intake_queue(user).order_by("submitted_at", "pk")


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
    return notice


def case_history(case: Case) -> QuerySet[CaseEvent]:
    """Every event of the case, oldest first, with the actor (staff view: names included)."""
    return case.events.select_related("actor").order_by("at", "pk")


def walk_in_items(user: Any) -> QuerySet[ItemVersion]:
    """Published item versions a clerk may register at the window: their department's."""
    department_id = _clerk_department(user)
    if department_id is None:
        return ItemVersion.objects.none()
    return (
        ItemVersion.objects.select_related("item", "item__department")
        .filter(status=VersionStatus.PUBLISHED, item__department_id=department_id)
        .order_by("item__sort", "item__code")
    )


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
    return User.objects.filter(role__in=(Role.APPLICANT, Role.AGENT), **{field: number}).first()


# --- mandates (代办委托, docs/product.md §C8) --------------------------------------------------------


class MandateState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


MANDATE_STATE_LABELS = {
    MandateState.VALID: gettext_lazy("有效"),
    MandateState.EXPIRED: gettext_lazy("已过期"),
    MandateState.REVOKED: gettext_lazy("已撤销"),
}


def mandate_state(mandate: Mandate, *, today: dt.date | None = None) -> MandateState:
    """Revoked beats expired: a revoked mandate says so even after its end date."""
    if mandate.revoked_at is not None:
        return MandateState.REVOKED
    if mandate.valid_until < (today or clock.today()):
        return MandateState.EXPIRED
    return MandateState.VALID


def _mandates() -> QuerySet[Mandate]:
    return Mandate.objects.select_related(
        "agent", "applicant", "item", "item__published_version"
    ).order_by("-created_at", "-pk")


def mandates_given(user: Any) -> QuerySet[Mandate]:
    """The mandates an applicant gave, newest first (revoked and expired ones too)."""
    if not has_perm(user, Perm.CASE_APPLY) or user.role != Role.APPLICANT:
        return Mandate.objects.none()
    return _mandates().filter(applicant_id=user.pk)


def mandates_held(user: Any) -> QuerySet[Mandate]:
    """The mandates an agent holds (我的委托人), newest first."""
    if not has_perm(user, Perm.CASE_APPLY_FOR_OTHERS):
        return Mandate.objects.none()
    return _mandates().filter(agent_id=user.pk)


def mandate_get_for_revoke(request: HttpRequest, *, mandate_id: int) -> Mandate:
    """A mandate the user may revoke: the applicant who gave it, or a user administrator.

    Anyone else (the agent included) gets the logged 404 of ``core.access.deny``.
    """
    user: Any = request.user
    mandate = _mandates().filter(pk=mandate_id).first()
    allowed = mandate is not None and (
        has_perm(user, Perm.USER_MANAGE)
        or (has_perm(user, Perm.CASE_APPLY) and mandate.applicant_id == user.pk)
    )
    if not allowed or mandate is None:
        raise deny(request, target=f"mandate:{mandate_id}", reason="not the mandating applicant")
    return mandate


def agent_find(identifier: str) -> User | None:
    """The active agent whose username or registered mobile number is ``identifier``.

    None when there is none, or when a mobile number belongs to several agents (the applicant
    must then give the username).
    """
    text = normalise(identifier)
    if not text:
        return None
    phone = text.replace("-", "").removeprefix("+86")
    agents = User.objects.filter(role=Role.AGENT, is_active=True)
    by_name = agents.filter(username=identifier.strip()).first()
    if by_name is not None:
        return by_name
    by_phone = list(agents.filter(phone=phone)[:2]) if phone else []
    return by_phone[0] if len(by_phone) == 1 else None


def mandate_items() -> QuerySet[Item]:
    """Items a mandate may be limited to: those with a published version, in catalog order."""
    return (
        Item.objects.filter(published_version__isnull=False)
        .select_related("published_version")
        .order_by("sort", "code")
    )


def mandate_item_find(text: str) -> Item | None:
    """A published item by its code, or by the exact name of its published version."""
    text = " ".join(text.split())
    if not text:
        return None
    items = mandate_items()
    return (
        items.filter(code=text).first()
        or items.filter(published_version__name=text).order_by("sort", "code").first()
    )
