"""Admin: administrators (Perm.RULES_EDIT) edit the rules' thresholds (PRODUCT.md §C16 "rule
thresholds"); supervisors may look. Rules are code (``rules.RULES``): seeded by a migration, never
added or deleted here. Cards are read-only: they change only through the lifecycle services.
Permissions come from the role table, as in onewindow/cases/admin.py."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.accounts.roles import Perm, has_perm
from onewindow.supervision.models import Card, Rule

VIEWERS = (Perm.RULES_EDIT, Perm.SUPERVISE)


def _holds(request: HttpRequest, perms: tuple[Perm, ...]) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff) and any(has_perm(user, p) for p in perms)


class _ByRole(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _holds(request, VIEWERS)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _holds(request, VIEWERS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rule)
class RuleAdmin(_ByRole):
    list_display = (
        "code",
        "name",
        "kind",
        "enabled",
        "yellow_enabled",
        "yellow_days_before",
        "red_days_after",
    )
    list_filter = ("kind", "enabled")
    fields = (
        "code",
        "name",
        "kind",
        "description",
        "enabled",
        "yellow_enabled",
        "yellow_days_before",
        "red_days_after",
    )
    readonly_fields = ("code", "kind")
    search_fields = ("code", "name")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _holds(request, (Perm.RULES_EDIT,))


@admin.register(Card)
class CardAdmin(_ByRole):
    list_display = (
        "pk",
        "rule",
        "level",
        "object_kind",
        "object_id",
        "department",
        "status",
        "issued_at",
    )
    list_filter = ("level", "status", "rule")
    list_select_related = ("rule", "department")
