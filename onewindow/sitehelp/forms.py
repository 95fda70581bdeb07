"""Page forms of the site's help: they render the fields; the services check the values."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.sitehelp.models import CONTACT_MAX, DESCRIPTION_MAX, PAGE_URL_MAX


class ErrorReportForm(forms.Form):
    page_url = forms.CharField(
        label=_("出错页面"),
        max_length=PAGE_URL_MAX,
        help_text=_("出错页面的网址，例如 /guides/ 或完整网址。"),
    )
    description = forms.CharField(
        label=_("问题描述"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请说明哪里有错：错别字、链接打不开、信息过时等。最多 2000 个字。"),
    )
    contact = forms.CharField(
        label=_("联系方式（选填）"),
        max_length=CONTACT_MAX,
        required=False,
        help_text=_("手机号码或电子邮箱，便于我们向您核实。"),
    )


class HandleForm(forms.Form):
    note = forms.CharField(
        label=_("处理说明"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
