"""The 好差评 settings row is the administrator's (permission rules.edit); ratings, bad reviews and
appeals are read-only here: they change only through the services, which keep the tally."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.core.readonly_admin import ReadOnlyAdmin
from onewindow.ratings.models import Appeal, BadReview, Rating, RatingConfig


@admin.register(RatingConfig)
class RatingConfigAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "default_level",
        "default_after_days",
        "rectify_working_days",
        "ranking_min_ratings",
        "ranking_size",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not RatingConfig.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: RatingConfig, form: Any, change: bool) -> None:
        obj.pk = 1
        super().save_model(request, obj, form, change)


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("service", "channel", "level", "rated_at", "department", "window", "excluded")
    list_filter = ("channel", "level", "excluded")
    date_hierarchy = "rated_at"


@admin.register(BadReview)
class BadReviewAdmin(ReadOnlyAdmin):
    list_display = ("pk", "department", "status", "due_on", "created_at")
    list_filter = ("status",)


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("pk", "reason", "status", "filed_at", "decided_at")
    list_filter = ("status", "reason")
