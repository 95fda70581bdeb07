"""The business categories of the queue are edited with the catalog (docs/rules/hall.md §J10);
tickets are read-only here (they change only through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.queue.models import QueueLine, Ticket


@admin.register(QueueLine)
class QueueLineAdmin(admin.ModelAdmin):
    list_display = ("letter", "name", "is_active", "sort")
    filter_horizontal = ("departments",)


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("day", "number", "line", "priority", "status", "issued_at", "served_by")
    list_filter = ("day", "status")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
