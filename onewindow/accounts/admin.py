"""The center administrator manages users here (docs/product.md §C2, §C16).

Staff and agent accounts are created here with their role, department and windows. ``is_staff``
(the admin site) follows the role: only the admin role and superusers get it. Only a superuser
may see or change superusers. Every save goes through ``services.user_admin_save``; the forms
below give the clear error first, the service re-checks.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
    UsernameField,
)
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.accounts import services, validators
from onewindow.accounts.forms import ChinesePasswordErrors
from onewindow.accounts.models import User, identity_q
from onewindow.accounts.roles import (
    ADMINISTRATOR_ROLES,
    DEPARTMENT_ROLES,
    REGION_ROLES,
    STAFF_ROLES,
    Role,
)
from onewindow.accounts.selectors import users_pending_credit_code
from onewindow.lib.idnumbers import normalise

IDENTITY_FIELDS = ("full_name", "email", "phone")
POST_FIELDS = ("role", "department", "region", "windows")
APPLICANT_FIELDS = ("applicant_kind", "id_number", "credit_code", "legal_representative")
CREDIT_CODE_REVIEW_FIELDS = (
    "credit_code_check_failed",
    "credit_code_confirmed",
    "credit_code_confirmed_by",
    "credit_code_confirmed_at",
)


class _UserChecks(forms.ModelForm):
    """Checks shared by the add and change forms, run before the database constraints."""

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "")
        return validators.citizen_id_clean(value) if value else ""

    def clean_credit_code(self) -> str:
        value = self.cleaned_data.get("credit_code", "")
        # Staff may enter a code failing its check digit: it is flagged for confirmation.
        return validators.credit_code_clean(value, confirmed=True)[0] if value else ""

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "")
        return validators.mobile_clean(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role", getattr(self.instance, "role", ""))
        if role in DEPARTMENT_ROLES and "department" in self.fields and not data.get("department"):
            message = _("“%(role)s”必须指定所属部门。") % {"role": Role(role).label}
            self.add_error("department", ValidationError(message, code="department"))
        # docs/rules/delegation.md §V3, §V4: a region administrator or a point's staff needs a region.
        if role in REGION_ROLES and "region" in self.fields and not data.get("region"):
            message = _("“%(role)s”必须指定所属区域。") % {"role": Role(role).label}
            self.add_error("region", ValidationError(message, code="region"))
        if data.get("windows") and role not in STAFF_ROLES:
            self.add_error("windows", _("只有工作人员可以分配窗口。"))
        # docs/decisions.md §S9: the same refusal as services.user_admin_save, as a form error
        before = self.instance.role if self.instance.pk else None
        if (
            role
            and role != before
            and (role in ADMINISTRATOR_ROLES or before in ADMINISTRATOR_ROLES)
        ):
            self.add_error("role", services.administrator_role_message())
        return data


class UserAddForm(ChinesePasswordErrors, _UserChecks, AdminUserCreationForm):  # type: ignore[misc]
    class Meta:
        model = User
        fields = ("username", *IDENTITY_FIELDS, *POST_FIELDS)
        field_classes = {"username": UsernameField}


class UserEditForm(_UserChecks, UserChangeForm):  # type: ignore[misc]
    class Meta:
        model = User
        fields = (
            "username",
            "password",
            *IDENTITY_FIELDS,
            *POST_FIELDS,
            "is_active",
            "is_superuser",
            *APPLICANT_FIELDS,
        )
        field_classes = {"username": UsernameField}


class PasswordSetForm(ChinesePasswordErrors, AdminPasswordChangeForm):  # type: ignore[misc]
    pass


class CreditCodeFilter(admin.SimpleListFilter):
    title = gettext_lazy("统一社会信用代码")
    parameter_name = "credit_code_status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("pending", _("校验位异常，待人工确认")), ("confirmed", _("校验位异常，已确认"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() == "pending":
            return queryset & users_pending_credit_code()
        if self.value() == "confirmed":
            return queryset.filter(credit_code_check_failed=True, credit_code_confirmed=True)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    change_password_form = PasswordSetForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (gettext_lazy("基本信息"), {"fields": IDENTITY_FIELDS}),
        (
            gettext_lazy("岗位与权限"),
            {"fields": (*POST_FIELDS, "is_active", "is_staff", "is_superuser")},
        ),
        (
            gettext_lazy("申请人信息"),
            {"fields": (*APPLICANT_FIELDS, *CREDIT_CODE_REVIEW_FIELDS)},
        ),
        (gettext_lazy("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (gettext_lazy("基本信息"), {"fields": IDENTITY_FIELDS}),
        (gettext_lazy("岗位"), {"fields": POST_FIELDS}),
    )
    readonly_fields = ("is_staff", *CREDIT_CODE_REVIEW_FIELDS, "last_login", "date_joined")
    list_display = (
        "username",
        "full_name",
        "role",
        "department",
        "applicant_kind",
        "credit_code_status",
        "is_active",
        "is_staff",
    )
    list_filter = ("role", "department", "applicant_kind", CreditCodeFilter, "is_active")
    list_select_related = ("department",)
    # ID and mobile numbers are sealed (docs/rules/privacy.md §P1): found by their blind index
    # when the search term is a whole number, in get_search_results below
    search_fields = ("username", "full_name", "credit_code", "email")
    ordering = ("username",)
    filter_horizontal = ("windows",)
    actions = ["confirm_credit_codes"]

    @admin.display(description=gettext_lazy("信用代码校验"))
    def credit_code_status(self, obj: User) -> str:
        if not obj.credit_code_check_failed:
            return ""
        return _("已人工确认") if obj.credit_code_confirmed else _("待人工确认")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = normalise(search_term)
        if term:
            found |= queryset.filter(identity_q("id_number", term) | identity_q("phone", term))
        return found, duplicates

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # docs/decisions.md §S9: the security and the audit administrator are out of the system
        # administrator's reach (their accounts are the security administrator's business).
        queryset = (
            super().get_queryset(request).exclude(role__in=[Role.SECURITY_ADMIN, Role.AUDITOR])
        )
        return queryset if request.user.is_superuser else queryset.filter(is_superuser=False)

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """The role list offers no administrator role: the security administrator grants those."""
        if db_field.name == "role":
            kwargs["choices"] = [
                (value, label)
                for value, label in Role.choices
                if value not in (Role.SECURITY_ADMIN, Role.AUDITOR)
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else (*fields, "is_superuser")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._may_touch(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_touch(request, obj)

    @staticmethod
    def _may_touch(request: HttpRequest, obj: Any) -> bool:
        """Only superusers change superusers (their password included)."""
        return obj is None or not obj.is_superuser or request.user.is_superuser

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        services.user_admin_save(user=obj, actor=cast(User, request.user))

    @admin.action(
        description=gettext_lazy("确认所选账号的统一社会信用代码与营业执照一致"),
        permissions=["change"],
    )
    def confirm_credit_codes(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        staff = cast(User, request.user)
        pending = list(queryset & users_pending_credit_code())
        for user in pending:
            services.credit_code_confirm(user=user, confirmed_by=staff)
        skipped = queryset.count() - len(pending)
        if pending:
            self.message_user(
                request,
                ngettext(
                    "已确认 %(count)d 个账号的统一社会信用代码。",
                    "已确认 %(count)d 个账号的统一社会信用代码。",
                    len(pending),
                )
                % {"count": len(pending)},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                _("%(count)d 个账号无需确认，已跳过。") % {"count": skipped},
                messages.WARNING,
            )


# docs/decisions.md §S6, §S9: second factors are managed on the security administrator's console
# (reset), never in the system administrator's Django admin, which would show or edit a device.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
