"""Catalog rows for portal tests, built with the models the way the publish service will:
children are added while the version is a draft, then the version is published."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import count
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
    VersionStatus,
)

_numbers = count(1)


def department(name: str = "鄂州市市场监督管理局", code: str = "", **extra: Any) -> Department:
    code = code or f"D{next(_numbers):03d}"
    return Department.objects.create(code=code, name=name, **extra)


@dataclass
class MaterialSpec:
    """One checklist line; ``form``/``sample`` are (file name, bytes) to attach."""

    name: str
    required: bool = True
    is_core: bool = True
    original_or_copy: str = "original"
    copies: int = 1
    source: str = ""
    note: str = ""
    form: tuple[str, bytes] | None = None
    sample: tuple[str, bytes] | None = None


@dataclass
class GuideSpec:
    name: str
    conditions: list[str] = field(default_factory=list)
    materials: list[MaterialSpec] = field(default_factory=list)
    fees: list[tuple[str, str, str, str]] = field(default_factory=list)  # name, amount, unit, basis
    fields: dict[str, Any] = field(default_factory=dict)


def item(dept: Department, code: str = "", **extra: Any) -> Item:
    return Item.objects.create(code=code or f"ITEM-{next(_numbers):04d}", department=dept, **extra)


def version(
    target: Item, spec: GuideSpec | str, *, status: str = VersionStatus.PUBLISHED
) -> ItemVersion:
    """A version of ``target`` with its checklist rows, left in ``status``.

    Publishing supersedes the item's current published version first, as the publish service
    does, and points ``Item.published_version`` at the new one.
    """
    spec = GuideSpec(spec) if isinstance(spec, str) else spec
    values: dict[str, Any] = {
        "legal_basis": "《中华人民共和国行政许可法》",
        "statutory_days": 20,
        "committed_days": 5,
        "result_name": f"{spec.name}决定书",
        "delivery_methods": ["window", "post"],
    }
    values.update(spec.fields)
    number = (target.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    draft = ItemVersion.objects.create(item=target, number=number, name=spec.name, **values)
    _add_children(draft, spec)
    if status == VersionStatus.PUBLISHED:
        publish(draft)
    elif status == VersionStatus.SUPERSEDED:
        publish(draft)
        supersede(draft)
    return draft


def _add_children(draft: ItemVersion, spec: GuideSpec) -> None:
    for sort, text in enumerate(spec.conditions):
        Condition.objects.create(version=draft, text=text, sort=sort)
    for sort, m in enumerate(spec.materials):
        material = Material(
            version=draft,
            sort=sort,
            name=m.name,
            required=m.required,
            is_core=m.is_core,
            original_or_copy=m.original_or_copy,
            copies=m.copies,
            source=m.source,
            note=m.note,
        )
        if m.form:
            material.form_template.save(m.form[0], ContentFile(m.form[1]), save=False)
        if m.sample:
            material.sample.save(m.sample[0], ContentFile(m.sample[1]), save=False)
        material.save()
    for sort, (name, amount, unit, basis) in enumerate(spec.fees):
        Fee.objects.create(
            version=draft,
            sort=sort,
            name=name,
            amount=Decimal(amount),
            unit=unit,
            legal_basis=basis,
        )


def publish(draft: ItemVersion) -> ItemVersion:
    current = draft.item.published_version
    if current is not None and current.pk != draft.pk:
        supersede(current)
    draft.status = VersionStatus.PUBLISHED
    draft.published_at = timezone.now()
    draft.save()
    Item.objects.filter(pk=draft.item_id).update(published_version=draft)
    draft.item.published_version = draft
    return draft


def supersede(published: ItemVersion) -> None:
    published.status = VersionStatus.SUPERSEDED
    published.save(update_fields=["status"])
    Item.objects.filter(pk=published.item_id, published_version=published).update(
        published_version=None
    )


def guide(
    name: str,
    *,
    dept: Department | None = None,
    code: str = "",
    status: str = VersionStatus.PUBLISHED,
    **spec: Any,
) -> ItemVersion:
    """An item with one version named ``name``: the usual one-liner in tests."""
    dept = dept or Department.objects.first() or department()
    return version(item(dept, code), GuideSpec(name, **spec), status=status)


def region(name: str, code: str, level: str, parent: Region | None = None) -> Region:
    return Region.objects.create(name=name, code=code, level=level, parent=parent)


def implement(target: Item, where: Region, **extra: Any) -> ItemImplementation:
    return ItemImplementation.objects.create(item=target, region=where, **extra)
