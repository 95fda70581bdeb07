"""Catalog rows for API tests, built with the models the way the publish service does: child rows
are added while the version is a draft, then the version is published and the item points at it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from onewindow.catalog.models import (
    Condition,
    Department,
    Fee,
    Item,
    ItemImplementation,
    ItemVersion,
    Material,
    Region,
    RegionLevel,
    VersionStatus,
)


def department(code: str = "SCJG", name: str = "鄂州市市场监督管理局", **extra: Any) -> Department:
    return Department.objects.create(code=code, name=name, **extra)


def region(
    code: str, name: str, level: str = RegionLevel.CITY, parent: Region | None = None, **extra: Any
) -> Region:
    return Region.objects.create(code=code, name=name, level=level, parent=parent, **extra)


def material(name: str, **fields: Any) -> dict[str, Any]:
    """Material fields; ``form=b"..."``/``sample=b"..."`` attach a file."""
    form, sample = fields.pop("form", None), fields.pop("sample", None)
    if form is not None:
        fields["form_template"] = ContentFile(form, name=f"{name}.docx")
    if sample is not None:
        fields["sample"] = ContentFile(sample, name=f"{name}-样表.pdf")
    return {"name": name, **fields}


def fee(name: str, amount: str, basis: str = "《行政事业性收费标准》", unit: str = "件") -> dict:
    return {"name": name, "amount": Decimal(amount), "legal_basis": basis, "unit": unit}


def draft(
    item: Item,
    name: str,
    *,
    conditions: Iterable[str] = (),
    materials: Iterable[dict[str, Any]] = (),
    fees: Iterable[dict[str, Any]] = (),
    **fields: Any,
) -> ItemVersion:
    values: dict[str, Any] = {
        "legal_basis": "《中华人民共和国行政许可法》",
        "statutory_days": 20,
        "committed_days": 5,
        "result_name": f"{name}证",
        "delivery_methods": ["window", "post"],
        **fields,
    }
    number = (item.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ItemVersion.objects.create(item=item, number=number, name=name, **values)
    for sort, text in enumerate(conditions):
        Condition.objects.create(version=version, text=text, sort=sort)
    for sort, row in enumerate(materials):
        Material.objects.create(version=version, sort=sort, **row)
    for sort, row in enumerate(fees):
        Fee.objects.create(version=version, sort=sort, **row)
    return version


def publish(version: ItemVersion) -> ItemVersion:
    """Supersede the item's current version, publish this one and point the item at it."""
    item = version.item
    for current in item.versions.filter(status=VersionStatus.PUBLISHED):
        current.status = VersionStatus.SUPERSEDED
        current.save(update_fields=["status"])
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save()
    item.published_version = version
    item.save(update_fields=["published_version"])
    return version


def guide(
    code: str,
    name: str,
    *,
    dept: Department,
    regions: Iterable[Region] = (),
    item_type: str = "licensing",
    **version_fields: Any,
) -> ItemVersion:
    """A published item with one version."""
    item = Item.objects.create(code=code, department=dept, item_type=item_type)
    for where in regions:
        ItemImplementation.objects.create(item=item, region=where)
    return publish(draft(item, name, **version_fields))
