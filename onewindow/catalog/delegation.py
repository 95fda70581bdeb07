"""一级政府三级管理 (docs/product.md §C1): routing delegated items to district bureaus, who may
manage which region's implementation list, the allowed deviations from the city's guide and the
drift between them (docs/rules/delegation.md §V1, §V4–§V7)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from onewindow.accounts.roles import Perm, has_perm
from onewindow.catalog.models import (
    Department,
    ImplementationChange,
    ImplementationMode,
    Item,
    ItemImplementation,
    ItemVersion,
    Material,
    Region,
    RegionLevel,
    VersionStatus,
)
from onewindow.core import clock
from onewindow.core.errors import DomainError, Forbidden


class DelegationError(DomainError):
    code = "delegation"


class DeviationRefused(DomainError):
    """A deviation the rules do not allow (docs/rules/delegation.md §V5); ``reasons`` lists all."""

    code = "deviation_refused"

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("；".join(reasons))
        self.reasons = reasons


# --- regions -----------------------------------------------------------------------------------
def district_of(region: Region | None) -> Region | None:
    """The district (or new area) the region lies in: itself, an ancestor, or None (the city)."""
    node = region
    while node is not None:
        if node.level == RegionLevel.DISTRICT:
            return node
        node = node.parent
    return None


def subtree_ids(region: Region) -> list[int]:
    """The region and every region below it (three levels at most)."""
    ids = [region.pk]
    frontier = [region.pk]
    while frontier:
        frontier = list(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


def is_within(region: Region, root: Region) -> bool:
    node: Region | None = region
    while node is not None:
        if node.pk == root.pk:
            return True
        node = node.parent
    return False


# --- routing (V1) ------------------------------------------------------------------------------
def handling_district(*, item_id: int, region: Region | None) -> Region | None:
    """The district that handles the item for a case filed in ``region``, or None (the city)."""
    district = district_of(region)
    if district is None:
        return None
    handles = ItemImplementation.objects.filter(
        item_id=item_id, region=district, mode=ImplementationMode.HANDLES
    ).exists()
    return district if handles else None


def counterparts_in(district: Region | None, department_ids: list[int]) -> dict[int, int]:
    """City department id → its active counterpart's id in the district (those that exist)."""
    if district is None or not department_ids:
        return {}
    rows = Department.objects.filter(
        region=district, counterpart_id__in=department_ids, is_active=True
    ).values_list("counterpart_id", "pk")
    return {city: local for city, local in rows if city is not None}


def routed_department_id(*, item_id: int, department_id: int, region: Region | None) -> int:
    """docs/rules/delegation.md §V1: the department a case for the item filed in ``region`` goes
    to — the district's counterpart of ``department_id`` when the district handles the item and
    has one, else ``department_id`` itself."""
    district = handling_district(item_id=item_id, region=region)
    return counterparts_in(district, [department_id]).get(department_id, department_id)


def routed_department_ids(*, item_id: int, region: Region | None, ids: list[int]) -> dict[int, int]:
    """V1 for the review tasks: each process department → the department that reviews."""
    district = handling_district(item_id=item_id, region=region)
    local = counterparts_in(district, ids)
    return {pk: local.get(pk, pk) for pk in ids}


def committed_days_for(version: ItemVersion, department: Department) -> int:
    """docs/rules/delegation.md §V5: the committed limit a case is promised — the district's own
    when a district bureau handles it and the district set one, else the city's guide's."""
    if department.region_id is None:
        return version.committed_days
    own = (
        ItemImplementation.objects.filter(
            item_id=version.item_id, region_id=department.region_id, mode=ImplementationMode.HANDLES
        )
        .values_list("committed_days", flat=True)
        .first()
    )
    return own if own is not None and own <= version.statutory_days else version.committed_days


def handling_implementation(*, item_id: int, region_id: int | None) -> ItemImplementation | None:
    """The district's ``handles`` implementation of the item (None for the city)."""
    if region_id is None:
        return None
    return ItemImplementation.objects.filter(
        item_id=item_id, region_id=region_id, mode=ImplementationMode.HANDLES
    ).first()


def checklist_materials(version: ItemVersion, region_id: int | None) -> list[Material]:
    """docs/rules/delegation.md §V5: the materials a case of ``version`` handled by the district
    ``region_id`` asks for — the city's list without the non-core materials the district left
    out, followed by the district's extra materials (required, non-core). ``region_id`` None
    (the city) or a district without deviations: the city's list.

    A district's extra material is stored once per city version as a ``Material`` row with
    ``region`` set (created here on first need), so a case's checklist line can point to it.
    """
    city = list(version.materials.all())
    row = handling_implementation(item_id=version.item_id, region_id=region_id)
    if row is None or region_id is None:
        return city
    city_names = {m.name for m in city}
    omitted = {name for name in row.omitted_materials or [] if name in city_names}
    # V5 lets a district leave out only a non-core material; a later city version that made it
    # core is followed.
    kept = [m for m in city if not (m.name in omitted and not m.is_core)]
    extra = [n for n in row.extra_materials or [] if n and n not in city_names]
    if not extra:
        return kept
    existing = {
        m.name: m for m in Material.all_objects.filter(version=version, region_id=region_id)
    }
    sort = max((m.sort for m in city), default=0)
    added = []
    for offset, name in enumerate(extra, start=1):
        material = existing.get(name)
        if material is None:
            material, _created = Material.all_objects.get_or_create(
                version=version,
                region_id=region_id,
                name=name,
                defaults={
                    "required": True,
                    "is_core": False,
                    "sort": sort + offset,
                    "source": _("区级增加的材料"),
                    "note": _("依据：%(basis)s") % {"basis": row.legal_basis[:480]}
                    if row.legal_basis
                    else "",
                },
            )
        added.append(material)
    return kept + added


def checklist_region_id(*, version: ItemVersion, region: Region | None) -> int | None:
    """The district whose checklist a case of ``version`` filed in ``region`` follows: that of
    the district bureau it is routed to (V1), else None (the city)."""
    department_id = routed_department_id(
        item_id=version.item_id, department_id=version.item.department_id, region=region
    )
    return Department.objects.filter(pk=department_id).values_list("region_id", flat=True).first()


def fee_standards(version: ItemVersion, region_id: int | None) -> dict[int, Decimal]:
    """docs/rules/delegation.md §V5: fee-list line id → the standard a case handled by the
    district ``region_id`` is charged against — the district's amount where it set one, else the
    city's."""
    row = handling_implementation(item_id=version.item_id, region_id=region_id)
    return _standards(version, row)


def _standards(version: ItemVersion, row: ItemImplementation | None) -> dict[int, Decimal]:
    own = (row.fee_amounts or {}) if row is not None else {}
    standards: dict[int, Decimal] = {}
    for fee in version.fees.all():
        amount = _amount(own[fee.name]) if fee.name in own else None
        standards[fee.pk] = amount if amount is not None else fee.amount
    return standards


@dataclass(frozen=True)
class DistrictFee:
    name: str
    unit: str
    city: Decimal
    district: Decimal


@dataclass(frozen=True)
class DistrictGuide:
    """A district's version of the city's guide (docs/rules/delegation.md §V5): what its cases are
    promised, asked for and charged, and the legal basis of the stricter departures."""

    region: Region
    department: Department
    committed_days: int
    city_committed_days: int
    kept_materials: list[Material]  # the city's lines the district asks for too
    extra_materials: list[str]  # then these (required, non-core)
    omitted_materials: list[str]
    fees: list[DistrictFee]
    legal_basis: str

    @property
    def fee_changes(self) -> list[DistrictFee]:
        return [f for f in self.fees if f.city != f.district]


def district_guides(version: ItemVersion) -> list[DistrictGuide]:
    """docs/rules/delegation.md §V5 on the public guide: every district whose bureau handles the
    item (V1) and whose implementation departs from the city's published guide."""
    # the item's implementations (prefetched with their regions by published_guide)
    rows = sorted(
        (
            row
            for row in version.item.implementations.all()
            if row.mode == ImplementationMode.HANDLES
            and row.region.level == RegionLevel.DISTRICT
            and (
                row.committed_days is not None
                or row.fee_amounts
                or row.extra_materials
                or row.omitted_materials
            )
        ),
        key=lambda row: (row.region.sort, row.region.code),
    )
    if not rows:
        return []
    bureaus = {
        d.region_id: d
        for d in Department.objects.filter(
            region_id__in=[r.region_id for r in rows],
            counterpart_id=version.item.department_id,
            is_active=True,
        )
    }
    city_materials = list(version.materials.all())
    city_names = {m.name for m in city_materials}
    fees = list(version.fees.all())
    guides = []
    for row in rows:
        department = bureaus.get(row.region_id)
        if department is None:
            continue  # no bureau yet: its cases go to the city with the city's guide (V1)
        days = row.committed_days
        if days is None or days > version.statutory_days:
            days = version.committed_days
        standards = _standards(version, row)
        # the same rule as checklist_materials, without writing the extra materials' rows
        omitted = {
            m.name
            for m in city_materials
            if m.name in (row.omitted_materials or []) and not m.is_core
        }
        guide = DistrictGuide(
            region=row.region,
            department=department,
            committed_days=days,
            city_committed_days=version.committed_days,
            kept_materials=[m for m in city_materials if m.name not in omitted],
            extra_materials=[n for n in row.extra_materials or [] if n and n not in city_names],
            omitted_materials=sorted(omitted, key=[m.name for m in city_materials].index),
            fees=[
                DistrictFee(f.name, f.unit, f.amount, standards.get(f.pk, f.amount)) for f in fees
            ],
            legal_basis=row.legal_basis,
        )
        if (
            guide.committed_days != guide.city_committed_days
            or guide.extra_materials
            or guide.omitted_materials
            or guide.fee_changes
        ):
            guides.append(guide)
    return guides


def point_accepts(*, region: Region, item_id: int) -> bool:
    """docs/rules/delegation.md §V3: the item is on the community point's list."""
    return (
        region.has_service_point
        and region.level in (RegionLevel.STREET, RegionLevel.COMMUNITY)
        and ItemImplementation.objects.filter(
            item_id=item_id, region=region, mode=ImplementationMode.ACCEPTS
        ).exists()
    )


# --- who manages what (V4) ---------------------------------------------------------------------
def may_manage_region(user: Any, region: Region) -> bool:
    """The centre's administrator manages every region; a region administrator their district
    and what lies under it."""
    if has_perm(user, Perm.IMPLEMENTATION_EDIT_ALL):
        return True
    if not has_perm(user, Perm.IMPLEMENTATION_EDIT):
        return False
    own = getattr(user, "region", None)
    return own is not None and is_within(region, own)


def managed_implementations(user: Any) -> QuerySet[ItemImplementation]:
    """The implementations the user may manage (none for anyone else)."""
    rows = ItemImplementation.objects.select_related(
        "item", "item__department", "item__published_version", "region", "updated_by"
    ).order_by("region__sort", "region__code", "item__sort", "item__code")
    if has_perm(user, Perm.IMPLEMENTATION_EDIT_ALL):
        return rows.exclude(region__level=RegionLevel.CITY)
    own = getattr(user, "region", None)
    if not has_perm(user, Perm.IMPLEMENTATION_EDIT) or own is None:
        return rows.none()
    return rows.filter(region_id__in=subtree_ids(own))


def managed_regions(user: Any) -> QuerySet[Region]:
    if has_perm(user, Perm.IMPLEMENTATION_EDIT_ALL):
        return Region.objects.exclude(level=RegionLevel.CITY)
    own = getattr(user, "region", None)
    if not has_perm(user, Perm.IMPLEMENTATION_EDIT) or own is None:
        return Region.objects.none()
    return Region.objects.filter(pk__in=subtree_ids(own))


# --- deviations (V5) ---------------------------------------------------------------------------
@dataclass
class Deviations:
    """What a region asks to change: None / empty means "as the city"."""

    committed_days: int | None = None
    fee_amounts: dict[str, str] = field(default_factory=dict)
    extra_materials: list[str] = field(default_factory=list)
    omitted_materials: list[str] = field(default_factory=list)
    legal_basis: str = ""
    reason: str = ""


def city_version(item: Item) -> ItemVersion:
    version = item.published_version
    if version is None or version.status != VersionStatus.PUBLISHED:
        raise DelegationError(_("该事项没有现行的市级办事指南，不能设置区域实施内容。"))
    return version


def _amount(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        return None
    if value >= Decimal("10000000000"):
        return None
    return value.quantize(Decimal("0.01"))


def deviation_check(version: ItemVersion, wanted: Deviations) -> dict[str, Any]:
    """docs/rules/delegation.md §V5: the normalised values to store, or ``DeviationRefused``
    with every reason. Values equal to the city's become "as the city"."""
    reasons: list[str] = []
    basis = wanted.legal_basis.strip()
    needs_basis: list[str] = []
    if not wanted.reason.strip():
        reasons.append(_("请填写修改理由。"))

    committed = wanted.committed_days
    if committed is not None:
        if committed < 0:
            reasons.append(_("承诺时限不能为负数。"))
        elif committed > version.statutory_days:
            reasons.append(
                _("承诺时限%(d)s个工作日超过法定时限%(s)s个工作日，不允许。")
                % {"d": committed, "s": version.statutory_days}
            )
        elif committed > version.committed_days:
            needs_basis.append(
                _("承诺时限%(d)s个工作日长于市级的%(c)s个工作日")
                % {"d": committed, "c": version.committed_days}
            )
        if committed == version.committed_days:
            committed = None

    materials = {m.name: m for m in version.materials.all()}
    omitted: list[str] = []
    for name in dict.fromkeys(n.strip() for n in wanted.omitted_materials if n.strip()):
        material = materials.get(name)
        if material is None:
            reasons.append(_("市级办事指南中没有材料“%(m)s”。") % {"m": name})
        elif material.is_core:
            reasons.append(_("“%(m)s”是主要材料，不得精简。") % {"m": name})
        else:
            omitted.append(name)
    extra: list[str] = []
    for name in dict.fromkeys(n.strip() for n in wanted.extra_materials if n.strip()):
        if len(name) > 200:
            reasons.append(_("材料名称不能超过200个字。"))
        elif name in materials:
            reasons.append(_("“%(m)s”已在市级材料清单中，不是增加的材料。") % {"m": name})
        else:
            extra.append(name)
    if extra:
        needs_basis.append(_("增加了材料：%(m)s") % {"m": "、".join(extra)})

    fees = {f.name: f for f in version.fees.all()}
    amounts: dict[str, str] = {}
    for name, raw in wanted.fee_amounts.items():
        name = str(name).strip()
        fee = fees.get(name)
        if fee is None:
            reasons.append(_("市级办事指南中没有收费项目“%(f)s”，不能增设收费。") % {"f": name})
            continue
        value = _amount(raw)
        if value is None:
            reasons.append(
                _("收费项目“%(f)s”的金额“%(a)s”无效：应为不小于0、最多两位小数的数字。")
                % {"f": name, "a": str(raw)[:20]}
            )
            continue
        if value > fee.amount:
            needs_basis.append(
                _("收费项目“%(f)s”%(a)s元高于市级收费标准%(c)s元")
                % {"f": name, "a": value, "c": fee.amount}
            )
        if value != fee.amount:
            amounts[name] = str(value)
    if needs_basis and not basis:
        reasons += [
            _("%(what)s，只有在法律、法规允许时才可以，须填写法律依据。") % {"what": what}
            for what in needs_basis
        ]
    if reasons:
        raise DeviationRefused(reasons)
    return {
        "committed_days": committed,
        "fee_amounts": amounts,
        "extra_materials": extra,
        "omitted_materials": omitted,
        "legal_basis": basis,
    }


DEVIATION_FIELDS = (
    "committed_days",
    "fee_amounts",
    "extra_materials",
    "omitted_materials",
    "legal_basis",
)


def _check_manager(actor: Any, region: Region) -> None:
    if not may_manage_region(actor, region):
        raise Forbidden(_("只能管理本区域的实施清单。"))


@transaction.atomic
def implementation_update(
    *,
    implementation: ItemImplementation,
    actor: Any,
    wanted: Deviations,
    now: dt.datetime | None = None,
) -> ItemImplementation:
    """Set the region's deviations (V5) and record the change (V6). All or nothing."""
    now = now or clock.now()
    row = ItemImplementation.objects.select_for_update().get(pk=implementation.pk)
    _check_manager(actor, row.region)
    values = deviation_check(city_version(row.item), wanted)
    changes = {
        name: [getattr(row, name), values[name]]
        for name in DEVIATION_FIELDS
        if getattr(row, name) != values[name]
    }
    if not changes:
        raise DelegationError(_("没有修改任何内容。"))
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at, row.updated_by = now, actor
    row.save()
    _record(row, actor=actor, action="update", changes=changes, wanted=wanted, now=now)
    return row


def _record(
    row: ItemImplementation,
    *,
    actor: Any,
    action: str,
    changes: dict[str, Any],
    wanted: Deviations,
    now: dt.datetime,
) -> None:
    ImplementationChange.objects.create(
        implementation=row if action != "remove" else None,
        item_id=row.item_id,
        region_id=row.region_id,
        action=action,
        changes=changes,
        reason=wanted.reason.strip(),
        legal_basis=wanted.legal_basis.strip(),
        actor=actor,
        at=now,
    )


@transaction.atomic
def implementation_add(
    *, region: Region, item: Item, actor: Any, reason: str, now: dt.datetime | None = None
) -> ItemImplementation:
    """Put a published city item on the region's list (V4): a district handles it, a community
    point accepts it."""
    now = now or clock.now()
    _check_manager(actor, region)
    if not reason.strip():
        raise DelegationError(_("请填写修改理由。"))
    city_version(item)
    if region.level == RegionLevel.CITY:
        raise DelegationError(_("市级实施清单不在此管理。"))
    if region.level == RegionLevel.DISTRICT:
        mode = ImplementationMode.HANDLES
    elif region.has_service_point:
        mode = ImplementationMode.ACCEPTS
    else:
        raise DelegationError(_("“%(r)s”未设便民服务点，不能受理事项。") % {"r": region.name})
    if ItemImplementation.objects.filter(item=item, region=region).exists():
        raise DelegationError(_("该事项已在“%(r)s”的实施清单中。") % {"r": region.name})
    row = ItemImplementation.objects.create(
        item=item, region=region, mode=mode, delegated=True, updated_at=now, updated_by=actor
    )
    _record(
        row,
        actor=actor,
        action="add",
        changes={"mode": [None, mode]},
        wanted=Deviations(reason=reason),
        now=now,
    )
    return row


@transaction.atomic
def implementation_remove(
    *, implementation: ItemImplementation, actor: Any, reason: str, now: dt.datetime | None = None
) -> None:
    now = now or clock.now()
    row = ItemImplementation.objects.select_for_update().get(pk=implementation.pk)
    _check_manager(actor, row.region)
    if not reason.strip():
        raise DelegationError(_("请填写修改理由。"))
    _record(
        row,
        actor=actor,
        action="remove",
        changes={"mode": [row.mode, None]},
        wanted=Deviations(reason=reason),
        now=now,
    )
    row.delete()


# --- drift (V7) --------------------------------------------------------------------------------
@dataclass(frozen=True)
class DriftLine:
    """One difference: what, the city's value, the region's value."""

    what: str
    city: str
    region: str


@dataclass(frozen=True)
class Drift:
    implementation: ItemImplementation
    lines: list[DriftLine]
    last_change: ImplementationChange | None


def drift_lines(row: ItemImplementation, version: ItemVersion) -> list[DriftLine]:
    """The region's implementation against the city's current guide, line by line."""
    lines = []
    if row.committed_days is not None and row.committed_days != version.committed_days:
        lines.append(
            DriftLine(_("承诺时限（工作日）"), str(version.committed_days), str(row.committed_days))
        )
    fees = {f.name: f.amount for f in version.fees.all()}
    for name, amount in sorted((row.fee_amounts or {}).items()):
        city = fees.get(name)
        if city is None or Decimal(amount) != city:
            lines.append(
                DriftLine(
                    _("收费：%(f)s（元）") % {"f": name},
                    str(city) if city is not None else _("（市级无此收费）"),
                    str(Decimal(amount)),
                )
            )
    names = {m.name for m in version.materials.all()}
    for name in row.extra_materials or []:
        if name not in names:
            lines.append(DriftLine(_("材料：%(m)s") % {"m": name}, _("不需要"), _("增加")))
    for name in row.omitted_materials or []:
        if name in names:
            lines.append(DriftLine(_("材料：%(m)s") % {"m": name}, _("需要"), _("精简")))
    return lines


def drift_list(*, region: Region | None = None) -> list[Drift]:
    """docs/rules/delegation.md §V7: every delegated implementation that differs from the city's
    current published guide, with its last change; ``region`` keeps that region's subtree."""
    rows = (
        ItemImplementation.objects.filter(delegated=True)
        .filter(
            Q(committed_days__isnull=False)
            | ~Q(fee_amounts={})
            | ~Q(extra_materials=[])
            | ~Q(omitted_materials=[])
        )
        .select_related("item", "item__published_version", "region", "updated_by")
        .prefetch_related("item__published_version__fees", "item__published_version__materials")
        .order_by("region__sort", "region__code", "item__sort", "item__code")
    )
    if region is not None:
        rows = rows.filter(region_id__in=subtree_ids(region))
    found = []
    for row in rows:
        version = row.item.published_version
        if version is None:
            continue
        lines = drift_lines(row, version)
        if lines:
            found.append(Drift(row, lines, None))
    last: dict[int, ImplementationChange] = {}
    for change in (
        ImplementationChange.objects.filter(
            implementation_id__in=[d.implementation.pk for d in found], action="update"
        )
        .select_related("actor")
        .order_by("at", "pk")
    ):
        if change.implementation_id is not None:
            last[change.implementation_id] = change
    return [Drift(d.implementation, d.lines, last.get(d.implementation.pk)) for d in found]
