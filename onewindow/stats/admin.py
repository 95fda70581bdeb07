"""The statistics rollups in the admin, read-only (docs/rules/statistics.md §M2, §M3): they change
only through the case events and the full recount (``onewindow stats rebuild``), which keep them
equal to a count of the cases; an edit here would silently break that."""

from __future__ import annotations

from django.contrib import admin

from onewindow.core.readonly_admin import ReadOnlyAdmin
from onewindow.stats.models import DurationRollup, MonthlyRollup, StageRollup, StatusRollup

DIMENSIONS = ("month", "department_id", "item_id", "region_id")


class RollupAdmin(ReadOnlyAdmin):
    search_fields = ("=department_id", "=item_id", "=region_id")
    ordering = ("-month", "department_id", "item_id", "region_id")
    list_per_page = 100
    show_full_result_count = False  # no count(*) over the whole table per page


@admin.register(MonthlyRollup)
class MonthlyRollupAdmin(RollupAdmin):
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
class StatusRollupAdmin(RollupAdmin):
    list_display = (*DIMENSIONS, "status", "n")
    list_filter = ("month", "status")


@admin.register(DurationRollup)
class DurationRollupAdmin(RollupAdmin):
    list_display = (*DIMENSIONS, "days", "n")
    list_filter = ("month",)


@admin.register(StageRollup)
class StageRollupAdmin(RollupAdmin):
    list_display = (*DIMENSIONS, "stage", "stage_department_id", "n", "days_sum")
    list_filter = ("month", "stage")
