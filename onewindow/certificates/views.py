"""Certificate pages (docs/product.md §C6): the public verification, the certificate and delivery
page of a case, the licence lifecycle actions and the clerk's 待送达 queue.

Thin views: a selector fetches and checks access (anyone else gets a logged 404), a form parses
the input, a service decides. A refused action shows the service's message and changes nothing.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.accounts.roles import Perm
from onewindow.accounts.selectors import require_perm, staff_in_department
from onewindow.audit.access import AccessKind, case_access_record
from onewindow.cases.errors import CaseError, ConcurrentChange
from onewindow.cases.identity import identity_shown
from onewindow.cases.models import Case
from onewindow.cases.selectors import due_state
from onewindow.certificates import selectors, services
from onewindow.certificates.forms import (
    DeliveryChoiceForm,
    HandoverForm,
    ReasonForm,
    SendForm,
    SerialForm,
)
from onewindow.certificates.models import (
    Certificate,
    DeliveryMethodChoice,
)
from onewindow.certificates.pdf import certificate_response, verify_url
from onewindow.certificates.services import renewals
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.core.ratelimit import client_address

ACTION_TITLES = {
    "revoke": gettext_lazy("撤销"),
    "withdraw": gettext_lazy("撤回"),
    "cancel": gettext_lazy("注销"),
}


# --- public verification ----------------------------------------------------------------------


def _throttled(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse | None:
    wait = selectors.verify_rate_spend(client_address(request))
    if not wait:
        return None
    context["error"] = _("查询过于频繁，请在 %(s)d 秒后再试。") % {"s": wait}
    return render(request, template, context, status=429)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """证照核验: type the serial number (or follow ``?serial=``)."""
    data = request.POST if request.method == "POST" else request.GET
    asked = "serial" in data
    form = SerialForm(data if asked else None)
    context: dict[str, Any] = {"form": form, "result": None, "error": ""}
    if not asked or not form.is_valid():
        return render(request, "certificates/verify.html", context, status=200)
    if (limited := _throttled(request, "certificates/verify.html", context)) is not None:
        return limited
    result = selectors.verification_by_serial(form.cleaned_data["serial"])
    if result is None:
        context["error"] = str(selectors.NOT_FOUND)
        return render(request, "certificates/verify.html", context)
    context["result"] = result
    return render(request, "certificates/verify.html", context)


@never_cache
@require_GET
def verify_token(request: HttpRequest, token: str) -> HttpResponse:
    """The page the certificate's QR code opens."""
    context: dict[str, Any] = {"form": SerialForm(), "result": None, "error": ""}
    if (limited := _throttled(request, "certificates/verify.html", context)) is not None:
        return limited
    result = selectors.verification_by_token(token)
    if result is None:
        context["error"] = str(selectors.NOT_FOUND)
        return render(request, "certificates/verify.html", context, status=404)
    context["result"] = result
    return render(request, "certificates/verify.html", context)


# --- the certificate and delivery of one case ---------------------------------------------------


def _render_case(
    request: HttpRequest, case: Case, *, status: int = 200, error: str = "", **bound: Any
) -> HttpResponse:
    user: Any = request.user
    certificate = selectors.certificate_of(case)
    delivery = selectors.delivery_of(case)
    methods = services.delivery_methods(case.item_version)
    actions = selectors.allowed_actions(user, case, certificate, delivery)
    method = delivery.method if delivery else ""
    initial = {"method": method} if method else {}
    if delivery and delivery.method == DeliveryMethodChoice.POST:
        initial |= {"address": delivery.address, "phone": delivery.recipient_phone}
    context = {
        "case": case,
        "certificate": certificate,
        "verification": selectors.verify(certificate) if certificate else None,
        "identity_visible": identity_shown(request, case),
        "verify_url": verify_url(certificate, request) if certificate else "",
        "delivery": delivery,
        "methods": [DeliveryMethodChoice(m) for m in methods],
        "decision": getattr(case, "decision", None),
        "error": error,
        "can_choose": "choose" in actions,
        "can_handover": "handover" in actions,
        "can_send": "send" in actions,
        "can_confirm": "confirm" in actions,
        "can_manage": "revoke" in actions,
        "choice_form": bound.get("choice_form")
        or DeliveryChoiceForm(initial=initial, methods=methods),
        "handover_form": bound.get("handover_form") or HandoverForm(),
        "send_form": bound.get("send_form") or SendForm(),
        "reason_forms": [
            (
                action,
                ACTION_TITLES[action],
                bound.get(f"{action}_form") or ReasonForm(prefix=action),
            )
            for action in ACTION_TITLES
        ],
        "is_clerk": selectors.is_delivery_clerk(user, case),
        "can_renew": "renew" in actions,
        "renewal": selectors.renewal_info(certificate)
        if certificate is not None and certificate.case_id == case.pk
        else None,
        "renews": selectors.renewal_of(case),
    }
    return render(request, "certificates/case.html", context, status=status)


@login_required
@require_GET
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    """证照与送达: the certificate, its verification state, the PDF, delivery and actions."""
    case = selectors.case_get_for_result(request, case_id=case_id)
    return _render_case(request, case)


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    """The certificate PDF; the applicant's first download delivers an e-certificate."""
    certificate: Certificate = selectors.certificate_get_for_reader(request, case_id=case_id)
    # The requested case: for a renewal case, not the certificate's own (ALL Art. 50).
    case = selectors.case_get_for_result(request, case_id=case_id)
    # Somebody completing the case at the same moment: the download is still served.
    with contextlib.suppress(CaseError):
        services.certificate_download_record(case=case, actor=request.user)
    visible = identity_shown(request, case)
    # docs/rules/audit.md §Z11 (staff only)
    detail = f"{certificate.title} {certificate.serial}"
    case_access_record(request, case, kind=AccessKind.DOCUMENT, detail=detail)
    return certificate_response(certificate, request, identity_visible=visible)


def _refused(request: HttpRequest, case: Case, exc: CaseError, **bound: Any) -> HttpResponse:
    case.refresh_from_db()
    status = 409 if isinstance(exc, ConcurrentChange) else 400
    return _render_case(request, case, status=status, error=exc.message, **bound)


def _invalid(request: HttpRequest, case: Case, title: str, **bound: Any) -> HttpResponse:
    error = _("未能提交，请按“%(form)s”中的提示更正。") % {"form": title}
    return _render_case(request, case, status=400, error=error, **bound)


@login_required
@require_POST
def certificate_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """撤销 / 撤回 / 注销 by the issuing department's certificate managers, with a reason."""
    certificate = selectors.certificate_get_for_manager(request, case_id=case_id)
    case = selectors.case_get_for_result(request, case_id=case_id)
    if action not in ACTION_TITLES:
        return _render_case(request, case, status=400, error=_("不支持的操作。"))
    form = ReasonForm(request.POST, prefix=action)
    if not form.is_valid():
        return _invalid(request, case, str(ACTION_TITLES[action]), **{f"{action}_form": form})
    try:
        services.certificate_status_change(
            certificate=certificate,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            action=action,
        )
    except CaseError as exc:
        form.add_error(None, exc.message)
        return _refused(request, case, exc, **{f"{action}_form": form})
    messages.success(
        request,
        _("证照 %(s)s 已%(a)s，持证人将收到通知。")
        % {"s": certificate.serial, "a": ACTION_TITLES[action]},
    )
    return redirect("certificates:case", case_id=case.pk)


@login_required
@require_POST
def renew(request: HttpRequest, case_id: int) -> HttpResponse:
    """申请延续 (ALL Art. 50): the holder opens the renewal draft and fills it on the ordinary
    application page; submitting it there is the application."""
    certificate = selectors.certificate_get_for_holder(request, case_id=case_id)
    try:
        draft = renewals.renewal_start(certificate=certificate, actor=request.user)
    except CaseError as exc:
        return _refused(request, certificate.case, exc)
    messages.success(
        request,
        _("延续申请已创建，请上传所需材料并提交；提交之日即为提出延续申请之日。"),
    )
    return redirect("cases:application", case_id=draft.pk)


@login_required
@require_GET
def renewal_queue(request: HttpRequest) -> HttpResponse:
    """延续申请: the department's renewals, those awaiting a decision and expiring first."""
    user: Any = request.user
    if not staff_in_department(user, getattr(user, "department_id", None)):
        raise deny(request, target="renewals", reason="not department staff")
    today = clock.today()
    rows = list(selectors.renewals_for_staff(user)[:200])
    return render(request, "certificates/renewals.html", {"rows": rows, "today": today})


@login_required
@require_POST
def delivery_choose(request: HttpRequest, case_id: int) -> HttpResponse:
    """The applicant (or the clerk for them) chooses window, post or e-certificate."""
    case = selectors.case_get_for_delivery(request, case_id=case_id)
    form = DeliveryChoiceForm(request.POST, methods=services.delivery_methods(case.item_version))
    if not form.is_valid():
        return _invalid(request, case, _("选择送达方式"), choice_form=form)
    try:
        delivery = services.delivery_choose(
            case=case,
            actor=request.user,
            method=form.cleaned_data["method"],
            address=form.cleaned_data["address"],
            phone=form.cleaned_data["phone"],
        )
    except CaseError as exc:
        form.add_error(None, exc.message)
        return _refused(request, case, exc, choice_form=form)
    messages.success(
        request,
        _("已选择送达方式：%(m)s。") % {"m": DeliveryMethodChoice(delivery.method).label},
    )
    return redirect("certificates:case", case_id=case.pk)


@login_required
@require_POST
def delivery_handover(request: HttpRequest, case_id: int) -> HttpResponse:
    """Window pickup: the receiver's name and checked ID number; completes the case."""
    case = selectors.case_get_for_delivery_clerk(request, case_id=case_id)
    form = HandoverForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, _("窗口领取登记"), handover_form=form)
    try:
        services.delivery_handover(
            case=case,
            actor=request.user,
            receiver_name=form.cleaned_data["receiver_name"],
            receiver_id_number=form.cleaned_data["receiver_id_number"],
            now=clock.now(),
        )
    except CaseError as exc:
        form.add_error(None, exc.message)
        return _refused(request, case, exc, handover_form=form)
    messages.success(request, _("已登记领取，办件 %(n)s 已办结。") % {"n": case.number})
    return redirect("certificates:queue")


@login_required
@require_POST
def delivery_send(request: HttpRequest, case_id: int) -> HttpResponse:
    """Express post: carrier and tracking number when the certificate leaves."""
    case = selectors.case_get_for_delivery_clerk(request, case_id=case_id)
    form = SendForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, _("邮寄登记"), send_form=form)
    try:
        services.delivery_send(
            case=case,
            actor=request.user,
            carrier=form.cleaned_data["carrier"],
            tracking_number=form.cleaned_data["tracking_number"],
            now=clock.now(),
        )
    except CaseError as exc:
        form.add_error(None, exc.message)
        return _refused(request, case, exc, send_form=form)
    messages.success(request, _("已登记寄出，申请人将收到运单号。"))
    return redirect("certificates:case", case_id=case.pk)


@login_required
@require_POST
def delivery_confirm(request: HttpRequest, case_id: int) -> HttpResponse:
    """The posted certificate was received: completes the case."""
    case = selectors.case_get_for_receipt(request, case_id=case_id)
    try:
        services.delivery_confirm(case=case, actor=request.user, now=clock.now())
    except CaseError as exc:
        return _refused(request, case, exc)
    messages.success(request, _("已确认签收，办件 %(n)s 已办结。") % {"n": case.number})
    return redirect("certificates:case", case_id=case.pk)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """待送达/待领取: granted cases of the clerk's department, the nearest certificate due first."""
    user = require_perm(request, Perm.CASE_HANDOVER, target="deliveries")
    today = clock.today()
    rows = []
    for case in selectors.deliveries_pending(user):
        decision = getattr(case, "decision", None)
        due = decision.certificate_due if decision else None
        rows.append(
            {
                "case": case,
                "delivery": getattr(case, "delivery", None),
                "certificate": getattr(case, "certificate", None),
                "due": due,
                "due_state": due_state(due, today=today) if due else None,
            }
        )
    return render(request, "certificates/queue.html", {"rows": rows, "today": today})
