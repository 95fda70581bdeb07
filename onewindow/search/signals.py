"""A new index token after every change the search index reads (docs/rules/search.md §N7)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from onewindow.catalog.models import Department, Item, ItemVersion
from onewindow.search.models import ItemAlias, Synonym
from onewindow.search.services import index_stamp_bump


def _bump(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # fixtures being loaded
    index_stamp_bump()


for _model in (Department, Item, ItemVersion, ItemAlias, Synonym):
    post_save.connect(_bump, sender=_model, dispatch_uid=f"search-stamp-save-{_model.__name__}")
    post_delete.connect(_bump, sender=_model, dispatch_uid=f"search-stamp-del-{_model.__name__}")
m2m_changed.connect(_bump, sender=Synonym.items.through, dispatch_uid="search-stamp-synonym-items")
