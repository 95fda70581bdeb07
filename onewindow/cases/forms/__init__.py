"""Page forms of the online application. They only parse input: the rules live in
``fields.validate`` (the per-item schema) and in the services, which the API shares."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases import fields as form_fields
from onewindow.cases.errors import CaseError
from onewindow.cases.fields import ADDRESS_PART_LABELS, ADDRESS_PARTS, FieldSpec, FormInvalid
from onewindow.cases.models import ApprovalRoute, Case, CaseStatus, FieldType
from onewindow.cases.services import CommitmentSignature
from onewindow.catalog.models import Region

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,100}$")
LONG_TEXT = 200  # text fields allowing more than this get a text area


def token_new() -> str:
    """A one-time submission token for a form (the idempotency key of its submission)."""
    return secrets.token_urlsafe(24)


def token_clean(value: str) -> str:
    if not TOKEN_PATTERN.match(value or ""):
        raise CaseError(_("表单已失效，请刷新页面后重新提交。"))
    return value


# --- the per-item application form ------------------------------------------------------------


class AddressWidget(forms.MultiWidget):
    """Province, city, district and street address in four inputs."""

    template_name = "cases/apply/widgets/address.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            part: forms.TextInput(attrs={"autocomplete": AUTOCOMPLETE[part]})
            for part in ADDRESS_PARTS
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str]:
        if isinstance(value, dict):
            return [str(value.get(part, "")) for part in ADDRESS_PARTS]
        # A one-line address (API clients may send one) goes to the street-address input.
        return ["", "", "", str(value or "")]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        labels = [ADDRESS_PART_LABELS[part] for part in ADDRESS_PARTS]
        context["parts"] = list(zip(context["widget"]["subwidgets"], labels, strict=True))
        return context


AUTOCOMPLETE = {
    "province": "address-level1",
    "city": "address-level2",
    "district": "address-level3",
    "detail": "street-address",
}


class AddressField(forms.MultiValueField):
    """Four parts in, one value out: the parts, or the street line alone as a one-line address."""

    widget = AddressWidget

    def __init__(self, **kwargs: Any) -> None:
        parts = [forms.CharField(required=False, strip=False) for _ in ADDRESS_PARTS]
        kwargs["required"] = False
        super().__init__(parts, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[str]) -> Any:
        values = dict(zip(ADDRESS_PARTS, data_list or ["", "", "", ""], strict=True))
        if not any((values[part] or "").strip() for part in ADDRESS_PARTS[:3]):
            return values["detail"] or ""
        return values


def _form_field(spec: FieldSpec) -> forms.Field:
    """Raw input only (no rules of its own); ``fields.validate`` judges every value."""
    label = _("%(label)s（必填）") % {"label": spec.label} if spec.required else spec.label
    common: dict[str, Any] = {"label": label, "required": False, "help_text": spec.help}
    field: forms.Field
    if spec.type == FieldType.ADDRESS:
        field = AddressField(**common)
    elif spec.type == FieldType.CHOICE:
        options = [("", _("请选择")), *((c, c) for c in spec.choices)]
        field = forms.CharField(widget=forms.Select(choices=options), **common)
    elif spec.type == FieldType.DATE:
        field = forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    elif spec.type == FieldType.NUMBER:
        field = forms.CharField(
            widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}), **common
        )
    else:
        long = (spec.max_length or form_fields.TEXT_MAX) > LONG_TEXT
        widget = forms.Textarea(attrs={"rows": 3}) if long else forms.TextInput()
        field = forms.CharField(widget=widget, strip=False, **common)
        if spec.text_format:
            field.widget.attrs["inputmode"] = "tel" if spec.text_format == "phone" else "numeric"
    if spec.required:
        field.widget.attrs["aria-required"] = "true"
    return field


class ApplicationForm(forms.Form):
    """The item's own fields. ``complete`` (submitting) also demands every required field."""

    def __init__(
        self, *args: Any, specs: list[FieldSpec], complete: bool = False, **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "form")
        super().__init__(*args, **kwargs)
        self.specs = specs
        self.complete = complete
        self.form_data: dict[str, Any] = {}
        for spec in specs:
            self.fields[spec.name] = _form_field(spec)
            self.fields[spec.name].spec = spec  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raw = {spec.name: cleaned.get(spec.name) for spec in self.specs}
        try:
            self.form_data = form_fields.validate(self.specs, raw, partial=not self.complete)
        except FormInvalid as err:
            self.add_invalid(err)
        return cleaned

    def add_invalid(self, err: FormInvalid) -> None:
        """Show a service's FormInvalid next to the fields it names."""
        for name, messages in err.errors.items():
            self.add_error(name if name in self.fields else None, messages)


def _route_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("审批方式"),
        choices=ApprovalRoute.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择审批方式。"),
            "invalid_choice": _("请选择有效的审批方式。"),
        },
    )


class RouteForm(forms.Form):
    """告知承诺制 or the ordinary route, offered only for items that allow the former (G1)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["route"] = _route_field()


class CommitmentForm(forms.Form):
    """The applicant's tick and typed name under the 告知承诺书."""

    agreed = forms.BooleanField(
        label=gettext_lazy("我已阅读告知承诺书，作出上述承诺，并知晓虚假承诺的法律责任"),
        required=False,
    )
    signature = forms.CharField(
        label=gettext_lazy("承诺人签名（请输入申请人姓名或名称）"), required=False, max_length=200
    )


def materials_from_post(
    request: HttpRequest, line_ids: list[int]
) -> tuple[dict[int, list[Any]], dict[int, list[int]]]:
    """The files chosen per checklist line and the documents on file picked for reuse."""
    uploads = {pk: request.FILES.getlist(f"files-{pk}") for pk in line_ids}
    reuse: dict[int, list[int]] = {}
    for pk in line_ids:
        values = request.POST.getlist(f"reuse-{pk}")
        if any(not v.isascii() or not v.isdigit() for v in values):
            raise CaseError(_("所选的已有材料无效，请刷新页面后重新选择。"))
        reuse[pk] = [int(v) for v in values]
    return {k: v for k, v in uploads.items() if v}, {k: v for k, v in reuse.items() if v}


# --- start and withdraw -----------------------------------------------------------------------


class StartForm(forms.Form):
    """Where to apply, for whom (agents), and by which route."""

    region = forms.ModelChoiceField(
        label=gettext_lazy("办理区域"),
        queryset=Region.objects.none(),
        empty_label=None,
        error_messages={
            "required": gettext_lazy("请选择办理区域。"),
            "invalid_choice": gettext_lazy("所选区域不办理该事项，请重新选择。"),
        },
    )

    def __init__(
        self,
        *args: Any,
        regions: Any,
        applicants: Any = None,
        commitment_allowed: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        region_field: Any = self.fields["region"]
        region_field.queryset = regions
        if applicants is not None:
            self.fields["applicant"] = forms.ModelChoiceField(
                label=_("委托人（申请人）"),
                queryset=applicants,
                empty_label=_("请选择委托您办理的申请人"),
                help_text=_("只列出委托您办理该事项、且委托仍在有效期内的申请人。"),
                error_messages={
                    "required": _("请选择委托人。"),
                    "invalid_choice": _("所选申请人没有委托您办理该事项。"),
                },
            )
        if commitment_allowed:
            self.fields["route"] = _route_field()
            self.initial.setdefault("route", ApprovalRoute.STANDARD)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("撤回理由（选填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": gettext_lazy("撤回理由最多 500 个字。")},
    )


@dataclass
class ApplicationForms:
    """The forms on one application page: the item's fields (drafts only), the route choice
    (items allowing 告知承诺制) and the commitment signature."""

    application: ApplicationForm | None
    route: RouteForm | None
    commitment: CommitmentForm

    @classmethod
    def for_case(
        cls, case: Case, specs: list[FieldSpec], data: Any = None, *, complete: bool = False
    ) -> ApplicationForms:
        """Unbound (initial values from the case) without ``data``, else bound to it."""
        draft = case.status == CaseStatus.DRAFT
        allowed = case.item_version.commitment_allowed
        if data is None:
            return cls(
                ApplicationForm(specs=specs, initial=case.form_data) if draft else None,
                RouteForm(initial={"route": case.route}) if draft and allowed else None,
                CommitmentForm(),
            )
        return cls(
            ApplicationForm(data, specs=specs, complete=complete) if draft else None,
            RouteForm(data) if draft and allowed else None,
            CommitmentForm(data),
        )

    def members(self) -> list[forms.Form | None]:
        return [self.application, self.route, self.commitment]

    def is_valid(self) -> bool:
        return all([f.is_valid() for f in self.members() if f is not None])

    def signature(self) -> CommitmentSignature:
        data = self.commitment.cleaned_data
        return CommitmentSignature(agreed=data["agreed"], signature=data["signature"])
