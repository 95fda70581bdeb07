"""Forms of the certificate pages; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.certificates.models import DeliveryMethodChoice


class SerialForm(forms.Form):
    # No length limit here: a too-long serial is just one that is not found.
    serial = forms.CharField(
        label=_("证书编号"),
        strip=True,
        error_messages={"required": _("请输入证书编号。")},
        help_text=_("例如 SCJG-2025-000001，印在证照上二维码旁。"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写理由。")},
        help_text=_("将告知持证人，并在公开核验页上显示。"),
    )


class DeliveryChoiceForm(forms.Form):
    method = forms.ChoiceField(
        label=_("送达方式"),
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择送达方式。")},
    )
    address = forms.CharField(label=_("邮寄地址"), max_length=300, required=False)
    phone = forms.CharField(label=_("收件电话"), max_length=30, required=False)

    def __init__(self, *args: Any, methods: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [  # type: ignore[attr-defined]
            (m, DeliveryMethodChoice(m).label) for m in methods
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") == DeliveryMethodChoice.POST:
            if not (data.get("address") or "").strip():
                self.add_error("address", _("邮寄送达请填写邮寄地址。"))
            if not (data.get("phone") or "").strip():
                self.add_error("phone", _("邮寄送达请填写收件电话。"))
        return data


class HandoverForm(forms.Form):
    receiver_name = forms.CharField(
        label=_("领取人姓名"), max_length=100, error_messages={"required": _("请填写领取人姓名。")}
    )
    receiver_id_number = forms.CharField(
        label=_("领取人身份证号"),
        max_length=30,
        error_messages={"required": _("请填写领取人身份证号。")},
        help_text=_("核对领取人身份证原件；代领的须同时核验委托书。"),
    )


class SendForm(forms.Form):
    carrier = forms.CharField(
        label=_("快递公司"), max_length=50, error_messages={"required": _("请填写快递公司。")}
    )
    tracking_number = forms.CharField(
        label=_("运单号"), max_length=50, error_messages={"required": _("请填写运单号。")}
    )
