"""Key projects in the Django admin: read mostly; projects are registered through the page or the
API so the stage rules (docs/rules/projects.md §H5) always apply."""

from __future__ import annotations

from django.contrib import admin

from onewindow.projects.models import JointActivity, JointFinding, Project, ProjectCase, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ("sort", "name")
    readonly_fields = ("sort", "name")
    can_delete = False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "enterprise", "priority", "agent", "target_days", "created_at")
    search_fields = ("name",)
    inlines = [StageInline]
    readonly_fields = ("enterprise", "agent", "created_by", "created_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(ProjectCase)
class ProjectCaseAdmin(admin.ModelAdmin):
    list_display = ("stage", "case", "item", "linked_at")
    readonly_fields = ("stage", "case", "item", "linked_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(JointActivity)
class JointActivityAdmin(admin.ModelAdmin):
    list_display = ("stage", "kind", "date", "place")
    readonly_fields = ("stage", "kind", "scheduled_by", "scheduled_at")


@admin.register(JointFinding)
class JointFindingAdmin(admin.ModelAdmin):
    list_display = ("activity", "department", "case", "result", "recorded_at")
    readonly_fields = ("activity", "department", "case", "recorded_by", "recorded_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
