"""Questions and complaints in the Django admin: read-only records (the pages change them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.consult.models import Complaint, ComplaintEvent, Question


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Question)
class QuestionAdmin(ReadOnly):
    list_display = ("title", "department", "status", "reply_due", "published")
    list_filter = ("status", "published", "department")


@admin.register(Complaint)
class ComplaintAdmin(ReadOnly):
    list_display = ("title", "window", "staff", "status", "result", "submitted_at")
    list_filter = ("status", "result")


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(ReadOnly):
    list_display = ("complaint", "action", "at", "actor")
