"""Announcements, publicity rules and the published records in the Django admin
(docs/rules/publicity.md §L1–§L3)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onewindow.publicity.models import (
    Announcement,
    Objection,
    Publicity,
    PublicityRule,
    PublishedField,
)


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "publish_at", "expire_at", "published", "author")
    list_filter = ("category", "published")
    search_fields = ("title", "body")
    date_hierarchy = "publish_at"
    exclude = ("author",)

    def save_model(self, request: HttpRequest, obj: Announcement, form: Any, change: bool) -> None:
        if obj.author_id is None:
            obj.author = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


class PublicityRuleForm(forms.ModelForm):
    fields = forms.MultipleChoiceField(  # type: ignore[assignment]
        label=_("公示内容"),
        choices=PublishedField.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("自然人申请人的姓名公示时脱敏（如 张*），法人公示全称。"),
    )

    class Meta:
        model = PublicityRule
        fields = ("item", "required", "fields", "days", "basis")


@admin.register(PublicityRule)
class PublicityRuleAdmin(admin.ModelAdmin):
    form = PublicityRuleForm
    list_display = ("item", "required", "days", "labels", "updated_at")
    list_filter = ("required",)
    search_fields = ("item__code", "item__published_version__name")
    autocomplete_fields = ()
    raw_id_fields = ("item",)

    @admin.display(description=_("公示内容"))
    def labels(self, rule: PublicityRule) -> str:
        return "、".join(rule.field_labels())


class ObjectionInline(admin.TabularInline):
    model = Objection
    extra = 0
    can_delete = False
    fields = ("objector_name", "text", "status", "answer", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Publicity)
class PublicityAdmin(admin.ModelAdmin):
    list_display = ("title", "department", "starts_on", "ends_on", "status")
    list_filter = ("status", "department")
    search_fields = ("title", "search_text")
    date_hierarchy = "starts_on"
    readonly_fields = (
        "case",
        "item",
        "department",
        "title",
        "fields",
        "days",
        "starts_on",
        "ends_on",
        "status",
        "published_at",
        "archived_at",
    )
    inlines = [ObjectionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # published by the grant decision only
