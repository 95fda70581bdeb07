"""我的代办委托: an applicant grants and revokes mandates; an agent sees who mandated them (§C8).

A mandate is scoped (every item, or one published item), time-limited (at most
``services.MANDATE_LONGEST_YEARS`` years ahead) and revocable at once. The applicant grants it
to an active agent named by username or registered mobile number. Only the applicant who gave a
mandate (or a user administrator) may revoke it; anyone else gets a logged 404. The same form
checks the API's ``POST /api/v1/mandates/`` input (``cases.api.mandates``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, Role, has_perm
from onewindow.cases import services
from onewindow.cases.errors import CaseError
from onewindow.cases.models import Mandate
from onewindow.cases.selectors import mandates as mandates_selectors
from onewindow.catalog.models import Item
from onewindow.core import clock

SCOPE_ALL = "all"
SCOPE_ITEM = "item"


class MandateForm(forms.Form):
    """Grant a mandate: who (agent), for what (all items or one), until when."""

    agent = forms.CharField(
        label=gettext_lazy("代办员"),
        max_length=150,
        help_text=gettext_lazy("填写代办员的用户名或其登记的手机号码。"),
        error_messages={"required": gettext_lazy("请填写代办员的用户名或手机号码。")},
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("委托范围"),
        choices=[
            (SCOPE_ALL, gettext_lazy("全部事项")),
            (SCOPE_ITEM, gettext_lazy("指定一个事项")),
        ],
        widget=forms.RadioSelect,
        initial=SCOPE_ALL,
        error_messages={
            "required": gettext_lazy("请选择委托范围。"),
            "invalid_choice": gettext_lazy("委托范围只能是“全部事项”或“指定一个事项”。"),
        },
    )
    item = forms.CharField(
        label=gettext_lazy("委托事项"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("委托范围为“指定一个事项”时选择（按事项编码或名称）。"),
    )
    valid_until = forms.DateField(
        label=gettext_lazy("有效期至"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": gettext_lazy("请填写委托有效期。"),
            "invalid": gettext_lazy("请填写有效的日期，例如 2027-06-30。"),
        },
    )
    note = forms.CharField(label=gettext_lazy("备注（选填）"), required=False, max_length=300)

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or clock.today()
        latest = services.mandate_latest_end(self.today)
        self.fields["item"].widget = forms.Select(
            choices=[("", _("—— 请选择事项 ——"))]
            + [
                (item.code, f"{item.code} {item.published_version.name}")  # type: ignore[union-attr]
                for item in mandates_selectors.mandate_items()
            ]
        )
        self.fields["valid_until"].widget.attrs.update(
            min=self.today.isoformat(), max=latest.isoformat()
        )
        self.fields["valid_until"].help_text = _(
            "委托自登记之日起生效，最长 %(n)s 年（不晚于 %(d)s）。"
        ) % {"n": services.MANDATE_LONGEST_YEARS, "d": latest.isoformat()}

    def clean_agent(self) -> User:
        identifier = self.cleaned_data["agent"]
        agent = mandates_selectors.agent_find(identifier)
        if agent is None:
            raise ValidationError(
                _(
                    "未找到用户名或手机号码为“%(v)s”的代办员。只能委托在中心登记并已启用的"
                    "代办员账号；手机号码对应多个账号时请填写用户名。"
                )
                % {"v": identifier.strip()[:50]},
                code="agent_not_found",
            )
        return agent

    def clean_valid_until(self) -> dt.date:
        until: dt.date = self.cleaned_data["valid_until"]
        if until < self.today:
            raise ValidationError(_("委托有效期不能早于今天。"), code="past")
        latest = services.mandate_latest_end(self.today)
        if until > latest:
            raise ValidationError(
                _("委托有效期最长 %(n)s 年，请选择 %(d)s 或更早的日期。")
                % {"n": services.MANDATE_LONGEST_YEARS, "d": latest.isoformat()},
                code="too_far",
            )
        return until

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") != SCOPE_ITEM:
            data["item"] = None
            return data
        text = data.get("item") or ""
        item = mandates_selectors.mandate_item_find(text)
        if not text.strip():
            self.add_error("item", _("委托范围为“指定一个事项”时，请选择委托事项。"))
        elif item is None:
            self.add_error(
                "item",
                _("没有找到已发布的事项“%(v)s”，请按事项编码或名称选择。") % {"v": text[:50]},
            )
        data["item"] = item
        return data

    @property
    def chosen_item(self) -> Item | None:
        item: Item | None = self.cleaned_data.get("item")
        return item


def mandate_grant(form: MandateForm, *, applicant: Any) -> Mandate:
    """Record the mandate a valid ``form`` describes; a refusal becomes a form error (CaseError)."""
    data = form.cleaned_data
    return services.mandate_record(
        agent=data["agent"],
        applicant=applicant,
        item=form.chosen_item,
        valid_until=data["valid_until"],
        recorded_by=applicant,
        note=data.get("note", ""),
        today=form.today,
    )


def mandate_rows(mandates: Any, today: dt.date) -> list[dict[str, Any]]:
    rows = []
    for mandate in mandates:
        state = mandates_selectors.mandate_state(mandate, today=today)
        rows.append(
            {
                "mandate": mandate,
                "state": state.value,
                "state_label": mandates_selectors.MANDATE_STATE_LABELS[state],
                "scope": scope_label(mandate),
            }
        )
    return rows


def scope_label(mandate: Mandate) -> str:
    if mandate.item is None:
        return _("全部事项")
    version = mandate.item.published_version
    return f"{mandate.item.code} {version.name}" if version else mandate.item.code


def _require_applicant_or_agent(request: HttpRequest) -> None:
    if not has_perm(request.user, Perm.CASE_APPLY):
        raise PermissionDenied(_("只有申请人或代办员可以查看代办委托。"))


@login_required
@require_http_methods(["GET", "POST"])
def my_mandates(request: HttpRequest) -> HttpResponse:
    """The applicant's mandates and the grant form; for an agent, the applicants they act for."""
    _require_applicant_or_agent(request)
    user: Any = request.user
    is_applicant = user.role == Role.APPLICANT
    today = clock.today()
    form = MandateForm(request.POST or None, today=today) if is_applicant else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("只有申请人可以委托代办员。"))
        if form.is_valid():
            try:
                mandate = mandate_grant(form, applicant=user)
            except CaseError as err:
                form.add_error(None, err.message)
            else:
                messages.success(
                    request,
                    _("已委托代办员“%(a)s”办理%(s)s，有效期至 %(d)s。")
                    % {
                        "a": mandate.agent,
                        "s": scope_label(mandate),
                        "d": mandate.valid_until.isoformat(),
                    },
                )
                return redirect("cases:my_mandates")
    context = {
        "form": form,
        "given": mandate_rows(mandates_selectors.mandates_given(user), today)
        if is_applicant
        else None,
        "held": mandate_rows(mandates_selectors.mandates_held(user), today),
        "is_agent": has_perm(user, Perm.CASE_APPLY_FOR_OTHERS),
        "longest_years": services.MANDATE_LONGEST_YEARS,
    }
    return render(request, "cases/mandates/my_mandates.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def mandate_revoke(request: HttpRequest, mandate_id: int) -> HttpResponse:
    """Confirm (GET) and revoke (POST) a mandate; the agent loses access at once."""
    mandate = mandates_selectors.mandate_get_for_revoke(request, mandate_id=mandate_id)
    state = mandates_selectors.mandate_state(mandate)
    if request.method == "POST":
        if mandate.revoked_at is not None:
            messages.error(
                request,
                _("该委托已于 %(t)s 撤销，无需重复操作。")
                % {"t": clock.local_date(mandate.revoked_at).isoformat()},
            )
        else:
            services.mandate_revoke(mandate=mandate)
            messages.success(
                request,
                _("已撤销对代办员“%(a)s”的委托，该代办员不能再查看或办理您的相关办件。")
                % {"a": mandate.agent},
            )
        return redirect("cases:my_mandates")
    context = {
        "mandate": mandate,
        "scope": scope_label(mandate),
        "state": state.value,
        "state_label": mandates_selectors.MANDATE_STATE_LABELS[state],
    }
    return render(request, "cases/mandates/revoke.html", context)


urlpatterns: list[URLPattern] = [
    path("my/mandates/", my_mandates, name="my_mandates"),
    path("my/mandates/<id:mandate_id>/revoke/", mandate_revoke, name="mandate_revoke"),
]
