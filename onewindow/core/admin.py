"""The periodic jobs' run records in the admin, for the operators (docs/rules/tasks.md §X2)."""

from __future__ import annotations

from django.contrib import admin

from onewindow.core.models import JobRun
from onewindow.core.readonly_admin import ReadOnlyAdmin


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("name", "period_start", "outcome", "started_at", "finished_at", "host", "pid")
    list_filter = ("outcome", "name")
    search_fields = ("name", "host", "error")
    date_hierarchy = "period_start"
