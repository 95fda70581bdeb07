"""Admin: administrators (Perm.RULES_EDIT) edit the rules' thresholds (docs/product.md §C16 "rule
thresholds"); supervisors may look. Rules are code (``rules.RULES``): seeded by a migration, never
added or deleted here. Cards are read-only: they change only through the lifecycle services.
Permissions come from the role table, as in onewindow/cases/admin.py."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.accounts.roles import Perm, has_perm
from onewindow.supervision.models import (
    Card,
    CardEvent,
    PerformanceScore,
    Rule,
    ScoreScheme,
    SituationReport,
)

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
        "yellow_share",
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
        "yellow_share",
        "red_days_after",
    )
    readonly_fields = ("code", "kind")
    search_fields = ("code", "name")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _holds(request, (Perm.RULES_EDIT,))


class CardEventInline(admin.TabularInline):
    """The card's lifecycle steps, read-only."""

    model = CardEvent
    extra = 0
    fields = ("at", "action", "old_status", "new_status", "actor", "note")
    readonly_fields = fields
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _holds(request, VIEWERS)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Card)
class CardAdmin(_ByRole):
    inlines = (CardEventInline,)
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


@admin.register(SituationReport)
class SituationReportAdmin(_ByRole):
    """Read-only: reports are made by ``supervision.reports`` and archived unchanged."""

    list_display = (
        "pk",
        "number",
        "period_kind",
        "period_start",
        "period_end",
        "scheduled",
        "status",
        "progress",
        "requested_at",
        "finished_at",
    )
    list_filter = ("period_kind", "status", "scheduled")
    exclude = ("pdf", "data")
    readonly_fields = ("error",)


@admin.register(ScoreScheme)
class ScoreSchemeAdmin(_ByRole):
    """Read-only here: the scheme is edited on the 绩效考核方案 page (``scores.scheme_update``
    checks that the weights sum to 100 and the grade bounds descend)."""

    list_display = (
        "pk",
        "weight_on_time",
        "weight_early",
        "weight_satisfaction",
        "weight_compression",
        "yellow_penalty",
        "red_penalty",
        "letter_penalty",
        "grade_excellent",
        "grade_good",
        "grade_pass",
        "updated_at",
    )


@admin.register(PerformanceScore)
class PerformanceScoreAdmin(_ByRole):
    """Read-only: scores are computed by ``supervision.scores``."""

    list_display = (
        "period_kind",
        "period_start",
        "subject_kind",
        "department",
        "window",
        "closed",
        "score",
        "grade",
        "rank",
        "computed_at",
    )
    list_filter = ("period_kind", "subject_kind", "grade")
    list_select_related = ("department", "window")
