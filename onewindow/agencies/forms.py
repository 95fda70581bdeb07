"""Forms of the market's pages; the services check the rules (docs/rules/agencies.md)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.agencies.models import AgencyStatus, Method, ServiceType


class SearchForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    service_type = forms.ModelChoiceField(
        label=_("服务类型"),
        queryset=ServiceType.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("全部"),
    )


class SelectForm(forms.Form):
    requirement = forms.IntegerField(widget=forms.HiddenInput)
    method = forms.ChoiceField(label=_("选取方式"), choices=Method.choices)
    agency = forms.IntegerField(label=_("中介机构"), required=False)
    deadline = forms.DateTimeField(
        label=_("报价截止时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class BidForm(forms.Form):
    amount = forms.CharField(label=_("报价（元）"), max_length=20)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("拒绝理由"), max_length=500)


class ReportForm(forms.Form):
    file = forms.FileField(label=_("中介报告（PDF、JPEG 或 PNG）"))
    fee = forms.CharField(label=_("实收费用（元）"), max_length=20)


class ReviewForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("审查结论"),
        choices=[("1", _("采纳报告")), ("0", _("退回修改"))],
        coerce=lambda v: v == "1",
    )
    remark = forms.CharField(label=_("意见"), required=False, max_length=500)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("评分"), choices=[(n, str(n)) for n in range(5, 0, -1)], coerce=int
    )
    comment = forms.CharField(label=_("评价意见"), required=False, max_length=500)


class AgencyForm(forms.Form):
    name = forms.CharField(label=_("机构名称"), max_length=200)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30)
    promised_days = forms.IntegerField(label=_("承诺办理时限（工作日）"), initial=10)
    service_types = forms.ModelMultipleChoiceField(
        label=_("服务类型"), queryset=ServiceType.objects.all(), required=False
    )
    address = forms.CharField(label=_("地址"), required=False, max_length=200)
    contact = forms.CharField(label=_("联系人"), required=False, max_length=50)
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=30)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=AgencyStatus.choices)
    reason = forms.CharField(label=_("说明"), required=False, max_length=500)


class ViolationForm(forms.Form):
    occurred_on = forms.DateField(
        label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(label=_("违规情形"), widget=forms.Textarea, max_length=2000)
    suspend = forms.BooleanField(label=_("暂停服务"), required=False)


class AssessmentForm(forms.Form):
    period_start = forms.DateField(
        label=_("考核期自"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("考核期至"), widget=forms.DateInput(attrs={"type": "date"})
    )
