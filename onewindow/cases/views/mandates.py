"""代办委托 pages (docs/product.md §C8, docs/rules/mandates.md).

我的代办委托: an applicant grants and revokes mandates, and confirms or refuses the paper
mandates recorded in their name; an agent sees who mandated them. 纸质委托书 (a window tab):
window and community-point staff record a signed printed mandate from its scan, verify it with
the principal present, and record a revocation made in person.

A mandate has one scope (every item, one item, one key project, one case:
docs/rules/mandates.md §T1), is in force only between its dates and once confirmed
(docs/rules/mandates.md §T2–§T4), and is revocable at once by the principal only
(docs/rules/mandates.md §T6): anyone else — the agent included — gets a logged 404. The same
forms check the API's input (``cases.api.mandates``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.accounts.models import ApplicantKind, User
from onewindow.accounts.roles import Perm, Role, has_perm
from onewindow.accounts.selectors import require_perm
from onewindow.cases import mandate_scopes, selectors, services
from onewindow.cases.errors import CaseError
from onewindow.cases.models import Case, Mandate
from onewindow.cases.selectors import mandates as mandates_selectors
from onewindow.cases.window_tabs import tab_bar
from onewindow.catalog.models import Item
from onewindow.core import clock

SCOPE_ALL = "all"
SCOPE_ITEM = "item"
SCOPE_PROJECT = "project"
SCOPE_CASE = "case"
SCOPE_LABELS = {
    SCOPE_ALL: gettext_lazy("全部事项"),
    SCOPE_ITEM: gettext_lazy("指定一个事项"),
    SCOPE_PROJECT: gettext_lazy("指定一个重点项目"),
    SCOPE_CASE: gettext_lazy("指定一个办件"),
}


class MandateForm(forms.Form):
    """Grant a mandate: who (agent), for what (every item, one item, one key project or one
    case), from and until when (docs/rules/mandates.md §T1, §T4)."""

    agent = forms.CharField(
        label=gettext_lazy("代办员"),
        max_length=150,
        help_text=gettext_lazy("填写代办员的用户名或其登记的手机号码。"),
        error_messages={"required": gettext_lazy("请填写代办员的用户名或手机号码。")},
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("委托范围"),
        choices=list(SCOPE_LABELS.items()),
        widget=forms.RadioSelect,
        initial=SCOPE_ALL,
        error_messages={
            "required": gettext_lazy("请选择委托范围。"),
            "invalid_choice": gettext_lazy(
                "委托范围只能是“全部事项”“指定一个事项”“指定一个重点项目”或“指定一个办件”。"
            ),
        },
    )
    item = forms.CharField(
        label=gettext_lazy("委托事项"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("委托范围为“指定一个事项”时选择（按事项编码或名称）。"),
    )
    project = forms.IntegerField(
        label=gettext_lazy("重点项目编号"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("委托范围为“指定一个重点项目”时填写（见重点项目页面）。"),
        error_messages={
            "invalid": gettext_lazy("重点项目编号应为数字。"),
            "min_value": gettext_lazy("重点项目编号应为正整数。"),
        },
    )
    case = forms.CharField(
        label=gettext_lazy("委托办件"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("委托范围为“指定一个办件”时填写办件编号（草稿填“#”加草稿号）。"),
    )
    valid_from = forms.DateField(
        label=gettext_lazy("生效日期（选填）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("不填则自登记之日起生效；不能早于今天。"),
        error_messages={"invalid": gettext_lazy("请填写有效的日期，例如 2027-06-30。")},
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

    def __init__(
        self, *args: Any, today: dt.date | None = None, applicant: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or clock.today()
        self.applicant = applicant
        latest = services.mandate_latest_end(self.today)
        self.fields["item"].widget = forms.Select(
            choices=[("", _("—— 请选择事项 ——"))]
            + [
                (item.code, f"{item.code} {item.published_version.name}")  # type: ignore[union-attr]
                for item in mandates_selectors.mandate_items()
            ]
        )
        if applicant is not None:
            self.fields["case"].widget = forms.Select(
                choices=[("", _("—— 请选择办件 ——"))]
                + [
                    (_case_key(case), f"{_case_key(case)} {case.item_version.name}")
                    for case in mandates_selectors.mandate_cases(applicant)[:200]
                ]
            )
        if not mandate_scopes.project_known():
            scope = cast(forms.ChoiceField, self.fields["scope"])
            scope.choices = [(k, v) for k, v in SCOPE_LABELS.items() if k != SCOPE_PROJECT]
            del self.fields["project"]
        for name in ("valid_from", "valid_until"):
            self.fields[name].widget.attrs.update(
                min=self.today.isoformat(), max=latest.isoformat()
            )
        self.fields["valid_until"].help_text = _(
            "委托自生效之日起，最长 %(n)s 年（不晚于 %(d)s）。"
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

    def clean_valid_from(self) -> dt.date | None:
        start: dt.date | None = self.cleaned_data.get("valid_from")
        if start is not None and start < self.today:
            raise ValidationError(
                _("委托生效日期不能早于今天（不能补登过去的委托）。"), code="past"
            )
        return start

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
        start, until = data.get("valid_from"), data.get("valid_until")
        if start is not None and until is not None and until < start:
            self.add_error(
                "valid_until",
                _("委托有效期至（%(u)s）不能早于生效日期（%(f)s）。")
                % {"u": until.isoformat(), "f": start.isoformat()},
            )
        scope = data.get("scope")
        data["item"] = self._clean_item(data) if scope == SCOPE_ITEM else None
        data["project"] = self._clean_project(data) if scope == SCOPE_PROJECT else None
        data["case"] = self._clean_case(data) if scope == SCOPE_CASE else None
        return data

    def _clean_item(self, data: dict[str, Any]) -> Item | None:
        text = data.get("item") or ""
        item = mandates_selectors.mandate_item_find(text)
        if not text.strip():
            self.add_error("item", _("委托范围为“指定一个事项”时，请选择委托事项。"))
        elif item is None:
            self.add_error(
                "item",
                _("没有找到已发布的事项“%(v)s”，请按事项编码或名称选择。") % {"v": text[:50]},
            )
        return item

    def _clean_project(self, data: dict[str, Any]) -> int | None:
        project = data.get("project")
        if "project" in self.errors:
            return None
        if project is None:
            self.add_error("project", _("委托范围为“指定一个重点项目”时，请填写重点项目编号。"))
        elif mandate_scopes.project_name(project) is None:
            self.add_error("project", _("没有找到编号为 %(n)s 的重点项目。") % {"n": project})
            return None
        return cast("int | None", project)

    def _clean_case(self, data: dict[str, Any]) -> Case | None:
        text = (data.get("case") or "").strip()
        if not text:
            self.add_error("case", _("委托范围为“指定一个办件”时，请选择委托办件。"))
            return None
        applicant = self.principal
        found = mandates_selectors.mandate_case_find(applicant, text) if applicant else None
        if found is None:
            if applicant is not None or not self.errors:
                self.add_error(
                    "case",
                    _("委托人名下没有编号为“%(v)s”的办件。") % {"v": text[:40]},
                )
            return None
        return found

    @property
    def principal(self) -> Any:
        """Whose mandate it is: the signed-in applicant (or, on paper, the one identified)."""
        return self.applicant

    @property
    def chosen_item(self) -> Item | None:
        item: Item | None = self.cleaned_data.get("item")
        return item

    def scope_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "item": data.get("item"),
            "case": data.get("case"),
            "project_id": data.get("project"),
            "valid_from": data.get("valid_from"),
            "valid_until": data["valid_until"],
            "note": data.get("note", ""),
        }


def _case_key(case: Case) -> str:
    return case.number or f"#{case.pk}"


class PaperMandateForm(MandateForm):
    """Window or community-point staff record a signed printed mandate from its scan
    (docs/rules/mandates.md §T3). The principal is identified by the number on their ID card
    (person) or business licence (enterprise)."""

    principal_kind = forms.ChoiceField(
        label=gettext_lazy("委托人类型"),
        choices=ApplicantKind.choices,
        initial=ApplicantKind.PERSON,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": gettext_lazy("委托人类型只能是自然人或法人。")},
    )
    principal_number = forms.CharField(
        label=gettext_lazy("委托人身份证号 / 统一社会信用代码"),
        max_length=40,
        error_messages={"required": gettext_lazy("请填写委托人的身份证号或统一社会信用代码。")},
    )
    scan = forms.FileField(
        label=gettext_lazy("签字委托书扫描件"),
        help_text=gettext_lazy("委托人签字（盖章）的纸质委托书扫描件，PDF、JPG 或 PNG。"),
        error_messages={
            "required": gettext_lazy("请上传委托人签字的纸质委托书扫描件。"),
            "empty": gettext_lazy("上传的扫描件是空文件，请重新选择。"),
        },
    )

    field_order = ["principal_kind", "principal_number", "agent", "scope"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._principal: Any = None
        self.fields["case"].widget = forms.TextInput()

    def clean_principal_number(self) -> str:
        number: str = self.cleaned_data["principal_number"]
        kind = self.cleaned_data.get("principal_kind") or ApplicantKind.PERSON
        found = selectors.applicant_find(kind=kind, number=number)
        if found is None or found.role != Role.APPLICANT or not found.is_active:
            raise ValidationError(
                _("没有找到证件号码为“%(v)s”的申请人账号；委托人须先在政务服务网注册。")
                % {"v": number.strip()[:40]},
                code="principal_not_found",
            )
        self._principal = found
        return number

    @property
    def principal(self) -> Any:
        return self._principal


def mandate_grant(form: MandateForm, *, applicant: Any) -> Mandate:
    """Record the mandate a valid ``form`` describes; a refusal becomes a form error (CaseError)."""
    return services.mandate_record(
        agent=form.cleaned_data["agent"],
        applicant=applicant,
        recorded_by=applicant,
        today=form.today,
        **form.scope_kwargs(),
    )


def mandate_grant_paper(form: PaperMandateForm, *, recorded_by: Any) -> Mandate:
    """Record the paper mandate a valid ``form`` describes (pending until confirmed)."""
    return services.mandate_record_paper(
        agent=form.cleaned_data["agent"],
        applicant=form.principal,
        recorded_by=recorded_by,
        scan=form.cleaned_data["scan"],
        today=form.today,
        **form.scope_kwargs(),
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
                "revocable": state
                in (
                    mandates_selectors.MandateState.VALID,
                    mandates_selectors.MandateState.NOT_YET,
                ),
            }
        )
    return rows


scope_label = mandates_selectors.scope_label


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
    form = MandateForm(request.POST or None, today=today, applicant=user) if is_applicant else None
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
        "pending_count": mandates_selectors.mandates_pending_for(user).count()
        if is_applicant
        else 0,
        "held": mandate_rows(mandates_selectors.mandates_held(user), today),
        "is_agent": has_perm(user, Perm.CASE_APPLY_FOR_OTHERS),
        "longest_years": services.MANDATE_LONGEST_YEARS,
    }
    return render(request, "cases/mandates/my_mandates.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def mandate_revoke(request: HttpRequest, mandate_id: int) -> HttpResponse:
    """Confirm (GET) and revoke (POST) a mandate; the agent loses access at once
    (docs/rules/mandates.md §T6). The agent trying it gets a logged 404."""
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
            try:
                services.mandate_revoke(mandate=mandate, actor=request.user)
            except CaseError as err:
                messages.error(request, err.message)
            else:
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


# --- paper mandates: the principal confirms or refuses (docs/rules/mandates.md §T3) --------------


@login_required
@require_GET
def mandates_pending(request: HttpRequest) -> HttpResponse:
    """Paper mandates recorded in the applicant's name, waiting for their confirmation."""
    _require_applicant_or_agent(request)
    today = clock.today()
    rows = mandate_rows(mandates_selectors.mandates_pending_for(request.user), today)
    return render(request, "cases/mandates/pending.html", {"rows": rows})


@login_required
@require_POST
def mandate_confirm(request: HttpRequest, mandate_id: int) -> HttpResponse:
    mandate = mandates_selectors.mandate_get_for_principal(request, mandate_id=mandate_id)
    try:
        services.mandate_confirm(mandate=mandate, actor=request.user)
    except CaseError as err:
        messages.error(request, err.message)
    else:
        messages.success(
            request,
            _("已确认委托书：代办员“%(a)s”自 %(f)s 起可代您办理%(s)s。")
            % {
                "a": mandate.agent,
                "f": max(mandate.valid_from, clock.today()).isoformat(),
                "s": scope_label(mandate),
            },
        )
    return redirect("cases:mandates_pending")


@login_required
@require_POST
def mandate_refuse(request: HttpRequest, mandate_id: int) -> HttpResponse:
    mandate = mandates_selectors.mandate_get_for_principal(request, mandate_id=mandate_id)
    try:
        services.mandate_refuse(mandate=mandate, actor=request.user)
    except CaseError as err:
        messages.error(request, err.message)
    else:
        messages.success(
            request,
            _("已拒绝该委托书，代办员“%(a)s”不能凭它代您办理任何事项。") % {"a": mandate.agent},
        )
    return redirect("cases:mandates_pending")


@login_required
@require_GET
def mandate_scan(request: HttpRequest, mandate_id: int) -> FileResponse:
    """The scan of a paper mandate: for the principal, the agent and window staff."""
    mandate = mandates_selectors.mandate_get_for_scan(request, mandate_id=mandate_id)
    stored = mandate.scan
    if stored is None:
        raise Http404(_("该委托没有委托书扫描件。"))
    try:
        handle = default_storage.open(stored.path, "rb")
    except FileNotFoundError:
        raise Http404(_("文件已不存在。")) from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )


# --- window / community point: record, verify, revoke in person --------------------------------


def _window_staff(request: HttpRequest) -> Any:
    return require_perm(request, Perm.MANDATE_PAPER, target="window mandates")


def _render_window(
    request: HttpRequest, form: PaperMandateForm, *, status: int = 200
) -> HttpResponse:
    user = request.user
    number = request.GET.get("principal", "").strip()[:40]
    if number:
        shown = mandates_selectors.mandates_of_principal_at_window(user, number)[:50]
    else:
        shown = mandates_selectors.mandates_recorded_at_window(user)[:50]
    context = {
        "form": form,
        "principal": number,
        "rows": mandate_rows(shown, clock.today()),
        "tab": "mandates",
        **tab_bar(user),
    }
    return render(request, "cases/mandates/window.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def window_mandates(request: HttpRequest) -> HttpResponse:
    """纸质委托书: record a signed printed mandate from its scan; the latest ones recorded."""
    user = _window_staff(request)
    today = clock.today()
    if request.method != "POST":
        return _render_window(request, PaperMandateForm(today=today))
    form = PaperMandateForm(request.POST, request.FILES, today=today)
    if not form.is_valid():
        return _render_window(request, form, status=400)
    try:
        mandate = mandate_grant_paper(form, recorded_by=user)
    except CaseError as err:
        form.add_error(None, err.message)
        return _render_window(request, form, status=400)
    messages.success(
        request,
        _(
            "已登记 %(p)s 委托代办员“%(a)s”的纸质委托书（%(s)s）。委托书待委托人在账号中确认，"
            "或委托人本人到窗口当面核验后生效。"
        )
        % {"p": mandate.applicant, "a": mandate.agent, "s": scope_label(mandate)},
    )
    return redirect("cases:window_mandate", mandate_id=mandate.pk)


class IdentityForm(forms.Form):
    id_number = forms.CharField(
        label=gettext_lazy("委托人出示的身份证号 / 统一社会信用代码"),
        max_length=40,
        error_messages={"required": gettext_lazy("请填写委托人出示的身份证号或统一社会信用代码。")},
    )


def _render_window_mandate(
    request: HttpRequest,
    mandate: Mandate,
    *,
    verify_form: IdentityForm | None = None,
    revoke_form: IdentityForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    state = mandates_selectors.mandate_state(mandate)
    context = {
        "mandate": mandate,
        "scope": scope_label(mandate),
        "state": state.value,
        "state_label": mandates_selectors.MANDATE_STATE_LABELS[state],
        "verifiable": state == mandates_selectors.MandateState.PENDING,
        "revocable": state
        in (mandates_selectors.MandateState.VALID, mandates_selectors.MandateState.NOT_YET),
        "verify_form": verify_form or IdentityForm(prefix="verify"),
        "revoke_form": revoke_form or IdentityForm(prefix="revoke"),
        "error": error,
        "tab": "mandates",
        **tab_bar(request.user),
    }
    return render(request, "cases/mandates/window_mandate.html", context, status=status)


@login_required
@require_GET
def window_mandate(request: HttpRequest, mandate_id: int) -> HttpResponse:
    _window_staff(request)
    mandate = mandates_selectors.mandate_get_for_window(request, mandate_id=mandate_id)
    return _render_window_mandate(request, mandate)


@login_required
@sensitive_post_parameters("verify-id_number")
@require_POST
def window_mandate_verify(request: HttpRequest, mandate_id: int) -> HttpResponse:
    """The principal is at the window: check the ID against the account, confirm the mandate."""
    user = _window_staff(request)
    mandate = mandates_selectors.mandate_get_for_window(request, mandate_id=mandate_id)
    form = IdentityForm(request.POST, prefix="verify")
    if not form.is_valid():
        return _render_window_mandate(request, mandate, verify_form=form, status=400)
    try:
        services.mandate_verify(
            mandate=mandate, actor=user, id_number=form.cleaned_data["id_number"]
        )
    except CaseError as err:
        return _render_window_mandate(
            request, mandate, verify_form=form, error=err.message, status=400
        )
    messages.success(
        request,
        _("已当面核验委托人身份，委托书生效（核验人：%(u)s）。") % {"u": user},
    )
    return redirect("cases:window_mandate", mandate_id=mandate.pk)


@login_required
@sensitive_post_parameters("revoke-id_number")
@require_POST
def window_mandate_revoke(request: HttpRequest, mandate_id: int) -> HttpResponse:
    """The principal revokes in person at the window (ID checked); at once."""
    user = _window_staff(request)
    mandate = mandates_selectors.mandate_get_for_window(request, mandate_id=mandate_id)
    form = IdentityForm(request.POST, prefix="revoke")
    if not form.is_valid():
        return _render_window_mandate(request, mandate, revoke_form=form, status=400)
    if mandate.revoked_at is not None:
        return _render_window_mandate(
            request, mandate, error=_("该委托已撤销，无需重复操作。"), status=400
        )
    try:
        services.mandate_revoke(
            mandate=mandate, actor=user, id_number=form.cleaned_data["id_number"]
        )
    except CaseError as err:
        return _render_window_mandate(
            request, mandate, revoke_form=form, error=err.message, status=400
        )
    messages.success(request, _("已登记委托人当面撤销委托，代办员立即不能再代为办理。"))
    return redirect("cases:window_mandate", mandate_id=mandate.pk)


urlpatterns: list[URLPattern] = [
    path("my/mandates/", my_mandates, name="my_mandates"),
    path("my/mandates/pending/", mandates_pending, name="mandates_pending"),
    path("my/mandates/<id:mandate_id>/revoke/", mandate_revoke, name="mandate_revoke"),
    path("my/mandates/<id:mandate_id>/confirm/", mandate_confirm, name="mandate_confirm"),
    path("my/mandates/<id:mandate_id>/refuse/", mandate_refuse, name="mandate_refuse"),
    path("mandates/<id:mandate_id>/scan/", mandate_scan, name="mandate_scan"),
    path("intake/mandates/", window_mandates, name="window_mandates"),
    path("intake/mandates/<id:mandate_id>/", window_mandate, name="window_mandate"),
    path(
        "intake/mandates/<id:mandate_id>/verify/",
        window_mandate_verify,
        name="window_mandate_verify",
    ),
    path(
        "intake/mandates/<id:mandate_id>/revoke/",
        window_mandate_revoke,
        name="window_mandate_revoke",
    ),
]
