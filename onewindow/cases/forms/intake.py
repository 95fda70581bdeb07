"""Forms of the window intake pages: the three decisions, walk-in registration, a supplied file.

Forms only parse and check what was typed; the rules (tolerance per category, one correction
notice, sign-off, reasons) are enforced by the services, whose messages the views show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.accounts.models import ApplicantKind
from onewindow.accounts.roles import Perm, has_perm
from onewindow.cases import fields as form_fields
from onewindow.cases.models import Case, CaseMaterial, FieldType, MaterialStatus
from onewindow.cases.services import MaterialFinding, WalkInApplicant
from onewindow.cases.services.fees import FeeCharge, case_fee_standards
from onewindow.catalog.models import Region

# A clerk typing a signer's password wrongly this many times waits before trying again.
SIGN_OFF_ATTEMPTS = 5
SIGN_OFF_LOCK_SECONDS = 15 * 60
REMARK_MAX = 500


@dataclass(frozen=True)
class SignOffProblem:
    field: str  # signer_username or signer_password
    message: str


def signer_authenticate(
    request: HttpRequest, username: str, password: str
) -> tuple[Any, SignOffProblem | None]:
    """The signer of a second correction notice, authenticated on the clerk's form (or API call).

    Wrong passwords are counted per clerk: after ``SIGN_OFF_ATTEMPTS`` the clerk waits, so the
    form cannot be used to guess a supervisor's password.
    """
    key = f"intake:sign-off-failures:{request.user.pk}"
    if (cache.get(key) or 0) >= SIGN_OFF_ATTEMPTS:
        return None, SignOffProblem(
            "signer_password", _("签批人密码错误次数过多，请 15 分钟后再试。")
        )
    signer = authenticate(request, username=username, password=password)
    if signer is None:
        cache.set(key, (cache.get(key) or 0) + 1, SIGN_OFF_LOCK_SECONDS)
        return None, SignOffProblem("signer_password", _("签批人用户名或密码不正确。"))
    if not has_perm(signer, Perm.CORRECTION_SIGN_OFF):
        return None, SignOffProblem("signer_username", _("该账号没有签批补正告知的权限。"))
    cache.delete(key)
    return signer, None


class DecisionForm(forms.Form):
    """The case's revision when the page was shown: a decision on a changed case is refused."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["revision"].initial = case.revision

    def stale(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data["revision"] != self.case.revision)


class AcceptForm(DecisionForm):
    """受理; with tolerated non-core materials ticked it is 容缺受理 (docs/rules/licensing.md §G2)."""

    tolerated = forms.TypedMultipleChoiceField(
        label=gettext_lazy("容缺后补的次要材料"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    commitment_due = forms.DateField(
        label=gettext_lazy("补齐期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("请输入有效的日期，格式如 2026-05-18。")},
    )

    def __init__(
        self, *args: Any, case: Case, lines: list[CaseMaterial], latest_due: dt.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, case=case, **kwargs)
        tolerated = self.fields["tolerated"]
        assert isinstance(tolerated, forms.TypedMultipleChoiceField)
        tolerated.choices = [(line.pk, _choice_label(line)) for line in lines]
        self.fields["commitment_due"].initial = latest_due
        self.fields["commitment_due"].help_text = _(
            "默认且最迟为承诺办结期限 %(d)s；仅在勾选容缺材料时适用。"
        ) % {"d": latest_due}

    def tolerated_ids(self) -> list[int]:
        return list(self.cleaned_data.get("tolerated") or [])

    def due(self) -> dt.date | None:
        return self.cleaned_data.get("commitment_due") if self.tolerated_ids() else None


def _choice_label(line: CaseMaterial) -> str:
    if line.files.all():
        return line.material.name
    return _("%(m)s（未上传）") % {"m": line.material.name}


PROBLEM_CHOICES = [
    ("", gettext_lazy("无问题")),
    (MaterialStatus.MISSING.value, MaterialStatus.MISSING.label),
    (MaterialStatus.DEFECTIVE.value, MaterialStatus.DEFECTIVE.label),
]


class CorrectionForm(DecisionForm):
    """一次性告知: a problem and a remark per material, all in one notice (ALL Art. 32).

    From the second notice on, a supervisor (or the department's chief representative) signs it
    off on the same form with their own username and password and a reason.
    """

    def __init__(
        self,
        *args: Any,
        case: Case,
        lines: list[CaseMaterial],
        request: HttpRequest,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.request = request
        self.lines = lines
        for line in lines:
            self.fields[f"problem_{line.pk}"] = forms.ChoiceField(
                label=line.material.name, choices=PROBLEM_CHOICES, required=False
            )
            self.fields[f"remark_{line.pk}"] = forms.CharField(
                label=_("“%(m)s”的补正要求") % {"m": line.material.name},
                required=False,
                max_length=REMARK_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.needs_sign_off = case.correction_count >= 1
        if self.needs_sign_off:
            self._add_sign_off_fields()
        self.signer: Any = None

    def _add_sign_off_fields(self) -> None:
        self.fields["signer_username"] = forms.CharField(
            label=_("签批人用户名"),
            max_length=150,
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
            error_messages={"required": _("第二次补正告知须由监察人员或首席代表签批。")},
        )
        self.fields["signer_password"] = forms.CharField(
            label=_("签批人密码"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
            error_messages={"required": _("请签批人输入本人密码。")},
        )
        self.fields["sign_off_reason"] = forms.CharField(
            label=_("签批理由"),
            max_length=REMARK_MAX,
            widget=forms.Textarea(attrs={"rows": 2}),
            error_messages={"required": _("请填写第二次补正告知的签批理由。")},
        )

    def rows(self) -> list[tuple[CaseMaterial, forms.BoundField, forms.BoundField]]:
        return [
            (line, self[f"problem_{line.pk}"], self[f"remark_{line.pk}"]) for line in self.lines
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = 0
        for line in self.lines:
            problem = data.get(f"problem_{line.pk}")
            remark = (data.get(f"remark_{line.pk}") or "").strip()
            if problem:
                chosen += 1
                if not remark:
                    self.add_error(
                        f"remark_{line.pk}",
                        _("请写明“%(m)s”需要如何补正。") % {"m": line.material.name},
                    )
            elif remark:
                self.add_error(
                    f"problem_{line.pk}",
                    _("请为“%(m)s”选择“缺少”或“不符合要求”。") % {"m": line.material.name},
                )
        if not chosen:
            raise ValidationError(_("补正告知须至少列明一项缺少或不符合要求的材料。"))
        if self.needs_sign_off and data.get("signer_username") and data.get("signer_password"):
            self.signer = self._authenticate_signer(
                data["signer_username"], data["signer_password"]
            )
        return data

    def _authenticate_signer(self, username: str, password: str) -> Any:
        signer, problem = signer_authenticate(self.request, username, password)
        if problem:
            self.add_error(problem.field, problem.message)
        return signer

    def findings(self) -> list[MaterialFinding]:
        return [
            MaterialFinding(
                case_material_id=line.pk,
                problem=self.cleaned_data[f"problem_{line.pk}"],
                remark=self.cleaned_data[f"remark_{line.pk}"].strip(),
            )
            for line in self.lines
            if self.cleaned_data.get(f"problem_{line.pk}")
        ]


class RejectForm(DecisionForm):
    """不予受理: reasons are mandatory; the appeal rights are printed automatically."""

    reasons = forms.CharField(
        label=gettext_lazy("不予受理的理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("不予受理必须说明理由。")},
    )
    competent_agency = forms.CharField(
        label=gettext_lazy("有权受理的行政机关（选填）"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("申请事项依法不属于本机关职权范围时，写明应向哪个机关申请。"),
    )


class FulfilForm(forms.Form):
    """The tolerated material the applicant brought, scanned at the window."""

    file = forms.FileField(
        label=gettext_lazy("补齐的材料（PDF、JPEG 或 PNG）"),
        error_messages={"required": gettext_lazy("请选择补齐材料的扫描文件。")},
    )


# --- walk-in registration ---------------------------------------------------------------------


class WalkInForm(forms.Form):
    """The applicant, the region and the item's application form, typed by the clerk.

    The item's own fields come from ``cases.fields`` (the same schema and validation as the
    online form); address fields are entered in four parts.
    """

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    applicant_kind = forms.ChoiceField(
        label=gettext_lazy("申请人类型"),
        choices=ApplicantKind.choices,
        widget=forms.RadioSelect,
        initial=ApplicantKind.PERSON,
    )
    id_number = forms.CharField(
        label=gettext_lazy("身份证号（自然人）"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    credit_code = forms.CharField(
        label=gettext_lazy("统一社会信用代码（法人）"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    confirm_credit_code = forms.BooleanField(
        label=gettext_lazy("校验位不符时：已核对营业执照，确认代码无误"),
        required=False,
    )
    full_name = forms.CharField(
        label=gettext_lazy("姓名或单位名称"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("已登记的申请人须与登记的名称一致；新申请人必填。"),
    )
    legal_representative = forms.CharField(
        label=gettext_lazy("法定代表人（法人新登记时必填）"), required=False, max_length=100
    )
    phone = forms.CharField(
        label=gettext_lazy("手机号码（新登记时必填）"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    region = forms.ModelChoiceField(
        label=gettext_lazy("办理区域"),
        queryset=Region.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": gettext_lazy("请选择该事项的办理区域。")},
    )

    APPLICANT_FIELDS = (
        "applicant_kind",
        "id_number",
        "credit_code",
        "confirm_credit_code",
        "full_name",
        "legal_representative",
        "phone",
    )

    def __init__(
        self, *args: Any, specs: list[form_fields.FieldSpec], regions: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.specs = specs
        region = self.fields["region"]
        assert isinstance(region, forms.ModelChoiceField)
        region.queryset = regions
        for spec in specs:
            for name, field in _spec_fields(spec):
                self.fields[name] = field
        self.form_data: dict[str, Any] = {}

    def application_fields(self) -> list[forms.BoundField]:
        names = [name for spec in self.specs for name, _f in _spec_fields(spec)]
        return [self[name] for name in names]

    def applicant_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.APPLICANT_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("applicant_kind")
        if kind == ApplicantKind.PERSON and not data.get("id_number", "").strip():
            self.add_error("id_number", _("请填写申请人的身份证号。"))
        if kind == ApplicantKind.ENTERPRISE and not data.get("credit_code", "").strip():
            self.add_error("credit_code", _("请填写统一社会信用代码。"))
        raw = {spec.name: _raw_value(spec, data) for spec in self.specs}
        try:
            self.form_data = form_fields.validate(self.specs, raw)
        except form_fields.FormInvalid as exc:
            for name, messages in exc.errors.items():
                self.add_error(_first_input(name, self.specs, self.fields), messages)
        return data

    def applicant(self) -> WalkInApplicant:
        data = self.cleaned_data
        person = data["applicant_kind"] == ApplicantKind.PERSON
        return WalkInApplicant(
            kind=data["applicant_kind"],
            full_name=data.get("full_name", ""),
            id_number=data.get("id_number", "") if person else "",
            credit_code="" if person else data.get("credit_code", ""),
            legal_representative=data.get("legal_representative", ""),
            phone=data.get("phone", ""),
            confirm_credit_code=bool(data.get("confirm_credit_code")),
        )

    def set_service_errors(self, exc: ValidationError) -> None:
        """Put the applicant service's field errors on the matching fields."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, errors in exc.error_dict.items():
            self.add_error(name if name in self.fields else None, errors)


def _spec_fields(spec: form_fields.FieldSpec) -> list[tuple[str, forms.Field]]:
    """The inputs of one application field (an address has four)."""
    label, help_text = spec.label, spec.help
    if spec.type == FieldType.ADDRESS:
        return [
            (
                f"f_{spec.name}__{part}",
                forms.CharField(
                    label=f"{label}（{form_fields.ADDRESS_PART_LABELS[part]}）",
                    required=False,
                    help_text=help_text if part == "province" else "",
                ),
            )
            for part in form_fields.ADDRESS_PARTS
        ]
    field: forms.Field
    if spec.type == FieldType.CHOICE:
        field = forms.ChoiceField(
            label=label,
            required=False,
            help_text=help_text,
            choices=[("", _("请选择")), *((c, c) for c in spec.choices)],
        )
    elif spec.type == FieldType.DATE:
        field = forms.CharField(
            label=label,
            required=False,
            help_text=help_text,
            widget=forms.DateInput(attrs={"type": "date"}),
        )
    elif spec.type == FieldType.NUMBER:
        field = forms.CharField(
            label=label,
            required=False,
            help_text=help_text,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        )
    else:
        long_text = (spec.max_length or form_fields.TEXT_MAX) > form_fields.TEXT_MAX
        field = forms.CharField(
            label=label,
            required=False,
            help_text=help_text,
            strip=False,
            widget=forms.Textarea(attrs={"rows": 3}) if long_text else forms.TextInput,
        )
    return [(f"f_{spec.name}", field)]


def _raw_value(spec: form_fields.FieldSpec, data: dict[str, Any]) -> Any:
    if spec.type == FieldType.ADDRESS:
        return {part: data.get(f"f_{spec.name}__{part}", "") for part in form_fields.ADDRESS_PARTS}
    return data.get(f"f_{spec.name}", "")


def _first_input(name: str, specs: list[form_fields.FieldSpec], fields: dict[str, Any]) -> Any:
    spec = next((s for s in specs if s.name == name), None)
    if spec is None:
        return None
    if spec.type == FieldType.ADDRESS:
        return f"f_{spec.name}__{form_fields.ADDRESS_PARTS[0]}"
    return f"f_{spec.name}" if f"f_{spec.name}" in fields else None


OFF_LIST = "off"


class FeeForm(forms.Form):
    """收费登记: a line of the item's fee list, or a charge off the list (named; it is recorded
    as it happened and gets a red card from electronic supervision)."""

    fee = forms.ChoiceField(
        label=gettext_lazy("收费项目"),
        error_messages={"required": gettext_lazy("请选择收费项目。")},
    )
    name = forms.CharField(
        label=gettext_lazy("清单外收费项目名称"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("仅在收取收费清单以外的费用时填写；清单外收费将被电子监察发红牌。"),
    )
    quantity = forms.IntegerField(
        label=gettext_lazy("数量"),
        initial=1,
        min_value=1,
        max_value=9999,
        error_messages={
            "required": gettext_lazy("请填写数量。"),
            "invalid": gettext_lazy("数量须为 1 至 9999 之间的整数。"),
            "min_value": gettext_lazy("数量须为 1 至 9999 之间的整数。"),
            "max_value": gettext_lazy("数量须为 1 至 9999 之间的整数。"),
        },
    )
    amount = forms.DecimalField(
        label=gettext_lazy("实收金额（元）"),
        max_digits=10,
        decimal_places=2,
        error_messages={
            "required": gettext_lazy("请填写实收金额。"),
            "invalid": gettext_lazy("实收金额须为数字，例如 10 或 12.50。"),
            "max_digits": gettext_lazy("实收金额最多两位小数，且不超过 99999999.99 元。"),
            "max_decimal_places": gettext_lazy("实收金额最多两位小数，且不超过 99999999.99 元。"),
            "max_whole_digits": gettext_lazy("实收金额最多两位小数，且不超过 99999999.99 元。"),
        },
    )
    receipt = forms.CharField(label=gettext_lazy("票据号（选填）"), required=False, max_length=50)
    charged_on = forms.DateField(
        label=gettext_lazy("收费日期（默认今天）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("请按“年-月-日”填写收费日期。")},
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fees = case.item_version.fees.order_by("sort", "pk")
        # docs/rules/delegation.md §V5: a district bureau's case shows the district's standard.
        standards = case_fee_standards(case)
        field = self.fields["fee"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (
                str(fee.pk),
                f"{fee.name}({standards.get(fee.pk, fee.amount)} 元"
                f"{'/' + fee.unit if fee.unit else ''})",
            )
            for fee in fees
        ] + [(OFF_LIST, str(gettext_lazy("清单外收费（须填写项目名称）")))]

    def charge(self) -> FeeCharge:
        data = self.cleaned_data
        off = data["fee"] == OFF_LIST
        return FeeCharge(
            amount=data["amount"],
            fee_id=None if off else int(data["fee"]),
            name=data["name"] if off else "",
            quantity=data["quantity"],
            receipt=data["receipt"],
            charged_on=data["charged_on"],
        )
