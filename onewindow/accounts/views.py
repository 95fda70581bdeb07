"""Account pages: registration of applicants, login, logout and password change.

Login names (documented for users on the login page): staff sign in with the username the center
administrator gave them. An applicant's username is their ID number (person) or unified social
credit code (enterprise), set at registration; they may also sign in with their registered
mobile number while no other applicant uses it (``selectors.user_find_for_login``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.accounts import second_factor, services
from onewindow.accounts.checks import BACKEND
from onewindow.accounts.forms import (
    EnterpriseRegistrationForm,
    LoginForm,
    PasswordChangeForm,
    PersonRegistrationForm,
    RegistrationForm,
    SecondFactorForm,
)
from onewindow.accounts.models import User


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """Choose between registering as a person or as an enterprise."""
    return render(request, "accounts/register.html", {"next": _next(request)})


@sensitive_post_parameters("password", "password_confirm")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def register_person(request: HttpRequest) -> HttpResponse:
    return _register(
        request,
        PersonRegistrationForm(_posted(request)),
        lambda d: services.applicant_register_person(
            full_name=d["full_name"],
            id_number=d["id_number"],
            phone=d["phone"],
            email=d["email"],
            password=d["password"],
        ),
        "accounts/register_person.html",
    )


@sensitive_post_parameters("password", "password_confirm")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def register_enterprise(request: HttpRequest) -> HttpResponse:
    return _register(
        request,
        EnterpriseRegistrationForm(_posted(request)),
        lambda d: services.applicant_register_enterprise(
            full_name=d["full_name"],
            credit_code=d["credit_code"],
            confirm_credit_code=d["confirm_credit_code"],
            legal_representative=d["legal_representative"],
            phone=d["phone"],
            email=d["email"],
            password=d["password"],
        ),
        "accounts/register_enterprise.html",
    )


def _posted(request: HttpRequest) -> Any:
    """The submitted data (even when empty), or None to show a blank form."""
    return request.POST if request.method == "POST" else None


def _register(
    request: HttpRequest,
    form: RegistrationForm,
    create: Callable[[dict[str, Any]], User],
    template: str,
) -> HttpResponse:
    if request.user.is_authenticated:
        messages.info(request, _("您已登录，无需重复注册。"))
        return redirect(settings.LOGIN_REDIRECT_URL)
    if request.method == "POST" and form.is_valid():
        try:
            user = create(form.cleaned_data)
        except ValidationError as exc:  # e.g. the same number registered a moment ago
            form.set_service_errors(exc)
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, _registered_message(user))
            return _redirect_next(request)
    return render(request, template, {"form": form, "next": _next(request)})


def _registered_message(user: User) -> str:
    if user.credit_code_pending:
        return _(
            "注册成功。您确认的统一社会信用代码未通过校验，工作人员核实前部分业务可能无法办理。"
        )
    return _("注册成功，您已登录。")


def _next(request: HttpRequest) -> str:
    return request.POST.get("next") or request.GET.get("next") or ""


def _redirect_next(request: HttpRequest) -> HttpResponseRedirect:
    return redirect(_safe_next(request))


def _safe_next(request: HttpRequest) -> str:
    """``next`` when it stays on this site, else the home page."""
    target = _next(request)
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else str(resolve_url(settings.LOGIN_REDIRECT_URL))


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): a link could be forged, a form needs the CSRF token."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("您已安全退出。"))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # API clients signed in with the old password must sign in again.
        services.auth_token_revoke(user=form.user)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def second_factor_page(request: HttpRequest) -> HttpResponse:
    """The staff second factor (docs/decisions.md §S6): enrol, verify, renew recovery codes.

    Not yet verified: with a confirmed device, the code form; without one, the QR code to scan
    and the code that confirms it, then the recovery codes, once. Verified: the status and a
    button for new recovery codes.
    """
    user = request.user
    if not user.is_authenticated:
        return redirect(f"{resolve_url(settings.LOGIN_URL)}?next={request.path}")
    assert isinstance(user, User)
    if not second_factor.needs_second_factor(user):
        return _redirect_next(request)
    if second_factor.session_verified(request.session):
        return _second_factor_status(request, user)
    device = second_factor.confirmed_device(user)
    enrolment = second_factor.enrolment_start(user=user) if device is None else None
    form = SecondFactorForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            codes: list[str] = []
            if enrolment is not None:
                verified, codes = second_factor.enrolment_confirm(
                    user=user, code=form.cleaned_data["code"]
                )
            else:
                verified = second_factor.second_factor_check(
                    user=user, code=form.cleaned_data["code"]
                )
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            second_factor.session_mark_verified(request.session, verified)
            if codes:
                return _recovery_codes(request, codes)
            return _redirect_next(request)
    return render(
        request,
        "accounts/second_factor.html",
        {
            "form": form,
            "enrolment": enrolment,
            "qr": _qr_data_uri(enrolment.uri) if enrolment else "",
            "secret_groups": _groups(enrolment.secret) if enrolment else [],
            "next": _next(request),
        },
    )


def _second_factor_status(request: HttpRequest, user: User) -> HttpResponse:
    if request.method == "POST" and request.POST.get("action") == "renew_recovery_codes":
        return _recovery_codes(request, second_factor.recovery_codes_renew(user=user))
    if request.method == "POST":
        return redirect("accounts:second_factor")
    if _next(request):
        return _redirect_next(request)
    device = second_factor.confirmed_device(user)
    return render(
        request,
        "accounts/second_factor_status.html",
        {"device": device, "codes_left": second_factor.recovery_codes_left(user)},
    )


def _recovery_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "continue_url": _safe_next(request)},
    )


def _qr_data_uri(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def _groups(secret: str) -> list[str]:
    """The secret in groups of four, for typing it into an app by hand."""
    return [secret[i : i + 4] for i in range(0, len(secret), 4)]
