"""Decision, extension and special-procedure pages (docs/product.md §C5, §C6).

Thin views: a selector fetches and checks access (staff outside the case's lead department get
the logged 404 of ``core.access.deny``), a form parses, a service in review/decisions.py decides.
Every post carries the case revision: a case changed since the page was shown, or a rule
refusing the action, re-renders the page with the message (409 / 400) and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from onewindow.accounts.roles import Perm
from onewindow.accounts.selectors import require_perm
from onewindow.cases.dues import case_decision_due
from onewindow.cases.errors import CaseError, ConcurrentChange
from onewindow.cases.events import event_label
from onewindow.cases.models import Case
from onewindow.cases.selectors import DueState, due_state
from onewindow.core import clock
from onewindow.review.forms import (
    DecisionMakeForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    SuspensionEndForm,
    SuspensionStartForm,
)
from onewindow.review.models import DecisionKind, Extension
from onewindow.review.selectors import decisions as sel
from onewindow.review.services import decisions as services

STALE = gettext_lazy(
    "该办件在您打开页面后已发生变化（例如他人已作出决定、延期或启动特别程序），"
    "请查看最新情况后再操作。"
)

FORM_TITLES = {
    "decision_form": gettext_lazy("审批决定"),
    "extension_form": gettext_lazy("申请延期"),
    "suspension_start_form": gettext_lazy("启动特别程序"),
    "suspension_end_form": gettext_lazy("结束特别程序"),
}


def history_context(case: Case) -> dict[str, Any]:
    """Context for ``review/decisions/_history.html``: the decision, extension and special-
    procedure history of ``case`` (for any staff case page that includes it)."""
    summary = sel.review_summary(case)
    return {
        "review_summary": summary,
        "review_events": [(e, event_label(e.action)) for e in summary.events],
    }


# --- lists ------------------------------------------------------------------------------------
def _due_state(case: Case, today: dt.date) -> DueState | None:
    """The decision date's colour; paused during a special procedure (B4), never overdue."""
    due = case_decision_due(case)
    return due_state(due, today=today) if due else None


@login_required
@require_GET
def pending(request: HttpRequest) -> HttpResponse:
    """待决定 for the lead department's deciders, and every case it leads still in review."""
    user = require_perm(request, Perm.TASK_HANDLE, target="review:decisions")
    today = clock.today()
    rows = [(case, _due_state(case, today)) for case in sel.decisions_pending(user)]
    leading = [(case, _due_state(case, today)) for case in sel.cases_in_review_for_lead(user)]
    return render(
        request,
        "review/decisions/pending.html",
        {
            "rows": rows,
            "leading": leading,
            "can_decide": user.can(Perm.DECISION_MAKE),
            "can_approve": sel.is_extension_approver(user),
            "extension_count": sel.extensions_pending(user).count(),
            "today": today,
        },
    )


@login_required
@require_GET
def extensions(request: HttpRequest) -> HttpResponse:
    """Extension requests waiting for this head: the agency head of the lead department, or
    for joint handling the government head (ALL Art. 42); anyone else gets the logged 404."""
    user = sel.extension_approver_required(request, target="review:extensions")
    return _render_extensions(request, user)


def _render_extensions(
    request: HttpRequest,
    user: Any,
    *,
    error: str = "",
    error_for: int = 0,
    form: ExtensionDecideForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "review/decisions/extensions.html",
        {
            "rows": [
                (
                    extension,
                    form
                    if form is not None and extension.pk == error_for
                    else ExtensionDecideForm(auto_id=f"id_ext{extension.pk}_%s"),
                )
                for extension in sel.extensions_pending(user)
            ],
            "error": error,
            "error_for": error_for,
            "can_handle": user.can(Perm.TASK_HANDLE),
        },
        status=status,
    )


# --- the decision page ------------------------------------------------------------------------
def _forms(case: Case, data: Any = None) -> dict[str, Form]:
    return {
        "decision_form": DecisionMakeForm(
            data, case=case, initial={"remedies": sel.remedies_default(case)}
        ),
        "extension_form": ExtensionRequestForm(data, case=case),
        "suspension_start_form": SuspensionStartForm(data, case=case),
        "suspension_end_form": SuspensionEndForm(data, case=case),
    }


def _render_case(
    request: HttpRequest, case: Case, *, status: int = 200, error: str = "", **bound: Form
) -> HttpResponse:
    summary = sel.review_summary(case)
    today = clock.today()
    context = {
        "case": case,
        **history_context(case),
        "steps": sel.step_records(case),
        "actions": sel.allowed_actions(request.user, summary),
        "due": _due_state(case, today) if case.status in sel.REVIEW_OPEN else None,
        "error": error,
        "decision_kinds": DecisionKind,
        **_forms(case),
        **bound,
    }
    return render(request, "review/decisions/case.html", context, status=status)


@login_required
@require_GET
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    case = sel.case_get_for_lead(request, case_id=case_id)
    return _render_case(request, case)


def _act(
    request: HttpRequest,
    case: Case,
    *,
    form_key: str,
    act: Callable[[Any], str],
) -> HttpResponse:
    """Validate the posted form, refuse a stale one, call the service, report the outcome."""
    form: Any = _forms(case, request.POST)[form_key]
    if not form.is_valid():
        error = _("未能提交，请按“%(form)s”中的提示更正。") % {"form": FORM_TITLES[form_key]}
        return _render_case(request, case, status=400, error=error, **{form_key: form})
    if form.stale():
        form.add_error(None, str(STALE))
        return _render_case(request, case, status=409, error=str(STALE), **{form_key: form})
    try:
        done = act(form.cleaned_data)
    except CaseError as exc:
        case.refresh_from_db()  # the service rolled back: show the case as it is
        form.add_error(None, exc.message)
        status = 409 if isinstance(exc, ConcurrentChange) else 400
        return _render_case(request, case, status=status, error=exc.message, **{form_key: form})
    messages.success(request, done)
    return redirect("review:decision_case", case_id=case.pk)


@login_required
@require_POST
def decide(request: HttpRequest, case_id: int) -> HttpResponse:
    case = sel.case_get_for_lead(request, case_id=case_id, perm=Perm.DECISION_MAKE)

    def act(data: dict[str, Any]) -> str:
        decision = services.decision_make(
            case=case,
            actor=request.user,
            kind=data["kind"],
            reasons=data["reasons"],
            remedies=data["remedies"],
            conditions=data["conditions"],
        )
        if decision.kind == DecisionKind.GRANT:
            return _("已作出准予行政许可决定，决定书已生成；发证送达期限 %(d)s。") % {
                "d": decision.certificate_due
            }
        return _("已作出不予行政许可决定，决定书已生成，办件已办结。")

    return _act(request, case, form_key="decision_form", act=act)


@login_required
@require_POST
def extension_request(request: HttpRequest, case_id: int) -> HttpResponse:
    case = sel.case_get_for_lead(request, case_id=case_id)

    def act(data: dict[str, Any]) -> str:
        services.extension_request(
            case=case, actor=request.user, days=data["days"], reasons=data["reasons"]
        )
        if case.item_version.joint_handling:
            return _("延期申请已提交，等待本级人民政府负责人批准（联合办理）。")
        return _("延期申请已提交，等待本机关负责人批准。")

    return _act(request, case, form_key="extension_form", act=act)


@login_required
@require_POST
def suspension_start(request: HttpRequest, case_id: int) -> HttpResponse:
    case = sel.case_get_for_lead(request, case_id=case_id)

    def act(data: dict[str, Any]) -> str:
        services.suspension_start(
            case=case,
            actor=request.user,
            kind=data["kind"],
            reason=data["reason"],
            expected_days=data["expected_days"],
        )
        return _("特别程序已启动，审查暂停计时；特别程序告知书已生成。")

    return _act(request, case, form_key="suspension_start_form", act=act)


@login_required
@require_POST
def suspension_end(request: HttpRequest, suspension_id: int) -> HttpResponse:
    suspension = sel.suspension_get_for_lead(request, suspension_id=suspension_id)
    case = sel.case_get_for_lead(request, case_id=suspension.case_id)

    def act(data: dict[str, Any]) -> str:
        done = services.suspension_end(
            suspension=suspension, actor=request.user, result=data["result"]
        )
        return _("特别程序已结束，用时 %(n)s 个工作日，各项期限已相应顺延。") % {
            "n": done.days_spent
        }

    return _act(request, case, form_key="suspension_end_form", act=act)


@login_required
@require_POST
def extension_decide(request: HttpRequest, extension_id: int) -> HttpResponse:
    extension: Extension = sel.extension_get_for_head(request, extension_id=extension_id)
    user = request.user
    form = ExtensionDecideForm(request.POST, auto_id=f"id_ext{extension.pk}_%s")
    if not form.is_valid():
        message = _("请选择批准或不批准。")
        return _render_extensions(
            request, user, error=message, error_for=extension.pk, form=form, status=400
        )
    try:
        services.extension_decide(
            extension=extension,
            actor=user,
            approve=form.cleaned_data["approve"],
            note=form.cleaned_data["note"],
        )
    except CaseError as exc:
        status = 409 if isinstance(exc, ConcurrentChange) else 400
        return _render_extensions(
            request, user, error=exc.message, error_for=extension.pk, form=form, status=status
        )
    case = extension.case
    if form.cleaned_data["approve"]:
        case.refresh_from_db()
        messages.success(
            request,
            _("已批准办件 %(n)s 延期 %(d)s 个工作日，新的承诺办结期限 %(due)s，延期告知书已生成。")
            % {"n": case.number, "d": extension.days, "due": case.decision_due},
        )
    else:
        messages.success(request, _("已不批准办件 %(n)s 的延期申请。") % {"n": case.number})
    return redirect("review:extensions")


urlpatterns: list[URLPattern] = [
    path("review/decisions/", pending, name="decisions"),
    path("review/decisions/<id:case_id>/", case_page, name="decision_case"),
    path("review/decisions/<id:case_id>/decide/", decide, name="decision_make"),
    path("review/decisions/<id:case_id>/extension/", extension_request, name="extension_request"),
    path("review/decisions/<id:case_id>/suspension/", suspension_start, name="suspension_start"),
    path("review/suspensions/<id:suspension_id>/end/", suspension_end, name="suspension_end"),
    path("review/extensions/", extensions, name="extensions"),
    path("review/extensions/<id:extension_id>/decide/", extension_decide, name="extension_decide"),
]
