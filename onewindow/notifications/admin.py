"""The outbox in the admin: a read-only record of every notification and its delivery."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onewindow.core.personal_data import blind_index
from onewindow.notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "channel",
        "recipient",
        "case_number",
        "subject",
        "status",
        "attempts",
        "backend",
        "sent_at",
    )
    list_filter = ("status", "channel", "backend", "created_at")
    # the recipient is sealed (docs/rules/privacy.md §P1): a whole address or number is found
    # through its blind index in get_search_results
    search_fields = ("subject", "case__number")
    date_hierarchy = "created_at"

    def get_search_results(
        self, request: HttpRequest, queryset: Any, search_term: str
    ) -> tuple[Any, bool]:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            found |= queryset.filter(recipient_index=blind_index("recipient", term))
        return found, duplicates

    list_select_related = ("case",)
    readonly_fields = (
        "channel",
        "recipient",
        "user",
        "subject",
        "body",
        "case",
        "event",
        "status",
        "attempts",
        "next_attempt_at",
        "backend",
        "last_error",
        "created_at",
        "sent_at",
    )
    fields = readonly_fields

    @admin.display(description=_("办件编号"), ordering="case__number")
    def case_number(self, obj: OutboxMessage) -> str:
        return obj.case.number or "" if obj.case else ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
