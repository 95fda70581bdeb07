"""Per-item form fields, agents' mandates and false-commitment records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.accounts.roles import Perm, Role, has_perm
from onewindow.cases import fields as form_fields
from onewindow.cases.errors import CaseError
from onewindow.cases.models import ApplicationField, Case, FalseCommitmentRecord, Mandate
from onewindow.catalog.models import Item, ItemVersion, PublishedVersionError, VersionStatus
from onewindow.core import clock

# --- per-item form fields, mandates, false commitments ----------------------------------------


@transaction.atomic
def application_fields_set(
    *, version: ItemVersion, specs: list[form_fields.FieldSpec]
) -> list[ApplicationField]:
    """Replace the extra form fields of a draft version (frozen once it is published)."""
    status = (
        ItemVersion.objects.select_for_update()
        .filter(pk=version.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status != VersionStatus.DRAFT:
        raise PublishedVersionError(_("已发布的版本不可修改，请创建新的草稿版本。"))
    problems = [problem for spec in specs for problem in form_fields.spec_check(spec)]
    names = [spec.name for spec in specs]
    problems += [
        _("字段标识“%(n)s”重复。") % {"n": name}
        for name in sorted(set(names))
        if names.count(name) > 1
    ]
    if problems:
        raise ValidationError({"fields": problems})
    ApplicationField.objects.filter(version=version).delete()
    return [
        ApplicationField.objects.create(
            version=version,
            sort=sort,
            name=spec.name,
            label=spec.label.strip(),
            type=spec.type,
            required=spec.required,
            choices=[str(c).strip() for c in spec.choices],
            help=spec.help,
            min_length=spec.min_length,
            max_length=spec.max_length,
            min_value=spec.min_value,
            max_value=spec.max_value,
            text_format=spec.text_format,
        )
        for sort, spec in enumerate(specs, start=1)
    ]


def application_fields_copy(*, source: ItemVersion, draft: ItemVersion) -> list[ApplicationField]:
    """Carry a version's own form fields over to its next draft (call after creating the draft)."""
    specs = [form_fields.spec_from_row(row) for row in source.application_fields.all()]
    return application_fields_set(version=draft, specs=specs) if specs else []


@transaction.atomic
def mandate_record(
    *,
    agent: Any,
    applicant: Any,
    valid_until: dt.date,
    recorded_by: Any,
    item: Item | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> Mandate:
    """Record an applicant's mandate for an agent: for every item, or for one item only."""
    today = today or clock.today()
    mandate_check(
        agent=agent,
        applicant=applicant,
        valid_until=valid_until,
        recorded_by=recorded_by,
        item=item,
        today=today,
    )
    return Mandate.objects.create(
        agent=agent,
        applicant=applicant,
        item=item,
        valid_until=valid_until,
        recorded_by=recorded_by,
        note=note.strip()[:300],
    )


def mandate_check(
    *,
    agent: Any,
    applicant: Any,
    valid_until: dt.date,
    recorded_by: Any,
    item: Item | None = None,
    today: dt.date,
) -> None:
    """Every rule ``mandate_record`` enforces, for forms that must answer before saving."""
    if not has_perm(agent, Perm.CASE_APPLY_FOR_OTHERS):
        raise CaseError(_("受托人不是代办员，不能登记代办委托。"))
    if applicant.role != Role.APPLICANT:
        raise CaseError(_("委托人须为申请人。"))
    if recorded_by.pk != applicant.pk and not has_perm(recorded_by, Perm.USER_MANAGE):
        raise CaseError(_("代办委托须由申请人本人或中心管理员登记。"))
    if valid_until < today:
        raise CaseError(_("委托有效期不能早于今天。"))
    _mandate_scope_check(
        agent=agent, applicant=applicant, item=item, valid_until=valid_until, today=today
    )


# docs/product.md §C8: a mandate is a scoped, time-limited authorisation; two years is the longest
# we record, after which the applicant renews it (an open-ended power of attorney is not a mandate).
MANDATE_LONGEST_YEARS = 2


def mandate_latest_end(today: dt.date) -> dt.date:
    """The last day a mandate recorded ``today`` may run to (29 February → 28 February)."""
    year = today.year + MANDATE_LONGEST_YEARS
    return (
        today.replace(year=year, day=28)
        if (today.month, today.day) == (2, 29)
        else today.replace(year=year)
    )


def _mandate_scope_check(
    *, agent: Any, applicant: Any, item: Item | None, valid_until: dt.date, today: dt.date
) -> None:
    if agent.pk == applicant.pk:
        raise CaseError(_("不能委托自己。"))
    if valid_until > mandate_latest_end(today):
        raise CaseError(
            _("委托有效期最长 %(n)s 年，请选择 %(d)s 或更早的日期。")
            % {"n": MANDATE_LONGEST_YEARS, "d": mandate_latest_end(today).isoformat()}
        )
    if item is not None and item.published_version_id is None:
        raise CaseError(_("该事项尚未发布，不能委托办理。"))
    in_force = Mandate.objects.filter(
        agent_id=agent.pk, applicant_id=applicant.pk, revoked_at__isnull=True, item=item
    ).filter(valid_until__gte=today)
    if in_force.exists():
        raise CaseError(
            _("您已有一份相同范围、仍在有效期内的委托给该代办员；如需变更有效期，请先撤销原委托。")
        )


@transaction.atomic
def mandate_revoke(*, mandate: Mandate, now: dt.datetime | None = None) -> Mandate:
    """End a mandate at once; the agent can no longer act on the applicant's cases."""
    Mandate.objects.filter(pk=mandate.pk, revoked_at__isnull=True).update(
        revoked_at=now or clock.now()
    )
    mandate.refresh_from_db()
    return mandate


@transaction.atomic
def false_commitment_record(
    *,
    applicant: Any,
    note: str,
    recorded_by: Any,
    case: Case | None = None,
    now: dt.datetime | None = None,
) -> FalseCommitmentRecord:
    """G1: record a false commitment; the applicant may no longer choose 告知承诺制."""
    if not any(
        has_perm(recorded_by, perm)
        for perm in (Perm.CASE_INTAKE, Perm.TASK_APPROVE, Perm.SUPERVISE)
    ):
        raise CaseError(_("您无权登记虚假承诺记录。"))
    if not note.strip():
        raise CaseError(_("请说明虚假承诺的情况。"))
    if case is not None and case.applicant_id != applicant.pk:
        raise CaseError(_("办件的申请人与记录对象不一致。"))
    return FalseCommitmentRecord.objects.create(
        applicant=applicant,
        case=case,
        recorded_at=now or clock.now(),
        recorded_by=recorded_by,
        note=note.strip(),
    )
