"""Questions and complaints in the Django admin: read-only records (the pages change them)."""

from __future__ import annotations

from django.contrib import admin

from onewindow.consult.models import Complaint, ComplaintEvent, Question
from onewindow.core.readonly_admin import ReadOnlyAdmin


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ("title", "department", "status", "reply_due", "published")
    list_filter = ("status", "published", "department")


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ("title", "window", "staff", "status", "result", "submitted_at")
    list_filter = ("status", "result")


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(ReadOnlyAdmin):
    list_display = ("complaint", "action", "at", "actor")
