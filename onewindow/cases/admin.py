"""Cases in the Django admin: inspection, mandates (docs/product.md §C8) and false-commitment
records (G1).

Cases change only through the services (and ``transitions.transition``), so Case, CaseEvent
and Notice are read-only here, for every user, superusers included. Mandates are recorded and
revoked by user administrators (Perm.USER_MANAGE) through ``services.mandate_record`` /
``services.mandate_revoke``; they are never edited or deleted (the history stays). A
false-commitment record is a finding: it is added through ``services.false_commitment_record``
by staff holding the rights that service requires, and never edited or deleted.

The role table gives the admin role Django permissions only for ``roles.ADMIN_APPS``; ``cases``
is deliberately not listed there (that would grant add/change/delete on every case model), so
each admin below decides from the role permissions itself (``has_*_permission``).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, has_perm
from onewindow.cases import services
from onewindow.cases.errors import CaseError
from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseFee,
    FalseCommitmentRecord,
    Mandate,
    Notice,
)
from onewindow.cases.selectors import mandates as mandates_selectors
from onewindow.core import clock

# Who may look at cases here: user administrators and supervisors (CASE_READ_ALL) who reach the
# admin site at all (is_staff follows roles.ADMIN_SITE_ROLES, or a superuser).
INSPECT = (Perm.USER_MANAGE, Perm.CASE_READ_ALL)
# G1: the rights ``services.false_commitment_record`` checks.
FALSE_COMMITMENT_RECORDERS = (Perm.CASE_INTAKE, Perm.TASK_APPROVE, Perm.SUPERVISE)


def _on_site(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff)


def _holds_any(request: HttpRequest, perms: tuple[Perm, ...]) -> bool:
    return _on_site(request) and any(has_perm(request.user, perm) for perm in perms)


class _ByRole(admin.ModelAdmin):
    """Permissions from the role table, not from Django's model permissions; read-only default."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _holds_any(request, INSPECT)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _holds_any(request, INSPECT)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- inspection: cases, events, notices ----------------------------------------------------------


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("at", "action", "old_status", "new_status", "actor", "actor_role", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _holds_any(request, INSPECT)


@admin.register(Case)
class CaseAdmin(_ByRole):
    list_display = (
        "number",
        "item_version",
        "applicant",
        "agent",
        "department",
        "status",
        "channel",
        "intake_due",
        "decision_due",
        "created_at",
    )
    list_filter = ("status", "channel", "route", "department", "deemed_accepted")
    list_select_related = ("item_version", "applicant", "agent", "department")
    search_fields = ("number", "applicant__full_name", "applicant__username", "item_version__name")
    date_hierarchy = "created_at"
    inlines = [CaseEventInline]
    exclude = ("form_data",)
    readonly_fields = ("form_data_shown",)

    @admin.display(description=gettext_lazy("申请表内容"))
    def form_data_shown(self, obj: Case) -> str:
        return "; ".join(f"{k}: {v}" for k, v in (obj.form_data or {}).items())


@admin.register(CaseEvent)
class CaseEventAdmin(_ByRole):
    list_display = ("case", "at", "action", "old_status", "new_status", "actor", "actor_role")
    list_filter = ("action", "new_status", "public")
    list_select_related = ("case", "actor")
    search_fields = ("case__number", "action", "reason")
    date_hierarchy = "at"


@admin.register(CaseFee)
class CaseFeeAdmin(_ByRole):
    list_display = ("case", "charged_on", "name", "quantity", "amount", "fee", "recorded_by")
    list_select_related = ("case", "fee", "recorded_by")
    search_fields = ("case__number", "name", "receipt")
    date_hierarchy = "charged_on"


@admin.register(Notice)
class NoticeAdmin(_ByRole):
    list_display = ("number", "kind", "case", "issued_at", "issued_by")
    list_filter = ("kind",)
    list_select_related = ("case", "issued_by")
    search_fields = ("number", "case__number")
    date_hierarchy = "issued_at"


# --- mandates (docs/product.md §C8) ---------------------------------------------------------------


class MandateAddForm(forms.ModelForm):
    """The rules of ``services.mandate_record`` checked before saving, as field errors."""

    class Meta:
        model = Mandate
        fields = ("applicant", "agent", "item", "valid_until", "note")
        help_texts = {
            "item": gettext_lazy("留空表示委托全部事项。"),
            "valid_until": gettext_lazy("不早于今天，最长两年。"),
        }

    recorded_by: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or self.recorded_by is None:
            return data
        try:
            services.mandate_check(
                agent=data["agent"],
                applicant=data["applicant"],
                valid_until=data["valid_until"],
                recorded_by=self.recorded_by,
                item=data.get("item"),
                today=clock.today(),
            )
        except CaseError as err:
            raise ValidationError(err.message, code=err.code) from err
        return data


class MandateStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("状态")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            (state.value, label) for state, label in mandates_selectors.MANDATE_STATE_LABELS.items()
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Mandate]) -> QuerySet[Mandate]:
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(mandates_selectors.mandate_state_q(value, today=clock.today()))


@admin.register(Mandate)
class MandateAdmin(_ByRole):
    form = MandateAddForm
    list_display = (
        "applicant",
        "agent",
        "scope",
        "channel",
        "valid_from",
        "valid_until",
        "state",
        "revoked_at",
        "recorded_by",
        "created_at",
    )
    list_filter = (MandateStateFilter,)
    list_select_related = (
        "applicant",
        "agent",
        "item",
        "item__published_version",
        "case",
        "case__item_version",
        "recorded_by",
    )
    search_fields = (
        "applicant__full_name",
        "applicant__username",
        "agent__full_name",
        "agent__username",
    )
    raw_id_fields = ("applicant", "agent", "item")
    readonly_fields = (
        "recorded_by",
        "revoked_at",
        "revoked_by",
        "created_at",
        "channel",
        "confirmation",
        "confirmed_at",
        "confirmed_by",
        "refused_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _holds_any(request, (Perm.USER_MANAGE,))

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return _holds_any(request, (Perm.USER_MANAGE,))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return (
            "applicant",
            "agent",
            "item",
            "case",
            "project_id",
            "valid_from",
            "valid_until",
            "note",
            *self.readonly_fields,
        )

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.recorded_by = request.user  # type: ignore[attr-defined]  # MandateAddForm
        return form

    @admin.display(description=gettext_lazy("委托范围"))
    def scope(self, obj: Mandate) -> str:
        return mandates_selectors.scope_label(obj)

    @admin.display(description=gettext_lazy("状态"))
    def state(self, obj: Mandate) -> str:
        return str(mandates_selectors.MANDATE_STATE_LABELS[mandates_selectors.mandate_state(obj)])

    def save_model(self, request: HttpRequest, obj: Mandate, form: Any, change: bool) -> None:
        if change:  # nothing on a recorded mandate is editable; revoke it instead
            return
        created = services.mandate_record(
            agent=obj.agent,
            applicant=obj.applicant,
            item=obj.item,
            valid_until=obj.valid_until,
            note=obj.note,
            recorded_by=cast(User, request.user),
        )
        obj.pk = created.pk
        obj.recorded_by = created.recorded_by
        obj.created_at = created.created_at

    @admin.action(description=gettext_lazy("撤销所选代办委托"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Mandate]) -> None:
        in_force = list(queryset.filter(revoked_at__isnull=True))
        for mandate in in_force:
            services.mandate_revoke(mandate=mandate)
        skipped = queryset.count() - len(in_force)
        if in_force:
            self.message_user(
                request,
                ngettext("已撤销 %(n)d 份委托。", "已撤销 %(n)d 份委托。", len(in_force))
                % {"n": len(in_force)},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request, _("%(n)d 份委托此前已撤销，已跳过。") % {"n": skipped}, messages.WARNING
            )


# --- false commitments (G1) ----------------------------------------------------------------------


class FalseCommitmentForm(forms.ModelForm):
    class Meta:
        model = FalseCommitmentRecord
        fields = ("applicant", "case", "note")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        applicant, case = data.get("applicant"), data.get("case")
        if "note" in data and not data["note"].strip():
            self.add_error("note", _("请说明虚假承诺的情况。"))
        if applicant is not None and case is not None and case.applicant_id != applicant.pk:
            self.add_error("case", _("办件的申请人与记录对象不一致。"))
        return data


@admin.register(FalseCommitmentRecord)
class FalseCommitmentRecordAdmin(_ByRole):
    form = FalseCommitmentForm
    list_display = ("applicant", "case", "recorded_at", "recorded_by", "note")
    list_select_related = ("applicant", "case", "recorded_by")
    search_fields = ("applicant__full_name", "applicant__username", "case__number", "note")
    date_hierarchy = "recorded_at"
    raw_id_fields = ("applicant", "case")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _holds_any(request, INSPECT + FALSE_COMMITMENT_RECORDERS)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _holds_any(request, INSPECT + FALSE_COMMITMENT_RECORDERS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _holds_any(request, FALSE_COMMITMENT_RECORDERS)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else ("applicant", "case", "note", "recorded_at", "recorded_by")

    def save_model(
        self, request: HttpRequest, obj: FalseCommitmentRecord, form: Any, change: bool
    ) -> None:
        if change:
            return
        created = services.false_commitment_record(
            applicant=obj.applicant,
            case=obj.case,
            note=obj.note,
            recorded_by=request.user,
        )
        obj.pk = created.pk
        obj.recorded_at = created.recorded_at
        obj.recorded_by = created.recorded_by
