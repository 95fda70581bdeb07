"""Admin: aliases and keywords of items, synonyms (editable); usage counts (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.search.models import ItemAlias, ItemUsage, Synonym


@admin.register(ItemAlias)
class ItemAliasAdmin(admin.ModelAdmin):
    list_display = ("text", "kind", "item")
    list_filter = ("kind", "item__department")
    search_fields = ("text", "item__code", "item__versions__name")
    autocomplete_fields = ("item",)


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ("term", "expansions", "is_active")
    list_filter = ("is_active",)
    search_fields = ("term", "expansions")
    autocomplete_fields = ("items",)


@admin.register(ItemUsage)
class ItemUsageAdmin(admin.ModelAdmin):
    """Counted from submissions; corrected only by recounting (services.usage_recount)."""

    list_display = ("item", "count", "updated_at")
    search_fields = ("item__code",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
