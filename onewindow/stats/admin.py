"""The statistics rollups in the admin, read-only (docs/rules/statistics.md §M2, §M3): they change
only through the case events and the full recount (``onewindow stats rebuild``), which keep them
equal to a count of the cases; an edit here would silently break that."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.stats.models import DurationRollup, MonthlyRollup, StageRollup, StatusRollup

DIMENSIONS = ("month", "department_id", "item_id", "region_id")


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    search_fields = ("=department_id", "=item_id", "=region_id")
    ordering = ("-month", "department_id", "item_id", "region_id")
    list_per_page = 100
    show_full_result_count = False  # no count(*) over the whole table per page

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MonthlyRollup)
class MonthlyRollupAdmin(ReadOnly):
    list_display = (
        *DIMENSIONS,
        "received",
        "accepted",
        "closed",
        "closed_on_time",
        "closed_early",
        "days_sum",
        "measured",
    )
    list_filter = ("month",)


@admin.register(StatusRollup)
class StatusRollupAdmin(ReadOnly):
    list_display = (*DIMENSIONS, "status", "n")
    list_filter = ("month", "status")


@admin.register(DurationRollup)
class DurationRollupAdmin(ReadOnly):
    list_display = (*DIMENSIONS, "days", "n")
    list_filter = ("month",)


@admin.register(StageRollup)
class StageRollupAdmin(ReadOnly):
    list_display = (*DIMENSIONS, "stage", "stage_department_id", "n", "days_sum")
    list_filter = ("month", "stage")
