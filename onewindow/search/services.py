"""Writes of the search app: the index stamp, usage counts, aliases and synonyms."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, F

from onewindow.cases.models import Case
from onewindow.catalog.models import Item
from onewindow.search.models import (
    AliasKind,
    CountedCase,
    IndexStamp,
    ItemAlias,
    ItemUsage,
    Synonym,
)


def index_stamp_bump() -> None:
    """Set a new token: every process rebuilds its index at its next search."""
    token = uuid.uuid4().hex
    if not IndexStamp.objects.filter(pk=1).update(token=token):
        IndexStamp.objects.update_or_create(pk=1, defaults={"token": token})


def usage_on_submit(case: Case, event: Any, actor: Any) -> None:
    """Count the case for its item, once (docs/rules/search.md §N6): a case already counted
    is skipped, so a repeated event or a replayed handler changes nothing."""
    item_id = case.item_version.item_id
    _counted, created = CountedCase.objects.get_or_create(case=case, defaults={"item_id": item_id})
    if not created:
        return
    ItemUsage.objects.get_or_create(item_id=item_id)
    ItemUsage.objects.filter(item_id=item_id).update(count=F("count") + 1)


@transaction.atomic
def usage_recount() -> int:
    """Count every submitted case again from the cases themselves (after an import or a repair);
    returns the number of items with usage."""
    CountedCase.objects.all().delete()
    ItemUsage.objects.all().delete()
    submitted = Case.objects.filter(submitted_at__isnull=False)
    CountedCase.objects.bulk_create(
        CountedCase(case_id=pk, item_id=item_id)
        for pk, item_id in submitted.values_list("pk", "item_version__item_id").iterator()
    )
    counts = submitted.values("item_version__item_id").annotate(n=Count("pk"))
    usages = [ItemUsage(item_id=row["item_version__item_id"], count=row["n"]) for row in counts]
    ItemUsage.objects.bulk_create(usages)
    return len(usages)


@transaction.atomic
def aliases_set(
    *, item: Item, aliases: Iterable[str] = (), keywords: Iterable[str] = ()
) -> list[ItemAlias]:
    """Add the item's aliases and keywords (texts it already has are kept as they are)."""
    existing = set(ItemAlias.objects.filter(item=item).values_list("text", flat=True))
    rows = []
    for kind, texts in ((AliasKind.ALIAS, aliases), (AliasKind.KEYWORD, keywords)):
        for text in texts:
            text = text.strip()
            if text and text not in existing:
                existing.add(text)
                rows.append(ItemAlias(item=item, text=text, kind=kind))
    created = ItemAlias.objects.bulk_create(rows)
    if created:
        index_stamp_bump()  # bulk_create sends no post_save
    return created


@transaction.atomic
def synonym_set(
    *, term: str, expansions: Iterable[str] = (), items: Iterable[Item] = ()
) -> Synonym:
    """Create or replace the synonym of ``term``."""
    synonym, _created = Synonym.objects.update_or_create(
        term=term.strip(), defaults={"expansions": "、".join(expansions), "is_active": True}
    )
    synonym.items.set(list(items))
    return synonym
