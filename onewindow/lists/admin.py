"""Admin: every public list is edited here (docs/rules/lists.md §Q1–§Q3)."""

from __future__ import annotations

from django.contrib import admin

from onewindow.lists.models import (
    CleanupRecord,
    DepartmentResponsibility,
    ItemAccountability,
    SupervisionMeasure,
)


@admin.register(DepartmentResponsibility)
class DepartmentResponsibilityAdmin(admin.ModelAdmin):
    list_display = ("department", "sort", "text")
    list_filter = ("department",)
    search_fields = ("text", "department__name")
    list_select_related = ("department",)
    ordering = ("department__sort", "department__code", "sort")


@admin.register(ItemAccountability)
class ItemAccountabilityAdmin(admin.ModelAdmin):
    list_display = ("item", "sort", "duty", "accountability")
    list_filter = ("item__department",)
    search_fields = ("item__code", "duty", "accountability", "basis")
    list_select_related = ("item",)
    autocomplete_fields = ("item",)


@admin.register(SupervisionMeasure)
class SupervisionMeasureAdmin(admin.ModelAdmin):
    list_display = ("item", "method", "department", "target", "frequency")
    list_filter = ("method", "department")
    search_fields = ("item__code", "target", "content", "legal_basis")
    list_select_related = ("item", "department")
    autocomplete_fields = ("item",)


@admin.register(CleanupRecord)
class CleanupRecordAdmin(admin.ModelAdmin):
    list_display = ("item_code", "item_name", "department", "action", "target_item", "decided_on")
    list_filter = ("action", "department", "decided_on")
    search_fields = ("item_code", "item_name", "legal_basis", "note")
    list_select_related = ("department", "target_item")
    autocomplete_fields = ("target_item",)
    date_hierarchy = "decided_on"
