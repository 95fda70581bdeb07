"""Page forms: they draw the fields and coerce types; the rules (lengths, targets, consent) are
the services' (docs/rules/consultation.md §K5), whose errors the views put back on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.consult.errors import ConsultInvalid
from onewindow.consult.models import REPLY_MAX, TEXT_MAX, TITLE_MAX, ComplaintResult
from onewindow.lib.ids import parse_id


class IdChoiceField(forms.ChoiceField):
    """A select of objects by id whose value the service checks (an unknown or inactive one is
    its clear message, not the form's): empty → None, anything not an id → 0 (matches nothing)."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        raw = "" if value is None else str(value)
        if not raw.strip():
            return None
        return parse_id(raw) or 0

    def validate(self, value: Any) -> None:
        return None


def _text(label: Any, limit: int, rows: int = 6) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": limit}),
        help_text=_("不超过 %(n)s 个字。") % {"n": limit},
    )


def _title(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX}),
        help_text=_("不超过 %(n)s 个字。") % {"n": TITLE_MAX},
    )


def errors_onto(form: forms.Form, err: ConsultInvalid) -> None:
    """A service's field errors on the form (unknown fields: on the form as a whole)."""
    for name, messages in err.errors.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


class QuestionForm(forms.Form):
    department = IdChoiceField(label=_("咨询部门"), required=False)
    item = forms.CharField(widget=forms.HiddenInput, required=False)
    title = _title(_("咨询标题"))
    text = _text(_("咨询内容"), TEXT_MAX)
    consent_publish = forms.BooleanField(
        label=_("同意在去除个人信息后将本咨询及答复作为常见问题公开"), required=False
    )

    def __init__(self, *args: Any, departments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("请选择部门")), *((d.pk, d.name) for d in departments)]


class ReplyForm(forms.Form):
    reply = _text(_("答复内容"), REPLY_MAX)


class PublishForm(forms.Form):
    public_title = _title(_("公开标题"))
    public_text = _text(_("公开的问题"), TEXT_MAX)
    public_reply = _text(_("公开的答复"), REPLY_MAX)


class ComplaintForm(forms.Form):
    window = IdChoiceField(label=_("被投诉窗口"), required=False)
    staff_number = forms.CharField(
        label=_("被投诉工作人员工号"),
        required=False,
        max_length=150,
        help_text=_("工号见窗口的工作人员桌牌；只投诉窗口时可不填。"),
    )
    case = IdChoiceField(label=_("相关办件"), required=False)
    title = _title(_("投诉事由"))
    text = _text(_("投诉内容"), TEXT_MAX)

    def __init__(self, *args: Any, windows: Any = (), cases: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        window = self.fields["window"]
        case = self.fields["case"]
        assert isinstance(window, forms.ChoiceField) and isinstance(case, forms.ChoiceField)
        window.choices = [
            ("", _("不针对具体窗口")),
            *((w.pk, f"{w.number} {w.name}") for w in windows),
        ]
        case.choices = [("", _("不涉及具体办件")), *((c.pk, c.number) for c in cases)]


class HandleForm(forms.Form):
    notes = _text(_("调查处理情况"), REPLY_MAX)


class ConcludeForm(forms.Form):
    result = forms.ChoiceField(
        label=_("处理结果"),
        required=False,
        choices=[("", _("请选择")), *ComplaintResult.choices],
    )
    reply = _text(_("答复投诉人"), REPLY_MAX)
