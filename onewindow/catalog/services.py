"""Writes to the catalog (docs/product.md §C1): items, their guide versions and checklist rows.

A guide is versioned so that a case keeps the version it was filed under: a published version
never changes (the model refuses), so every edit happens on a draft copy that is then published
and supersedes the old one. Every service validates first and raises one ``ValidationError``
listing what is wrong, then writes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from onewindow.catalog.models import (
    Condition,
    DeliveryMethod,
    Department,
    Fee,
    ImplementationMode,
    Item,
    ItemImplementation,
    ItemType,
    ItemVersion,
    Material,
    Region,
    VersionStatus,
)
from onewindow.catalog.process import joint_limit_errors, process_template_errors
from onewindow.catalog.selectors import version_locked_draft

__all__ = [
    "VERSION_FIELDS",
    "condition_add",
    "condition_remove",
    "condition_update",
    "fee_add",
    "fee_remove",
    "fee_update",
    "item_create",
    "item_implementation_remove",
    "item_implementation_set",
    "item_update",
    "item_version_create_draft",
    "item_version_discard",
    "item_version_publish",
    "item_version_update",
    "material_add",
    "material_remove",
    "material_update",
]

# The content of a guide: what a draft may change and what a new draft copies.
VERSION_FIELDS = (
    "name",
    "legal_basis",
    "statutory_days",
    "committed_days",
    "joint_handling",
    "limit_basis_law",
    "limit_basis_article",
    "on_the_spot",
    "tolerance_category",
    "commitment_allowed",
    "result_type",
    "result_name",
    "delivery_methods",
    "validity_years",
    "renewable",
    "service_object",
    "handling_place",
    "handling_hours",
    "contact_phone",
    "supervision_phone",
    "process_summary",
    "consolidation_days",
    "material_request_pauses",
)
CONDITION_FIELDS = ("text", "sort")
MATERIAL_FIELDS = (
    "name",
    "required",
    "is_core",
    "original_or_copy",
    "copies",
    "for_renewal",
    "source",
    "note",
    "form_template",
    "sample",
    "sort",
)
FEE_FIELDS = ("name", "amount", "unit", "legal_basis", "sort")

Child = TypeVar("Child", Condition, Material, Fee)


# --- items ------------------------------------------------------------------------------------
@transaction.atomic
def item_create(
    *,
    code: str,
    department: Department,
    name: str,
    legal_basis: str,
    statutory_days: int,
    committed_days: int,
    result_name: str,
    item_type: str = ItemType.LICENSING,
    sort: int = 0,
    **version_fields: Any,
) -> ItemVersion:
    """A new item and its first draft version (number 1); returns the draft (``draft.item``).

    ``version_fields`` are further guide fields (``VERSION_FIELDS``), e.g. ``on_the_spot``.
    """
    _check_fields(version_fields, VERSION_FIELDS)
    item = Item(code=code.strip(), department=department, item_type=item_type, sort=sort)
    draft = ItemVersion(
        item=item,
        number=1,
        status=VersionStatus.DRAFT,
        name=name.strip(),
        legal_basis=legal_basis.strip(),
        statutory_days=statutory_days,
        committed_days=committed_days,
        result_name=result_name.strip(),
        **version_fields,
    )
    errors = _collect(item.full_clean)
    errors.update(_collect(lambda: draft.full_clean(exclude=["item"])))
    if errors:
        raise ValidationError(errors)
    item.save()
    draft.item = item
    draft.save()
    return draft


@transaction.atomic
def item_update(
    *,
    item: Item,
    department: Department | None = None,
    item_type: str | None = None,
    sort: int | None = None,
) -> Item:
    """Change an item's identity fields. The code never changes: cases and links quote it."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    if department is not None:
        item.department = department
    if item_type is not None:
        item.item_type = item_type
    if sort is not None:
        item.sort = sort
    item.full_clean()
    item.save()
    return item


# --- versions ---------------------------------------------------------------------------------
@transaction.atomic
def item_version_create_draft(*, item: Item) -> ItemVersion:
    """A new draft numbered one above the item's last version, copying the published version
    with its conditions, materials and fees. Refused while the item already has a draft."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    existing = item.versions.filter(status=VersionStatus.DRAFT).first()
    if existing is not None:
        raise ValidationError(
            _("事项“%(item)s”已有草稿版本（第%(n)s版），请先编辑发布或删除该草稿。"),
            code="draft_exists",
            params={"item": item.code, "n": existing.number},
        )
    source = item.published_version or item.versions.order_by("-number").first()
    if source is None:
        raise ValidationError(
            _("事项“%(item)s”没有可复制的版本。"), code="no_version", params={"item": item.code}
        )
    last = item.versions.aggregate(n=Max("number"))["n"] or 0
    draft = ItemVersion(item=item, number=last + 1, status=VersionStatus.DRAFT)
    for field in VERSION_FIELDS:
        setattr(draft, field, getattr(source, field))
    draft.delivery_methods = list(source.delivery_methods or [])
    draft.save()
    for model in _version_children():
        _copy_rows(model, source, draft)
    return draft


@transaction.atomic
def item_version_update(*, version: ItemVersion, **fields: Any) -> ItemVersion:
    """Change guide fields of a draft (``VERSION_FIELDS``)."""
    _check_fields(fields, VERSION_FIELDS)
    version = version_locked_draft(version)
    for field, value in fields.items():
        setattr(version, field, value.strip() if isinstance(value, str) else value)
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def item_version_publish(*, version: ItemVersion, now: dt.datetime) -> ItemVersion:
    """Publish a draft: it becomes the item's guide, the old published version is superseded.

    Checked first, all at once: committed ≤ statutory (docs/rules/licensing.md §B2), a
    joint-handling limit past 45 working days only with its recorded statutory basis (ALL Art. 42),
    at least one material, at least one valid delivery method, and the model's own validation.
    """
    item = Item.objects.select_for_update().get(pk=version.item_id)
    version = version_locked_draft(version)
    errors = _collect(version.full_clean)
    # B2: "committed ≤ statutory is a catalog invariant"; the message names the rule plainly.
    if version.committed_days > version.statutory_days:
        errors["committed_days"] = [
            _("承诺时限不得超过法定时限：承诺%(c)s个工作日，法定%(s)s个工作日。")
            % {"c": version.committed_days, "s": version.statutory_days}
        ]
    if not version.materials.exists():
        errors.setdefault("__all__", []).append(_("至少需要一项申请材料才能发布。"))
    methods = version.delivery_methods or []
    if not methods:
        errors.setdefault("delivery_methods", []).append(_("请至少选择一种送达方式。"))
    elif any(m not in DeliveryMethod.values for m in methods):
        errors.setdefault("delivery_methods", []).append(
            _("不支持的送达方式：%(m)s") % {"m": ", ".join(map(str, methods))}
        )
    # ALL Art. 42 para. 2 (B2, C3): joint handling ≤ 45 working days unless a law says otherwise.
    for field, found in joint_limit_errors(version).items():
        errors.setdefault(field, []).extend(found)
    # docs/product.md §C5: the process template (critical path ≤ committed limit, C3; one lead;
    # valid steps).

    for field, found in process_template_errors(version).items():
        known = errors.setdefault(field, [])
        known += [message for message in found if message not in known]
    if errors:
        raise ValidationError(errors)
    current = item.published_version
    if current is not None:
        current.status = VersionStatus.SUPERSEDED
        # The model guard lets a published version change its status, and nothing else.
        current.save(update_fields=["status"])
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.save()
    item.published_version = version
    item.save(update_fields=["published_version"])
    return version


@transaction.atomic
def item_version_discard(*, version: ItemVersion) -> None:
    """Delete a draft with its checklist rows. Published and superseded versions stay forever."""
    version = version_locked_draft(version)
    version.delete()


def _version_children() -> list[type[models.Model]]:
    """The models whose rows belong to one version and freeze with it, i.e. guard their writes
    with ``_check_editable``: the checklist rows here and other apps' (the cases app's
    application form fields), which a new draft must copy too."""
    return [
        rel.related_model
        for rel in ItemVersion._meta.related_objects
        if rel.one_to_many
        and rel.field.name == "version"
        and isinstance(rel.related_model, type)
        and hasattr(rel.related_model, "_check_editable")
    ]


def _copy_rows(model: type[models.Model], source: ItemVersion, draft: ItemVersion) -> None:
    rows = list(model._default_manager.filter(version=source).order_by("pk"))
    for row in rows:
        row.pk = None
        row._state.adding = True
        row.version = draft  # type: ignore[attr-defined]
    # Files are shared, not copied: a stored file is never changed, only replaced.
    model._default_manager.bulk_create(rows)


# --- checklist rows on drafts -----------------------------------------------------------------
@transaction.atomic
def condition_add(*, version: ItemVersion, text: str, sort: int | None = None) -> Condition:
    return _child_add(Condition, version, {"text": text.strip()}, sort)


@transaction.atomic
def condition_update(*, condition: Condition, **fields: Any) -> Condition:
    return _child_update(condition, fields, CONDITION_FIELDS)


@transaction.atomic
def condition_remove(*, condition: Condition) -> None:
    _child_remove(condition)


@transaction.atomic
def material_add(
    *,
    version: ItemVersion,
    name: str,
    required: bool = True,
    is_core: bool = True,
    original_or_copy: str = "original",
    copies: int = 1,
    source: str = "",
    note: str = "",
    form_template: Any = None,
    sample: Any = None,
    sort: int | None = None,
) -> Material:
    """A checklist line. ``form_template``/``sample`` are uploaded files (checked by type)."""
    values: dict[str, Any] = {
        "name": name.strip(),
        "required": required,
        "is_core": is_core,
        "original_or_copy": original_or_copy,
        "copies": copies,
        "source": source.strip(),
        "note": note.strip(),
    }
    if form_template:
        values["form_template"] = form_template
    if sample:
        values["sample"] = sample
    return _child_add(Material, version, values, sort)


@transaction.atomic
def material_update(*, material: Material, **fields: Any) -> Material:
    return _child_update(material, fields, MATERIAL_FIELDS)


@transaction.atomic
def material_remove(*, material: Material) -> None:
    _child_remove(material)


@transaction.atomic
def fee_add(
    *,
    version: ItemVersion,
    name: str,
    amount: Decimal,
    legal_basis: str,
    unit: str = "",
    sort: int | None = None,
) -> Fee:
    """A fee on the fee list; docs/product.md §C10 flags any fee charged that is not on the list or
    above it."""
    values = {
        "name": name.strip(),
        "amount": amount,
        "legal_basis": legal_basis.strip(),
        "unit": unit.strip(),
    }
    return _child_add(Fee, version, values, sort)


@transaction.atomic
def fee_update(*, fee: Fee, **fields: Any) -> Fee:
    return _child_update(fee, fields, FEE_FIELDS)


@transaction.atomic
def fee_remove(*, fee: Fee) -> None:
    _child_remove(fee)


def _child_add(
    model: type[Child], version: ItemVersion, values: dict[str, Any], sort: int | None
) -> Child:
    version = version_locked_draft(version)
    if sort is None:
        last = model.objects.filter(version=version).aggregate(n=Max("sort"))["n"]  # type: ignore[attr-defined]
        sort = 0 if last is None else last + 1
    row = model(version=version, sort=sort, **values)
    row.full_clean()
    row.save()
    return row


def _child_update(row: Child, fields: dict[str, Any], allowed: tuple[str, ...]) -> Child:
    _check_fields(fields, allowed)
    version_locked_draft(row.version)
    for field, value in fields.items():
        setattr(row, field, value.strip() if isinstance(value, str) else value)
    row.full_clean()
    row.save()
    return row


def _child_remove(row: Condition | Material | Fee) -> None:
    version_locked_draft(row.version)
    row.delete()


# --- where an item is implemented ------------------------------------------------------------
@transaction.atomic
def item_implementation_set(
    *,
    item: Item,
    region: Region,
    mode: str = ImplementationMode.HANDLES,
    delegated: bool = False,
) -> ItemImplementation:
    """Say that ``item`` is handled (or only accepted, at a community point) in ``region``."""
    row = ItemImplementation.objects.filter(item=item, region=region).first()
    row = row or ItemImplementation(item=item, region=region)
    row.mode = mode
    row.delegated = delegated
    row.full_clean(validate_unique=False)
    row.save()
    return row


@transaction.atomic
def item_implementation_remove(*, implementation: ItemImplementation) -> None:
    implementation.delete()


# --- helpers ----------------------------------------------------------------------------------
def _check_fields(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(unknown)}")


def _collect(check: Any) -> dict[str, list[str]]:
    """Run a ``full_clean``-like callable; its errors as a dict (empty when it passes)."""
    try:
        check()
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for field, messages in exc.update_error_dict({}).items():
            errors[field] = [str(m) for error in messages for m in ValidationError(error).messages]
        return errors
    return {}
