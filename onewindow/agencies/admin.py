"""The agency registry in the Django admin (docs/rules/agencies.md §I1, §I4): agencies with their
qualifications, fee standards, staff and accounts, service types and items' requirements. The
selection records, ratings, assessments and violations are read-only (they change only through
the services)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from onewindow.agencies import services
from onewindow.agencies.models import (
    Agency,
    AgencyAccount,
    AgencyStaff,
    Assessment,
    FeeStandard,
    Qualification,
    Selection,
    ServiceRequirement,
    ServiceType,
    Violation,
)
from onewindow.core.errors import Invalid
from onewindow.core.readonly_admin import ReadOnlyAdmin


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = [
            "name",
            "credit_code",
            "status",
            "status_reason",
            "promised_days",
            "address",
            "contact",
            "phone",
            "intro",
            "service_types",
            "departments",
            "items",
        ]

    def clean_credit_code(self) -> str:
        try:
            return services.credit_code_check(self.cleaned_data.get("credit_code", ""))
        except Invalid as err:
            raise ValidationError(err.errors["credit_code"]) from err


class QualificationInline(admin.TabularInline):
    model = Qualification
    extra = 0


class FeeInline(admin.TabularInline):
    model = FeeStandard
    extra = 0


class StaffInline(admin.TabularInline):
    model = AgencyStaff
    extra = 0


class AccountInline(admin.TabularInline):
    model = AgencyAccount
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyForm
    list_display = ("name", "credit_code", "status", "grade", "promised_days")
    list_filter = ("status", "grade", "service_types")
    search_fields = ("name", "credit_code")
    filter_horizontal = ("service_types", "departments")
    raw_id_fields = ("items",)
    readonly_fields = ("grade",)
    inlines = [QualificationInline, FeeInline, StaffInline, AccountInline]


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(ServiceRequirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ("item", "service_type", "qualification_name", "department_selects")
    raw_id_fields = ("item",)


@admin.register(Selection)
class SelectionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "case", "requirement", "method", "status", "agency", "chosen_at")
    list_filter = ("method", "status")


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("agency", "period_start", "period_end", "score", "grade")


@admin.register(Violation)
class ViolationAdmin(ReadOnlyAdmin):
    list_display = ("agency", "occurred_on", "suspended")
