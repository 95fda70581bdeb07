"""The monthly evaluation's settings row is the administrator's (permission rules.edit), saved
through ``services.config_update`` so the admin site refuses weights not adding up to 100 as the
settings page does (docs/rules/hall.md §J3); records, scores and rectifications are read-only
here: they change only through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from onewindow.conduct import services
from onewindow.conduct.errors import Invalid
from onewindow.conduct.models import ConductConfig, Discipline, Rectification, WindowScore
from onewindow.core.readonly_admin import ReadOnlyAdmin


class ConductConfigForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ConductConfig
        fields = list(services.SETTING_LIMITS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        weights = [cleaned.get(name) for name in services.scoring.WEIGHT_FIELDS]
        if None not in weights and sum(w for w in weights if w is not None) != 100:
            raise ValidationError(
                services.weights_message(sum(w for w in weights if w is not None))
            )
        return cleaned


@admin.register(ConductConfig)
class ConductConfigAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ConductConfigForm
    list_display = ("weight_satisfaction", "weight_on_time", "weight_complaints", "ranking_size")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ConductConfig.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            saved = services.config_update(actor=request.user, values=form.cleaned_data)  # type: ignore[arg-type]
        except Invalid as err:  # the form's clean checked the same rules; a race at most
            raise ValidationError(err.message) from err
        obj.pk = saved.pk


@admin.register(Discipline)
class DisciplineAdmin(ReadOnlyAdmin):
    list_display = ("staff", "window", "kind", "difficulty", "decided_at", "acknowledged_at")
    list_filter = ("kind", "difficulty")
    date_hierarchy = "decided_at"


@admin.register(WindowScore)
class WindowScoreAdmin(ReadOnlyAdmin):
    list_display = ("month", "window", "score", "rank", "designation")
    list_filter = ("month", "designation")


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ("month", "window", "due_on", "done_at")
