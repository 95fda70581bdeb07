"""Admin: review tasks, steps, opinions and material requests, read-only for staff admins.

Every change goes through review.services (conditional UPDATEs, events on the case); the admin
only lets administrators look.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import StepKind
from onewindow.core.readonly_admin import ReadOnlyAdmin as BaseReadOnlyAdmin
from onewindow.review.models import MaterialAnswerFile, MaterialRequest, Opinion, StepRecord, Task


class ReadOnlyAdmin(BaseReadOnlyAdmin):
    """Lists and details for staff admins; no add, change or delete."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("case", "department", "is_lead", "status", "step", "opened_on", "due")
    list_filter = ("status", "is_lead", "department")
    search_fields = ("case__number",)
    date_hierarchy = "due"
    list_select_related = ("case", "department")


class StepKindFilter(admin.SimpleListFilter):
    """The steps by name (承办 / 审核 / 批准): the stored key is for code only."""

    title = _("环节")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(StepKind.choices)

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(StepRecord)
class StepRecordAdmin(ReadOnlyAdmin):
    list_display = ("task", "step", "step_name", "actor", "outcome", "at")
    list_filter = (StepKindFilter, "outcome")
    search_fields = ("task__case__number",)

    @admin.display(description=_("环节"), ordering="kind")
    def step_name(self, record: StepRecord) -> str:
        return record.kind_label  # 承办, not the stored key


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ("task", "kind", "actor", "at")
    list_filter = ("kind",)
    search_fields = ("task__case__number",)


class MaterialAnswerFileInline(admin.TabularInline):
    """The files of the answer (names, type, size; the files themselves are served only through
    the access-checked download views)."""

    model = MaterialAnswerFile
    fields = ("file_name", "content_type", "size", "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("原文件名"))
    def file_name(self, obj: MaterialAnswerFile) -> str:
        return obj.stored.original_name

    @admin.display(description=_("文件类型"))
    def content_type(self, obj: MaterialAnswerFile) -> str:
        return obj.stored.content_type

    @admin.display(description=_("大小（字节）"))
    def size(self, obj: MaterialAnswerFile) -> int:
        return obj.stored.size

    @admin.display(description=_("上传时间"))
    def uploaded_at(self, obj: MaterialAnswerFile) -> Any:
        return obj.stored.created_at


@admin.register(MaterialRequest)
class MaterialRequestAdmin(ReadOnlyAdmin):
    inlines = [MaterialAnswerFileInline]
    list_display = ("task", "requested_on", "answered_on", "pauses_clock", "paused_days")
    list_filter = ("pauses_clock",)
    search_fields = ("task__case__number",)
