"""Forms of the account pages. They parse and check input; the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.accounts import validators
from onewindow.accounts.models import ApplicantKind, User
from onewindow.accounts.selectors import walk_in_record_find


class ChinesePasswordErrors:
    """For Django's password forms: validator messages through ``validators.password_check``."""

    cleaned_data: dict[str, Any]
    add_error: Any

    def validate_password_for_user(self, user: Any, password_field_name: str = "password2") -> None:
        password = self.cleaned_data.get(password_field_name)
        if password:
            try:
                validators.password_check(password, user)
            except ValidationError as error:
                self.add_error(password_field_name, error)


class PasswordChangeForm(ChinesePasswordErrors, auth_forms.PasswordChangeForm):
    pass


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form with our label: the backend accepts several kinds of login name."""

    error_messages = {
        "invalid_login": gettext_lazy("账号或密码不正确。请注意密码区分大小写。"),
        "inactive": gettext_lazy("该账号已停用。"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("账号")
        self.fields["username"].help_text = _(
            "用户名；申请人也可使用身份证号、统一社会信用代码或注册手机号。"
        )
        self.fields["password"].label = _("密码")


class RegistrationForm(forms.Form):
    """Fields and checks every applicant registration shares."""

    phone = forms.CharField(
        label=gettext_lazy("手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("电子邮箱（选填）"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=gettext_lazy("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )
    password_confirm = forms.CharField(
        label=gettext_lazy("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    kind: ApplicantKind

    def clean_phone(self) -> str:
        return validators.mobile_clean(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password, confirm = data.get("password"), data.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", _("两次输入的密码不一致。"))
        elif password:
            try:
                validators.password_check(password, self.applicant())
            except ValidationError as exc:
                self.add_error("password", exc)
        return data

    def applicant(self) -> User:
        """An unsaved user with the entered details, for the password similarity check."""
        data = self.cleaned_data
        return User(
            username=data.get("id_number") or data.get("credit_code") or "",
            full_name=data.get("full_name", ""),
            email=data.get("email", ""),
            applicant_kind=self.kind,
        )

    def set_service_errors(self, exc: ValidationError) -> None:
        """Put a service's field errors on the matching fields (others on the form)."""
        for field, errors in exc.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)


class PersonRegistrationForm(RegistrationForm):
    """A natural person (自然人) registers with a checked ID number (docs/rules/identity.md §F1)."""

    kind = ApplicantKind.PERSON

    full_name = forms.CharField(
        label=gettext_lazy("姓名"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=gettext_lazy("身份证号"),
        max_length=30,
        help_text=gettext_lazy("18位居民身份证号码，注册后用于登录。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    field_order = ["full_name", "id_number", "phone", "email", "password", "password_confirm"]

    def clean_full_name(self) -> str:
        return validators.full_name_clean(self.cleaned_data["full_name"])

    def clean_id_number(self) -> str:
        number = validators.citizen_id_clean(self.cleaned_data["id_number"])
        # A record made at the window may be claimed; the service checks name and phone.
        if walk_in_record_find(field="id_number", number=number) is None:
            validators.citizen_id_available(number)
        return number


class EnterpriseRegistrationForm(RegistrationForm):
    """An enterprise (法人) registers with a unified social credit code (docs/rules/identity.md §F2).

    A code failing only its check digit is refused with a warning until the applicant ticks
    ``confirm_credit_code``; the template shows that box only once the warning was given.
    """

    kind = ApplicantKind.ENTERPRISE

    full_name = forms.CharField(
        label=gettext_lazy("企业名称"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    credit_code = forms.CharField(
        label=gettext_lazy("统一社会信用代码"),
        max_length=30,
        help_text=gettext_lazy("营业执照上的18位代码，注册后用于登录。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    confirm_credit_code = forms.BooleanField(
        label=gettext_lazy("我确认该代码与营业执照一致"), label_suffix="", required=False
    )
    legal_representative = forms.CharField(label=gettext_lazy("法定代表人姓名"), max_length=100)

    field_order = [
        "full_name",
        "credit_code",
        "confirm_credit_code",
        "legal_representative",
        "phone",
        "email",
        "password",
        "password_confirm",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].label = _("联系电话（手机）")
        self.check_digit_failed = False
        # Shown once a check-digit warning was given, and kept while the box is ticked.
        self.show_confirm = bool(self.data.get("confirm_credit_code"))

    def clean_full_name(self) -> str:
        return validators.full_name_clean(self.cleaned_data["full_name"])

    def clean_legal_representative(self) -> str:
        name = " ".join(self.cleaned_data["legal_representative"].split())
        if not name:
            raise ValidationError(_("请填写法定代表人姓名。"), code="required")
        return name

    def clean_credit_code(self) -> str:
        code, self.check_digit_failed = validators.credit_code_clean(
            self.cleaned_data["credit_code"], confirmed=True
        )
        if walk_in_record_find(field="credit_code", number=code) is None:
            validators.credit_code_available(code)
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.check_digit_failed:
            self.show_confirm = True
            if not data.get("confirm_credit_code"):
                self.add_error("credit_code", validators.credit_code_unconfirmed())
                # The box answers the warning: screen readers read it out with the box.
                box = self.fields["confirm_credit_code"].widget
                box.attrs["aria-describedby"] = self["credit_code"].auto_id + "_error"
        return data

    def shown_fields(self) -> list[forms.BoundField]:
        """The visible fields, without the confirmation box until a warning asked for it."""
        return [
            f for f in self.visible_fields() if f.name != "confirm_credit_code" or self.show_confirm
        ]


class SecondFactorForm(forms.Form):
    """The code of the staff second factor (docs/decisions.md §S6)."""

    code = forms.CharField(
        label=gettext_lazy("动态口令"),
        max_length=32,
        help_text=gettext_lazy("验证器应用当前显示的6位数字；手机不在身边时可输入一个备用恢复码。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
