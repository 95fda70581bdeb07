"""Themes in the Django admin (catalog administrators, docs/rules/bundles.md §R1, §R2). Saving
checks the same rules as the service: items disagreeing on a shared field's type are refused."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onewindow.bundles import selectors
from onewindow.bundles.models import (
    LIFE_EVENTS,
    Bundle,
    BundleCase,
    Theme,
    ThemeItem,
    ThemeQuestion,
)


class ThemeItemFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        versions = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or data.get("item") is None:
                continue
            version = data["item"].published_version
            if version is None:
                raise ValidationError(
                    _("事项“%(c)s”没有已发布的版本，不能加入主题。") % {"c": data["item"].code}
                )
            versions.append((version.name, version))
        if len(versions) < 2:
            raise ValidationError(_("主题至少包含两个事项。"))
        problems = selectors.field_conflicts(versions)
        if problems:
            raise ValidationError(problems)


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = (
            "code",
            "name",
            "audience",
            "life_event",
            "summary",
            "partial_delivery",
            "published",
            "sort",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        audience, event = cleaned.get("audience"), cleaned.get("life_event")
        if audience and event and event not in LIFE_EVENTS.get(audience, ()):
            self.add_error("life_event", _("所选人生事件不属于该服务对象。"))
        return cleaned


class ThemeQuestionInline(admin.TabularInline):
    model = ThemeQuestion
    extra = 0


class ThemeItemInline(admin.TabularInline):
    model = ThemeItem
    formset = ThemeItemFormSet
    extra = 0
    autocomplete_fields = ()


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    form = ThemeForm
    list_display = ("name", "code", "audience", "life_event", "partial_delivery", "published")
    list_filter = ("audience", "life_event", "published")
    search_fields = ("name", "code")
    inlines = [ThemeQuestionInline, ThemeItemInline]


class BundleCaseInline(admin.TabularInline):
    model = BundleCase
    extra = 0
    can_delete = False
    readonly_fields = ("case", "theme_item", "sort")

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ("pk", "theme", "applicant", "submitted_at", "delivered_at")
    readonly_fields = [f.name for f in Bundle._meta.fields]
    inlines = [BundleCaseInline]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
