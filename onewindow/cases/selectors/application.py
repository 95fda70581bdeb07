"""Reads for the online application: implementing regions, mandates that let an agent apply,
files an applicant can reuse, the applicant's cases and what each needs, the commitment text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.access import AccessKind, case_access_record
from onewindow.cases.models import (
    Case,
    CaseFile,
    CaseMaterial,
    CaseStatus,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    FalseCommitmentRecord,
    StoredFile,
    SubmissionKey,
)
from onewindow.cases.selectors import case_get_for_reader, cases_of_applicant
from onewindow.catalog.models import (
    ItemVersion,
    Region,
    RegionLevel,
)
from onewindow.core.access import deny
from onewindow.lib.prepared import Prepared

# --- online application -----------------------------------------------------------------------


def implementing_regions(version: ItemVersion) -> QuerySet[Region]:
    """Where the item may be applied for: its implementing regions, else the city (no rows yet)."""
    regions = Region.objects.filter(implementations__item_id=version.item_id).distinct()
    if regions.exists():
        return regions.order_by("sort", "code")
    return Region.objects.filter(level=RegionLevel.CITY).order_by("sort", "code")


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
    case_access_record(request, case, kind=AccessKind.FILE, detail=attached.stored.original_name)
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
    row = _KEY_CASE.first(user=user.pk, key=key)
    return row[0] if row else None


_KEY_CASE: Prepared[tuple[int]] = Prepared(
    lambda p: (
        SubmissionKey.objects.filter(user_id=p.user, key=p.key)
        .order_by("pk")
        .values_list("case_id")[:1]
    ),
    user=int,
    key=str,
)


# The applicant's list in pages by keyset (docs/rules/scale.md §Y2); index case_applicant_created.
APPLICANT_ORDER = ("-created_at", "-pk")


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
        .order_by(*APPLICANT_ORDER)
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
