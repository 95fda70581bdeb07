"""Forms of the decision pages. They parse input only; the rules live in review/decisions.py.

Every form carries the case revision the page was shown with: a post on a case that changed in
between is refused (409) and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from onewindow.cases.models import Case
from onewindow.review.models import DecisionKind, SuspensionKind
from onewindow.review.services.decisions import MAX_EXPECTED_DAYS, TEXT_MAX


class RevisionForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["revision"].initial = case.revision

    def stale(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data["revision"] != self.case.revision)


def _text(label: Any, *, required: bool = False, rows: int = 4, help_text: Any = "") -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class DecisionMakeForm(RevisionForm):
    """准予 / 不予行政许可. Reasons and remedies are checked by the service (Art. 38)."""

    kind = forms.ChoiceField(
        label=gettext_lazy("审批决定"),
        choices=DecisionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择准予或不予行政许可。")},
    )
    reasons = _text(
        gettext_lazy("理由"),
        help_text=gettext_lazy(
            "不予许可必须说明理由；有部门提出不同意意见的，其意见将被引用在决定书中。"
        ),
    )
    remedies = _text(
        gettext_lazy("救济途径"),
        rows=3,
        help_text=gettext_lazy("不予许可时必须告知申请行政复议或者提起行政诉讼的权利，可修改。"),
    )
    conditions = _text(gettext_lazy("许可条件/附加说明"), rows=3)


class ExtensionRequestForm(RevisionForm):
    days = forms.IntegerField(
        label=gettext_lazy("延长（工作日）"),
        min_value=1,
        error_messages={
            "required": gettext_lazy("请填写延长的工作日数。"),
            "invalid": gettext_lazy("请填写整数。"),
            "min_value": gettext_lazy("延长的期限须为正整数个工作日。"),
        },
    )
    reasons = _text(
        gettext_lazy("延期理由"),
        required=True,
        help_text=gettext_lazy("理由将写入延期告知书告知申请人。"),
    )


class ExtensionDecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=gettext_lazy("批示"),
        choices=[("1", gettext_lazy("批准延期")), ("0", gettext_lazy("不批准"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择批准或不批准。")},
    )
    note = _text(gettext_lazy("批示意见"), rows=2)


class SuspensionStartForm(RevisionForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("特别程序"),
        choices=SuspensionKind.choices,
        error_messages={"required": gettext_lazy("请选择特别程序。")},
    )
    reason = _text(gettext_lazy("事由"), required=True, rows=3)
    expected_days = forms.IntegerField(
        label=gettext_lazy("预计所需时间（工作日）"),
        min_value=1,
        max_value=MAX_EXPECTED_DAYS,
        error_messages={
            "required": gettext_lazy("请填写预计所需的工作日数。"),
            "invalid": gettext_lazy("请填写整数。"),
        },
    )


class SuspensionEndForm(RevisionForm):
    result = _text(gettext_lazy("结果"), required=True, rows=3)
