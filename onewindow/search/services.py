"""Writes of the search app: the index stamp, usage counts, aliases and synonyms."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count

from onewindow.cases.models import Case
from onewindow.catalog.models import Item
from onewindow.core import clock
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
    q = connection.ops.quote_name
    counted, usage = q(CountedCase._meta.db_table), q(ItemUsage._meta.db_table)
    # Two atomic statements (each ON CONFLICT, SQLite ≥ 3.35 and PostgreSQL alike) where
    # get_or_create twice and an UPDATE were six with a savepoint, on every submission.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {counted} ({q('case_id')}, {q('item_id')}) VALUES (%s, %s) "
            f"ON CONFLICT ({q('case_id')}) DO NOTHING RETURNING {q('case_id')}",
            [case.pk, item_id],
        )
        if not cursor.fetchall():
            return  # counted before
        cursor.execute(
            f"INSERT INTO {usage} ({q('item_id')}, {q('count')}, {q('updated_at')}) "
            f"VALUES (%s, 1, %s) ON CONFLICT ({q('item_id')}) DO UPDATE SET "
            f"{q('count')} = {usage}.{q('count')} + 1, {q('updated_at')} = excluded.{q('updated_at')}",
            [item_id, connection.ops.adapt_datetimefield_value(clock.now())],
        )


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
