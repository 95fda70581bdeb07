"""Page forms of announcements and publicity; the services check the values again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.publicity.models import (
    BODY_MAX,
    CONTACT_MAX,
    OBJECTION_MAX,
    TITLE_MAX,
    AnnouncementCategory,
)

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX)
    category = forms.ChoiceField(label=_("栏目"), choices=AnnouncementCategory.choices)
    body = forms.CharField(
        label=_("正文"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "纯文本，不支持 HTML：空行分段；以“## ”开头的行为小标题，以“- ”开头的行为列表项。"
        ),
    )
    publish_at = forms.DateTimeField(
        label=_("发布时间"),
        input_formats=DATETIME_FORMATS,
        widget=DateTimeLocal(),
        required=False,
        help_text=_("留空为立即发布；填写将来的时间则到时自动显示。"),
    )
    expire_at = forms.DateTimeField(
        label=_("下线时间（选填）"),
        input_formats=DATETIME_FORMATS,
        widget=DateTimeLocal(),
        required=False,
    )
    published = forms.BooleanField(label=_("发布（公开显示）"), required=False)


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("异议内容"),
        max_length=OBJECTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请写明异议的事实和理由，最多 2000 个字。"),
    )
    contact = forms.CharField(
        label=_("联系方式（选填）"),
        max_length=CONTACT_MAX,
        required=False,
        help_text=_("答复将通过您账户登记的手机和邮箱通知您；也可另留联系方式。"),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("答复内容"),
        max_length=OBJECTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("关键词"), max_length=100, required=False)
