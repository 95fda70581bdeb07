"""Reads of themes and bundles: the merged form, the included items, progress, access
(docs/rules/bundles.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import staff_in_department
from onewindow.bundles.models import (
    LIFE_EVENTS,
    Audience,
    Bundle,
    BundleCase,
    BundleCorrection,
    LifeEvent,
    Theme,
    ThemeItem,
)
from onewindow.cases import fields as form_fields
from onewindow.cases.fields import FieldSpec
from onewindow.cases.models import Case, CaseMaterial, CaseStatus, CorrectionNotice, MaterialStatus
from onewindow.cases.selectors.application import implementing_regions
from onewindow.catalog.models import ItemVersion, Region
from onewindow.core.access import deny

# Statuses in which a sub-case still waits for a decision (docs/rules/bundles.md §R7, §R8).
PENDING = (
    CaseStatus.DRAFT,
    CaseStatus.SUBMITTED,
    CaseStatus.CORRECTION,
    CaseStatus.ACCEPTED,
    CaseStatus.IN_REVIEW,
    CaseStatus.SUSPENDED,
)
# A sub-case that ended without a result (docs/rules/bundles.md §R9).
NEGATIVE = (
    CaseStatus.REFUSED,
    CaseStatus.REJECTED,
    CaseStatus.WITHDRAWN,
    CaseStatus.TERMINATED,
)
FLAGGED = (MaterialStatus.MISSING, MaterialStatus.DEFECTIVE)


# --- themes -------------------------------------------------------------------------------------


def _theme_rows() -> QuerySet[Theme]:
    items = ThemeItem.objects.select_related(
        "item__department", "item__published_version", "question"
    )
    return Theme.objects.prefetch_related("questions", Prefetch("items", queryset=items))


def themes_published() -> QuerySet[Theme]:
    return _theme_rows().filter(published=True)


@dataclass(frozen=True)
class LifeEventGroup:
    code: str
    label: str
    themes: list[Theme]


@dataclass(frozen=True)
class AudienceGroup:
    code: str
    label: str
    events: list[LifeEventGroup]


def themes_by_life_event() -> list[AudienceGroup]:
    """Published themes by audience, then life event (the home page, docs/rules/bundles.md §R1)."""
    themes = list(themes_published())
    groups = []
    for audience in Audience:
        events = []
        for code in LIFE_EVENTS[audience]:
            found = [t for t in themes if t.audience == audience and t.life_event == code]
            if found:
                events.append(LifeEventGroup(code, str(LifeEvent(code).label), found))
        if events:
            groups.append(AudienceGroup(audience.value, str(audience.label), events))
    return groups


def theme_get_public(request: Any, code: str) -> Theme:
    """A published theme, or a logged 404 (an administrator also sees unpublished ones)."""
    theme = _theme_rows().filter(code=code).first()
    if theme is None or not (theme.published or has_perm(request.user, Perm.CATALOG_EDIT)):
        raise deny(_django(request), target=f"theme:{code[:40]}", reason="not published or missing")
    return theme


def theme_items(theme: Theme) -> list[ThemeItem]:
    return list(theme.items.all())


def version_of(theme_item: ThemeItem) -> ItemVersion | None:
    return theme_item.item.published_version


def answers_needed(theme: Theme) -> list[Any]:
    """The questions some item depends on (docs/rules/bundles.md §R4)."""
    used = {ti.question_id for ti in theme.items.all() if ti.question_id}
    return [q for q in theme.questions.all() if q.pk in used]


def included_items(theme: Theme, answers: Mapping[str, bool]) -> list[ThemeItem]:
    """The items the answers include (docs/rules/bundles.md §R4): the server's decision."""
    chosen = []
    for ti in theme.items.all():
        if ti.question is None:
            chosen.append(ti)
            continue
        answer = answers.get(ti.question.key)
        if answer is not None and answer == ti.when_yes:
            chosen.append(ti)
    return chosen


# --- the merged form -------------------------------------------------------------------------


@dataclass
class MergedField:
    """One field of the merged form and the theme items that ask it (shared when several)."""

    spec: FieldSpec
    items: list[ThemeItem] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        return len(self.items) > 1

    @property
    def conditional(self) -> bool:
        """Asked only when some answer includes it (no always-included item asks it)."""
        return all(ti.question_id is not None for ti in self.items)


def merged_fields(items: Iterable[ThemeItem]) -> list[MergedField]:
    """The union of the items' forms, each field once, in the order first met (R2)."""
    merged: dict[str, MergedField] = {}
    for ti in items:
        version = version_of(ti)
        if version is None:
            continue
        for spec in form_fields.fields_for(version):
            entry = merged.setdefault(spec.name, MergedField(spec))
            if spec.required and not entry.spec.required:
                entry.spec = spec  # required in one item: required in the merged form
            entry.items.append(ti)
    return list(merged.values())


def field_conflicts(versions: Iterable[tuple[str, ItemVersion]]) -> list[str]:
    """docs/rules/bundles.md §R2: shared fields whose items disagree on the type (or options)."""
    seen: dict[str, tuple[str, FieldSpec]] = {}
    problems = []
    for name, version in versions:
        for spec in form_fields.fields_for(version):
            if spec.name not in seen:
                seen[spec.name] = (name, spec)
                continue
            first_name, first = seen[spec.name]
            if first.type != spec.type:
                problems.append(
                    _("共用字段“%(f)s”在“%(a)s”中为%(ta)s，在“%(b)s”中为%(tb)s，类型不一致。")
                    % {
                        "f": first.label,
                        "a": first_name,
                        "ta": form_fields.FieldType(first.type).label,
                        "b": name,
                        "tb": form_fields.FieldType(spec.type).label,
                    }
                )
            elif spec.type == form_fields.FieldType.CHOICE and set(first.choices) != set(
                spec.choices
            ):
                problems.append(
                    _("共用字段“%(f)s”在“%(a)s”和“%(b)s”中的可选项不一致。")
                    % {"f": first.label, "a": first_name, "b": name}
                )
    return problems


@dataclass
class MergedMaterial:
    """A material name of the merged checklist and the items whose checklists have it."""

    index: int
    name: str
    required: bool
    items: list[ThemeItem] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        return len(self.items) > 1

    @property
    def conditional(self) -> bool:
        return all(ti.question_id is not None for ti in self.items)


def merged_materials(items: Iterable[ThemeItem]) -> list[MergedMaterial]:
    """Every material name once, with the items asking for it (R2); ``index`` keys uploads."""
    merged: dict[str, MergedMaterial] = {}
    for ti in items:
        version = version_of(ti)
        if version is None:
            continue
        for material in version.materials.all():
            entry = merged.setdefault(
                material.name, MergedMaterial(len(merged), material.name, False)
            )
            entry.required = entry.required or material.required
            entry.items.append(ti)
    return list(merged.values())


def regions_for(items: Iterable[ThemeItem]) -> list[Region]:
    """The regions where every item is implemented (the bundle's sub-cases share one)."""
    common: list[Region] | None = None
    for ti in items:
        version = version_of(ti)
        if version is None:
            continue
        regions = list(implementing_regions(version))
        common = regions if common is None else [r for r in common if r in regions]
    return common or []


# --- bundles ---------------------------------------------------------------------------------


def _bundles() -> QuerySet[Bundle]:
    parts = BundleCase.objects.select_related(
        "case__department__region", "case__item_version", "theme_item__question"
    )
    return Bundle.objects.select_related("theme", "applicant").prefetch_related(
        Prefetch("parts", queryset=parts)
    )


def window_serves(user: Any, department_id: int) -> bool:
    """The user's active window serves the department (the comprehensive window, R5, R8)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.windows.filter(is_active=True, departments=department_id).exists()
    )


def is_bundle_case(case: Case) -> bool:
    return BundleCase.objects.filter(case_id=case.pk).exists()


def may_see(user: Any, bundle: Bundle) -> bool:
    """docs/rules/bundles.md §R10."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.pk == bundle.applicant_id:
        return has_perm(user, Perm.CASE_APPLY)
    if has_perm(user, Perm.CASE_READ_ALL):
        return True
    departments = {part.case.department_id for part in bundle.parts.all()}
    if any(staff_in_department(user, d) for d in departments):
        return True
    return user.windows.filter(is_active=True, departments__in=departments).exists()


def _django(request: Any) -> HttpRequest:
    """The Django request under a DRF one (``deny`` logs from it)."""
    return getattr(request, "_request", request)


def bundle_get(request: Any, bundle_id: int) -> Bundle:
    """The bundle if the user may see it, else a logged 404 (docs/rules/bundles.md §R10)."""
    bundle = _bundles().filter(pk=bundle_id).first()
    if bundle is None:
        raise deny(_django(request), target=f"bundle:{bundle_id}", reason="bundle does not exist")
    if not may_see(request.user, bundle):
        raise deny(
            _django(request), target=f"bundle:{bundle_id}", reason="not the applicant or staff"
        )
    return bundle


def bundles_of_applicant(user: Any) -> QuerySet[Bundle]:
    return _bundles().filter(applicant_id=user.pk)


def bundles_at_window(user: Any) -> QuerySet[Bundle]:
    """Bundles with a sub-case in a department the user's windows serve, awaiting intake or
    delivery first."""
    departments = user.windows.filter(is_active=True).values_list("departments", flat=True)
    return (
        _bundles()
        .filter(parts__case__department_id__in=departments)
        .filter(
            Q(parts__case__status__in=[CaseStatus.SUBMITTED, CaseStatus.GRANTED])
            | Q(delivered_at__isnull=True)
        )
        .distinct()
    )


# --- progress ----------------------------------------------------------------------------------


@dataclass
class PartRow:
    part: BundleCase
    case: Case
    item: str
    department: str
    status: str
    colour: str
    due: dt.date | None
    negative: bool
    reason: str = ""
    effect: str = ""
    # docs/rules/delegation.md §V1: the district whose bureau handles the sub-case, if any.
    district: str = ""


@dataclass
class CorrectionGroup:
    """One material of the combined notice and the sub-case lines that asked for it (R6)."""

    index: int
    material: str
    problems: list[dict[str, str]]
    lines: list[CaseMaterial]


@dataclass
class BundleView:
    bundle: Bundle
    rows: list[PartRow]
    status: str
    status_label: str
    correction: BundleCorrection | None
    groups: list[CorrectionGroup]
    pending: int
    granted: int
    deliverable: bool
    waiting_intake: int


STATUS_LABELS = {
    "intake": gettext_lazy("待受理"),
    "correction": gettext_lazy("待补正"),
    "in_progress": gettext_lazy("办理中"),
    "delivery": gettext_lazy("待统一送达"),
    "done": gettext_lazy("已办结"),
}


def bundle_status(statuses: list[str]) -> str:
    """docs/rules/bundles.md §R7: computed from the sub-cases, never stored."""
    if CaseStatus.CORRECTION in statuses:
        return "correction"
    if CaseStatus.SUBMITTED in statuses or CaseStatus.DRAFT in statuses:
        return "intake"
    if any(s in PENDING for s in statuses):
        return "in_progress"
    if CaseStatus.GRANTED in statuses:
        return "delivery"
    return "done"


def refusal_effect(theme: Theme, item: str) -> str:
    """docs/rules/bundles.md §R9: what a refused sub-case means for the others."""
    if theme.partial_delivery:
        return _(
            "“%(i)s”未获办理：其余事项继续办理，已准予的证照可先行送达；该事项须另行单独申请。"
        ) % {"i": item}
    return _(
        "“%(i)s”未获办理：其余事项继续办理，本主题须全部作出决定后统一送达已准予的证照；"
        "该事项须另行单独申请。"
    ) % {"i": item}


def _reason(case: Case) -> str:
    event = case.events.filter(new_status=case.status).order_by("-at", "-pk").first()
    return event.reason if event is not None else ""


def open_correction(bundle: Bundle) -> BundleCorrection | None:
    return bundle.corrections.filter(answered_at__isnull=True).order_by("-sequence").first()


def correction_notices(bundle: Bundle, correction: BundleCorrection) -> QuerySet[CorrectionNotice]:
    """The sub-cases' correction notices that make up the combined one (R6)."""
    rows = CorrectionNotice.objects.filter(
        case__bundle_part__bundle=bundle, notice__issued_at__gte=correction.issued_at
    )
    if correction.answered_at is not None:
        rows = rows.filter(notice__issued_at__lte=correction.answered_at)
    return rows.select_related("notice", "case__item_version", "case__department")


def correction_groups(bundle: Bundle) -> list[CorrectionGroup]:
    """Everything missing across the sub-cases in correction, by material name (R6)."""
    lines = (
        CaseMaterial.objects.filter(
            case__bundle_part__bundle=bundle,
            case__status=CaseStatus.CORRECTION,
            status__in=FLAGGED,
        )
        .select_related("material", "case__item_version", "case__department")
        .order_by("material__name", "case_id")
    )
    groups: dict[str, CorrectionGroup] = {}
    for line in lines:
        group = groups.setdefault(
            line.material.name, CorrectionGroup(len(groups), line.material.name, [], [])
        )
        group.lines.append(line)
        group.problems.append(
            {
                "item": line.case.item_version.name,
                "department": line.case.department.name,
                "case_number": line.case.number or "",
                "problem": str(MaterialStatus(line.status).label),
                "remark": line.remark,
            }
        )
    return list(groups.values())


def bundle_view(bundle: Bundle) -> BundleView:
    rows = []
    for part in bundle.parts.all():
        case = part.case
        status = CaseStatus(case.status)
        negative = case.status in NEGATIVE
        name = case.item_version.name
        rows.append(
            PartRow(
                part=part,
                case=case,
                item=name,
                department=case.department.name,
                status=str(status.label),
                colour=status.colour,
                due=case.decision_due or case.intake_due,
                negative=negative,
                reason=_reason(case) if negative else "",
                effect=refusal_effect(bundle.theme, name) if negative else "",
                district=case.department.region.name if case.department.region else "",
            )
        )
    statuses = [r.case.status for r in rows]
    state = bundle_status(statuses)
    pending = sum(1 for s in statuses if s in PENDING)
    granted = sum(1 for s in statuses if s == CaseStatus.GRANTED)
    return BundleView(
        bundle=bundle,
        rows=rows,
        status=state,
        status_label=str(STATUS_LABELS[state]),
        correction=open_correction(bundle),
        groups=correction_groups(bundle),
        pending=pending,
        granted=granted,
        deliverable=granted > 0 and (pending == 0 or bundle.theme.partial_delivery),
        waiting_intake=statuses.count(CaseStatus.SUBMITTED),
    )
