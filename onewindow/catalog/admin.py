"""Admin for the catalog (docs/product.md §C1, §C16): departments, regions, windows, tolerances,
items and their guide versions.

A published or superseded version is shown read-only, checklist rows included: cases keep the
version they were filed under, so it never changes. Changes are made on a draft ("创建新草稿版本")
and published ("发布"); every write to items and versions goes through ``services``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onewindow.catalog import process, risks, services
from onewindow.catalog.deadlines import DEFAULT_STEPS
from onewindow.catalog.models import (
    Condition,
    DeliveryMethod,
    Department,
    Fee,
    Item,
    ItemImplementation,
    ItemVersion,
    Material,
    ProcessBranch,
    Region,
    RegionLevel,
    RiskPoint,
    ToleranceSetting,
    VersionStatus,
    Window,
)
from onewindow.core import clock
from onewindow.lib.flowchart import render_svg

DEPTH = {RegionLevel.CITY: 0, RegionLevel.DISTRICT: 1, RegionLevel.STREET: 2}
# Colours and indents live in static/css/admin.css: the CSP allows no style=""
# (docs/decisions.md §S3).
STATUS_CLASSES = {
    VersionStatus.DRAFT: "version-status version-status--draft",
    VersionStatus.PUBLISHED: "version-status version-status--published",
    VersionStatus.SUPERSEDED: "version-status version-status--superseded",
}


def _messages_of(error: ValidationError) -> str:
    return ";".join(str(m) for m in error.messages)


# --- reference data ---------------------------------------------------------------------------
@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "short_name",
        "region",
        "counterpart",
        "hall_location",
        "phone",
        "sort",
        "is_active",
    )
    # docs/rules/delegation.md §V: a district bureau names its district and city counterpart.
    list_filter = ("is_active", ("region", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("region", "counterpart")
    search_fields = ("code", "name", "short_name")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("tree_name", "code", "level", "parent", "has_service_point")
    list_filter = ("level", "has_service_point", ("parent", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("parent",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    fields = ("code", "name", "level", "parent", "has_service_point", "sort", "note")
    list_per_page = 200

    @admin.display(description=gettext_lazy("名称"), ordering="sort")
    def tree_name(self, obj: Region) -> str:
        depth = DEPTH.get(RegionLevel(obj.level), 3)
        return format_html(
            '<span class="region-name region-depth-{}">{}{}</span>',
            depth,
            "└ " if depth else "",
            obj.name,
        )


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "area", "department_names", "is_active")
    list_filter = ("area", "is_active")
    search_fields = ("number", "name", "departments__name")
    filter_horizontal = ("departments",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Window]:
        return super().get_queryset(request).prefetch_related("departments")

    @admin.display(description=gettext_lazy("受理部门"))
    def department_names(self, obj: Window) -> str:
        return "、".join(d.short_name or d.name for d in obj.departments.all())


@admin.register(ToleranceSetting)
class ToleranceSettingAdmin(admin.ModelAdmin):
    """docs/rules/licensing.md §G2: how many non-core materials each category may be missing."""

    list_display = ("category", "max_missing")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("category",) if obj else ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row per category; the migration provides all three.
        return super().has_add_permission(request) and ToleranceSetting.objects.count() < 3

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # intake needs a tolerance for every category


# --- items ------------------------------------------------------------------------------------
def _delivery_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=gettext_lazy("送达方式"),
        choices=DeliveryMethod.choices,
        widget=forms.CheckboxSelectMultiple,
    )


FIRST_VERSION_FIELDS = (
    "name",
    "legal_basis",
    "statutory_days",
    "committed_days",
    "result_name",
    "delivery_methods",
)


class ItemCreateForm(forms.ModelForm):
    """A new item with the fields its first draft version needs."""

    name = forms.CharField(label=gettext_lazy("事项名称"), max_length=200)
    legal_basis = forms.CharField(label=gettext_lazy("设定依据"), widget=forms.Textarea)
    statutory_days = forms.IntegerField(label=gettext_lazy("法定办结时限（工作日）"), min_value=0)
    committed_days = forms.IntegerField(label=gettext_lazy("承诺办结时限（工作日）"), min_value=0)
    result_name = forms.CharField(label=gettext_lazy("审批结果名称"), max_length=200)
    delivery_methods = _delivery_field()

    class Meta:
        model = Item
        fields = ("code", "department", "item_type", "sort")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = {f: cleaned[f] for f in FIRST_VERSION_FIELDS if f in cleaned}
        if len(values) == len(FIRST_VERSION_FIELDS):
            draft = ItemVersion(number=1, **values)
            try:
                draft.full_clean(exclude=["item"])
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    target = field if field in self.fields else None
                    for message in errors:
                        self.add_error(target, message)
        return cleaned


class ImplementationInline(admin.TabularInline):
    model = ItemImplementation
    extra = 0
    fields = ("region", "mode", "delegated")
    autocomplete_fields = ("region",)
    verbose_name_plural = gettext_lazy("实施区域（下放新区、社区代办点）")


class VersionListInline(admin.TabularInline):
    """The item's versions, newest first, each linking to its page."""

    model = ItemVersion
    fields = ("number", "name", "status", "published_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    ordering = ("-number",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("code", "current_name", "department", "item_type", "current_number", "draft")
    list_filter = ("item_type", "department")
    list_select_related = ("department", "published_version")
    search_fields = ("code", "versions__name")
    actions = ("create_draft",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Item]:
        drafts = Count("versions", filter=Q(versions__status=VersionStatus.DRAFT))
        return super().get_queryset(request).annotate(draft_count=drafts)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        if obj is None:
            kwargs["form"] = ItemCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:  # type: ignore[override]
        if obj is None:
            return ["code", "department", "item_type", "sort", *FIRST_VERSION_FIELDS]
        return ["code", "department", "item_type", "sort", "published_version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code", "published_version") if obj else ()

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[type[Any]]:  # type: ignore[override]
        return [VersionListInline, ImplementationInline] if obj else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Only an item that never published a guide may go: cases may point at its versions.
        if obj is not None and obj.versions.exclude(status=VersionStatus.DRAFT).exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=gettext_lazy("事项名称"))
    def current_name(self, obj: Item) -> str:
        version = obj.published_version or obj.versions.order_by("-number").first()
        return version.name if version else ""

    @admin.display(description=gettext_lazy("现行版本"))
    def current_number(self, obj: Item) -> str:
        return str(obj.published_version.number) if obj.published_version else "—"

    @admin.display(description=gettext_lazy("有草稿"), boolean=True)
    def draft(self, obj: Item) -> bool:
        return bool(getattr(obj, "draft_count", 0))

    def save_model(self, request: HttpRequest, obj: Item, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.item_update(
                item=obj,
                department=data["department"],
                item_type=data["item_type"],
                sort=data["sort"],
            )
            return
        draft = services.item_create(
            code=data["code"],
            department=data["department"],
            item_type=data["item_type"],
            sort=data["sort"] or 0,
            **{f: data[f] for f in FIRST_VERSION_FIELDS},
        )
        # The admin goes on with ``obj`` (log entry, redirect): make it the stored item.
        obj.pk = draft.item.pk
        obj._state.adding = False
        obj._state.db = draft.item._state.db

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        formset.save(commit=False)
        for row in formset.deleted_objects:
            services.item_implementation_remove(implementation=row)
        for row in [*formset.new_objects, *(r for r, _fields in formset.changed_objects)]:
            services.item_implementation_set(
                item=form.instance, region=row.region, mode=row.mode, delegated=row.delegated
            )

    def delete_model(self, request: HttpRequest, obj: Item) -> None:
        for version in obj.versions.all():
            services.item_version_discard(version=version)
        obj.delete()

    @admin.action(description=gettext_lazy("创建新草稿版本"), permissions=["change"])
    def create_draft(self, request: HttpRequest, queryset: QuerySet[Item]) -> None:
        _create_drafts(self, request, queryset)


def _create_drafts(
    model_admin: admin.ModelAdmin, request: HttpRequest, items: Iterable[Item]
) -> None:
    for item in items:
        try:
            draft = services.item_version_create_draft(item=item)
        except ValidationError as error:
            model_admin.message_user(request, _messages_of(error), messages.ERROR)
        else:
            model_admin.message_user(
                request,
                _("已为事项“%(code)s”创建第%(n)s版草稿。") % {"code": item.code, "n": draft.number},
                messages.SUCCESS,
            )


# --- versions ---------------------------------------------------------------------------------
class ItemVersionForm(forms.ModelForm):
    delivery_methods = _delivery_field()

    class Meta:
        model = ItemVersion
        fields = services.VERSION_FIELDS


class DraftOnlyInline(admin.TabularInline):
    """Checklist rows: editable while the version is a draft, read-only after publication."""

    extra = 0

    def _editable(self, obj: Any) -> bool:
        return obj is not None and obj.status == VersionStatus.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


class ConditionInline(DraftOnlyInline):
    model = Condition
    fields = ("sort", "text")


class MaterialInline(DraftOnlyInline):
    model = Material
    fields = (
        "sort",
        "name",
        "required",
        "is_core",
        "original_or_copy",
        "copies",
        "for_renewal",
        "source",
        "note",
        "form_template",
        "sample",
    )


class FeeInline(DraftOnlyInline):
    model = Fee
    fields = ("sort", "name", "amount", "unit", "legal_basis")
    verbose_name_plural = gettext_lazy("收费项目（无收费项目即不收费）")


class ProcessBranchForm(forms.ModelForm):
    """A department's branch; its steps typed as one line of text (see ``process.steps_parse``)."""

    steps = forms.CharField(
        label=gettext_lazy("办理环节"),
        max_length=500,
        widget=forms.TextInput(attrs={"size": 46}),
        help_text=gettext_lazy(
            "按顺序填写“环节：角色”，用“→”分隔，须以批准结束。环节：承办、审核、批准；"
            "角色：承办人、审核人、批准人、首席代表。只写环节时用其默认角色，"
            "如“承办 → 审核 → 批准”。"
        ),
    )

    class Meta:
        model = ProcessBranch
        fields = ("sort", "department", "is_lead", "allotted_days", "steps")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.steps if self.instance.pk else list(DEFAULT_STEPS)
        self.initial["steps"] = process.steps_format(stored)

    def clean_steps(self) -> list[dict[str, str]]:
        return process.steps_parse(self.cleaned_data["steps"])


class ProcessBranchFormSet(BaseInlineFormSet):
    """Checks the whole edited template (with the version's edited limits) before any save."""

    def kept_specs(self) -> list[process.BranchSpec]:
        deleted = set(map(id, self.deleted_forms)) if self.can_delete else set()
        forms_ = [f for f in self.forms if f.cleaned_data and id(f) not in deleted]
        forms_.sort(key=lambda f: f.cleaned_data.get("sort") or 0)
        return [
            process.BranchSpec(
                f.cleaned_data.get("department"),
                bool(f.cleaned_data.get("is_lead")),
                f.cleaned_data.get("allotted_days"),
                f.cleaned_data.get("steps"),
            )
            for f in forms_
        ]

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        errors = process.template_errors(self.instance, self.kept_specs())
        # committed ≤ statutory is reported on the version's own field already.
        errors.pop("committed_days", None)
        if errors:
            raise ValidationError([m for messages in errors.values() for m in messages])


class ProcessBranchInline(DraftOnlyInline):
    """docs/product.md §C5 process template: one row per department, the lead marked; without rows,
    the item's own department reviews alone (承办 → 审核 → 批准, committed limit less consolidation)."""

    model = ProcessBranch
    form = ProcessBranchForm
    formset = ProcessBranchFormSet
    readonly_fields = ("steps_label",)
    verbose_name_plural = gettext_lazy(
        "审批流程（参与审查的部门：牵头部门汇总意见并作出决定；不填写时由实施部门单独审查）"
    )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:  # type: ignore[override]
        if self._editable(obj):
            return ["sort", "department", "is_lead", "allotted_days", "steps"]
        return ["sort", "department", "is_lead", "allotted_days", "steps_label"]

    @admin.display(description=gettext_lazy("办理环节"))
    def steps_label(self, obj: ProcessBranch) -> str:
        return process.steps_format(obj.steps)


class RiskPointInline(DraftOnlyInline):
    """docs/product.md §C10 integrity-risk register: risk points and control measures of each
    department's step, shown to the handler at that step and to supervisors."""

    model = RiskPoint
    fields = ("sort", "department", "step_kind", "level", "risk", "measure")


def _shown(field: Any) -> Any:
    return "delivery_labels" if field == "delivery_methods" else field


# How the admin writes each kind of checklist row: (add, update, remove, fields).
ChildServices = tuple[Callable[..., Any], Callable[..., Any], Callable[..., None], tuple[str, ...]]
CHILD_SERVICES: dict[type[Any], ChildServices] = {
    Condition: (
        services.condition_add,
        lambda row, **f: services.condition_update(condition=row, **f),
        lambda row: services.condition_remove(condition=row),
        services.CONDITION_FIELDS,
    ),
    Material: (
        services.material_add,
        lambda row, **f: services.material_update(material=row, **f),
        lambda row: services.material_remove(material=row),
        services.MATERIAL_FIELDS,
    ),
    RiskPoint: (
        risks.risk_point_add,
        lambda row, **f: risks.risk_point_update(risk_point=row, **f),
        lambda row: risks.risk_point_remove(risk_point=row),
        risks.RISK_POINT_FIELDS,
    ),
    Fee: (
        services.fee_add,
        lambda row, **f: services.fee_update(fee=row, **f),
        lambda row: services.fee_remove(fee=row),
        services.FEE_FIELDS,
    ),
}


@admin.register(ItemVersion)
class ItemVersionAdmin(admin.ModelAdmin):
    form = ItemVersionForm
    list_display = (
        "name",
        "item_code",
        "number",
        "status_label",
        "department",
        "committed_days",
        "statutory_days",
        "published_at",
    )
    list_filter = (
        "status",
        "tolerance_category",
        "on_the_spot",
        "commitment_allowed",
        ("item__department", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("item", "item__department")
    search_fields = ("name", "item__code")
    readonly_fields = ("item", "number", "status", "published_at", "created_at", "flowchart")
    inlines = (ConditionInline, MaterialInline, FeeInline, ProcessBranchInline, RiskPointInline)
    actions = ("create_draft", "publish")
    change_form_template = "admin/catalog/itemversion/change_form.html"
    fieldsets = (
        (None, {"fields": ("item", "number", "status", "published_at", "created_at")}),
        (
            gettext_lazy("基本信息"),
            {"fields": ("name", "legal_basis", "service_object", "result_type", "result_name")},
        ),
        (
            gettext_lazy("时限与办理方式"),
            {
                "fields": (
                    "statutory_days",
                    "committed_days",
                    "on_the_spot",
                    "joint_handling",
                    "limit_basis_law",
                    "limit_basis_article",
                    "tolerance_category",
                    "commitment_allowed",
                    "delivery_methods",
                    "validity_years",
                    "renewable",
                )
            },
        ),
        (
            gettext_lazy("办理地点与咨询"),
            {
                "fields": (
                    "handling_place",
                    "handling_hours",
                    "contact_phone",
                    "supervision_phone",
                    "process_summary",
                )
            },
        ),
        (
            gettext_lazy("审批流程（权力运行流程）"),
            {
                "fields": ("consolidation_days", "material_request_pauses", "flowchart"),
                "description": gettext_lazy(
                    "各部门同时审查；办结时限 = 最长的部门审查时限 + 牵头部门汇总时间"
                    "（不累加），不得超过承诺时限。参与部门在页面下方“审批流程”中设置。"
                ),
            },
        ),
    )

    @admin.display(description=gettext_lazy("事项编码"), ordering="item__code")
    def item_code(self, obj: ItemVersion) -> str:
        return obj.item.code

    @admin.display(description=gettext_lazy("实施部门"))
    def department(self, obj: ItemVersion) -> str:
        return obj.item.department.name

    @admin.display(description=gettext_lazy("状态"), ordering="status")
    def status_label(self, obj: ItemVersion) -> str:
        return format_html(
            '<strong class="{}">{}</strong>',
            STATUS_CLASSES[VersionStatus(obj.status)],
            obj.get_status_display(),
        )

    @admin.display(description=gettext_lazy("流程图（按已保存的流程）"))
    def flowchart(self, obj: ItemVersion) -> str:
        if obj is None or obj.pk is None:
            return ""
        # render_svg escapes every text it draws.
        svg = render_svg(process.process_flowchart(obj))
        return format_html('<div class="flowchart">{}</div>', mark_safe(svg))

    @admin.display(description=gettext_lazy("送达方式"))
    def delivery_labels(self, obj: ItemVersion) -> str:
        labels = dict(DeliveryMethod.choices)
        return "、".join(str(labels.get(m, m)) for m in obj.delivery_methods or [])

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.status != VersionStatus.DRAFT:
            # Read-only: the delivery methods by their names, not as the stored JSON list.
            return [
                (title, {"fields": [_shown(f) for f in options["fields"]]})
                for title, options in self.fieldsets
            ]
        return self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (*self.readonly_fields, "delivery_labels")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # drafts come from a new item or from "创建新草稿版本"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return False  # published and superseded versions are read-only (docs/product.md §C1)
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a draft is deleted from its own page
        return actions

    def save_model(self, request: HttpRequest, obj: ItemVersion, form: Any, change: bool) -> None:
        fields = {
            f: form.cleaned_data[f] for f in form.changed_data if f in services.VERSION_FIELDS
        }
        services.item_version_update(version=obj, **fields)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is ProcessBranch:
            formset.save(commit=False)  # fills the lists the change message is made from
            if formset.has_changed():
                process.process_template_replace(
                    version=form.instance, branches=formset.kept_specs()
                )
            return
        add, update, remove, names = CHILD_SERVICES[formset.model]
        formset.save(commit=False)
        for row in formset.deleted_objects:
            remove(row)
        for row in formset.new_objects:
            add(version=form.instance, **{f: getattr(row, f) for f in names})
        for row, changed in formset.changed_objects:
            update(row, **{f: getattr(row, f) for f in changed if f in names})

    def delete_model(self, request: HttpRequest, obj: ItemVersion) -> None:
        services.item_version_discard(version=obj)

    # Actions on the list page -----------------------------------------------------------------
    @admin.action(description=gettext_lazy("创建新草稿版本"), permissions=["change"])
    def create_draft(self, request: HttpRequest, queryset: QuerySet[ItemVersion]) -> None:
        items = Item.objects.filter(pk__in=queryset.values("item_id")).order_by("code")
        _create_drafts(self, request, items)

    @admin.action(description=gettext_lazy("发布"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[ItemVersion]) -> None:
        for version in queryset.select_related("item").order_by("item__code", "number"):
            self._publish_one(request, version)

    def _publish_one(self, request: HttpRequest, version: ItemVersion) -> bool:
        label = f"{version.item.code} {version.name} 第{version.number}版"
        try:
            services.item_version_publish(version=version, now=clock.now())
        except ValidationError as error:
            self.message_user(
                request,
                _("%(v)s未发布：%(e)s") % {"v": label, "e": _messages_of(error)},
                messages.ERROR,
            )
            return False
        self.message_user(request, _("已发布%(v)s。") % {"v": label}, messages.SUCCESS)
        return True

    # Buttons on a version's page --------------------------------------------------------------
    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "<id:pk>/publish/",
                view(require_POST(self.publish_view)),
                name="catalog_itemversion_publish",
            ),
            path(
                "<id:pk>/new-draft/",
                view(require_POST(self.new_draft_view)),
                name="catalog_itemversion_new_draft",
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(ItemVersion.objects.select_related("item"), pk=pk)
        if not self.has_change_permission(request, version):
            raise PermissionDenied
        self._publish_one(request, version)
        return HttpResponseRedirect(reverse("admin:catalog_itemversion_change", args=[pk]))

    def new_draft_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(ItemVersion.objects.select_related("item"), pk=pk)
        if not super().has_change_permission(request):
            raise PermissionDenied
        try:
            draft = services.item_version_create_draft(item=version.item)
        except ValidationError as error:
            self.message_user(request, _messages_of(error), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:catalog_itemversion_change", args=[pk]))
        self.message_user(
            request,
            _("已为事项“%(code)s”创建第%(n)s版草稿。")
            % {"code": version.item.code, "n": draft.number},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:catalog_itemversion_change", args=[draft.pk]))

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        obj = kwargs.get("obj") or context.get("original")
        context["can_publish"] = bool(obj and self.has_change_permission(request, obj))
        context["can_new_draft"] = bool(
            obj and obj.status != VersionStatus.DRAFT and super().has_change_permission(request)
        )
        return super().render_change_form(request, context, *args, **kwargs)
