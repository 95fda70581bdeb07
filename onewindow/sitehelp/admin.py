"""The site's help in the Django admin: help pages, links (http/https only), error reports."""

from __future__ import annotations

from django.contrib import admin

from onewindow.sitehelp.models import ErrorReport, HelpPage, Link


@admin.register(HelpPage)
class HelpPageAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "audience", "sort", "published", "updated_at")
    list_filter = ("audience", "published")
    search_fields = ("title", "slug", "body")


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "category", "sort", "published")
    list_filter = ("category", "published")
    search_fields = ("name", "url")


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "page_url", "description", "contact", "handled")
    list_filter = ("handled",)
    search_fields = ("page_url", "description", "contact")
    readonly_fields = ("page_url", "description", "contact", "user", "ip", "created_at")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: object) -> bool:
        return False  # reports come from visitors
