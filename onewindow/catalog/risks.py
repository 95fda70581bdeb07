"""Integrity-risk register (廉政风险点及防控措施, docs/product.md §C10): writes and reads.

Each risk point sits at one department's step (承办/审核/批准) of an item version; like the other
checklist rows it is edited only on a draft and copied into every new draft.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Max, QuerySet, Value, When
from django.utils.translation import gettext as _

from onewindow.catalog.models import (
    Department,
    ItemVersion,
    RiskLevel,
    RiskPoint,
    StepKind,
    VersionStatus,
)

RISK_POINT_FIELDS = ("department", "step_kind", "risk", "measure", "level", "sort")


def _locked_draft(version: ItemVersion) -> ItemVersion:
    locked = ItemVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != VersionStatus.DRAFT:
        raise ValidationError(_("已发布的版本不可修改，请创建新的草稿版本。"), code="published")
    return locked


@transaction.atomic
def risk_point_add(
    *,
    version: ItemVersion,
    department: Department,
    step_kind: str,
    risk: str,
    measure: str,
    level: str = RiskLevel.MEDIUM,
    sort: int | None = None,
) -> RiskPoint:
    """Record a risk point and its control measure at one department's step of a draft."""
    version = _locked_draft(version)
    if sort is None:
        last = RiskPoint.objects.filter(version=version).aggregate(n=Max("sort"))["n"]
        sort = 0 if last is None else last + 1
    row = RiskPoint(
        version=version,
        department=department,
        step_kind=step_kind,
        risk=risk.strip(),
        measure=measure.strip(),
        level=level,
        sort=sort,
    )
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def risk_point_update(*, risk_point: RiskPoint, **fields: Any) -> RiskPoint:
    unknown = set(fields) - set(RISK_POINT_FIELDS)
    if unknown:
        raise ValidationError(_("不可修改的字段：%(f)s"), params={"f": ", ".join(sorted(unknown))})
    _locked_draft(risk_point.version)
    for field, value in fields.items():
        setattr(risk_point, field, value.strip() if isinstance(value, str) else value)
    risk_point.full_clean()
    risk_point.save()
    return risk_point


@transaction.atomic
def risk_point_remove(*, risk_point: RiskPoint) -> None:
    _locked_draft(risk_point.version)
    risk_point.delete()


# --- reads ------------------------------------------------------------------------------------
def risk_points_at_step(
    *, version_id: int, department_id: int, step_kind: str
) -> QuerySet[RiskPoint]:
    """The risk points a handler sees at one step of one department's review."""
    return RiskPoint.objects.filter(
        version_id=version_id, department_id=department_id, step_kind=step_kind
    ).order_by("sort", "pk")


def risk_points_register(*, department_id: int | None = None) -> QuerySet[RiskPoint]:
    """Every risk point of the items' current (published) versions, for supervisors."""
    rows = RiskPoint.objects.select_related("version", "version__item", "department").filter(
        version__status=VersionStatus.PUBLISHED
    )
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    step_order = Case(
        *(When(step_kind=kind, then=Value(n)) for n, kind in enumerate(StepKind.values)),
        default=Value(len(StepKind.values)),
        output_field=IntegerField(),
    )
    return rows.order_by("department__name", "version__item__code", step_order, "sort", "pk")
