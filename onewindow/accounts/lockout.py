"""Brute-force protection of every sign-in (docs/decisions.md §S1), by django-axes.

The login page, the admin login and ``POST /api/v1/auth/token`` all call ``authenticate()`` with
the request; axes records each failure (``AccessAttempt``, ``AccessFailureLog``, the ``axes``
log) and after ``LOGIN_FAILURE_LIMIT`` failures locks out the account (whatever login name was
typed) and, separately, the client address, for ``LOGIN_COOLOFF_MINUTES``. Administrators
unlock in the admin (访问尝试: delete the rows) or with ``onewindow unlock``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.utils import reset
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

from onewindow.accounts.models import person_username
from onewindow.accounts.selectors import user_find_for_login
from onewindow.accounts.signals import security_event_send
from onewindow.accounts.validators import mobile_clean
from onewindow.core import clock
from onewindow.core.errors import error_body
from onewindow.core.personal_data import blind_index
from onewindow.lib.idnumbers import check_citizen_id, mask_id_number, normalise

log = logging.getLogger(__name__)


class LockoutBackend(AxesStandaloneBackend):
    """Refuses every sign-in of a locked-out account or address (first in the backends).

    Code that authenticates with no request (the test client's ``login``, a shell) has no
    client to lock out; it passes to the next backend instead of failing."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)  # type: ignore[no-any-return]


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address as the API throttles see it (X-Forwarded-For through NUM_PROXIES)."""
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]


def login_name(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The account's username for any name it signs in with (ID number, phone, credit code), so
    switching names does not multiply the attempts; an unknown name counts as typed."""
    typed = (credentials or {}).get("username")
    if not typed:
        return None
    user = user_find_for_login(str(typed))
    if user is not None:
        return user.username
    # An unknown name is recorded as typed, except a number that would put someone's ID or
    # mobile number in clear in the attempt tables (docs/rules/privacy.md §P2).
    typed = str(typed).strip()[:255]
    number = normalise(typed)
    if check_citizen_id(number).ok:
        return person_username(number)
    try:
        return "tel-" + blind_index("phone", mobile_clean(typed))[:24]
    except ValidationError:
        return typed


def lockout_lift(*, username: str = "", ip: str = "", actor: Any = None) -> int:
    """Lift a lockout before its cool-off ends (admin API, ``onewindow unlock``): delete the
    failed attempts of the account (by any of its login names) and/or the address; logged.
    Returns the number of attempt records removed."""
    removed = 0
    account = login_name(None, {"username": username}) if username else None
    if account:
        removed += reset(username=account)
    if ip:
        removed += reset(ip=ip)
    shown = mask_id_number(account) if account and check_citizen_id(account).ok else account
    security_event_send(
        "lockout_lifted",
        actor=actor,
        detail=f"账号 {shown or '-'} 地址 {ip or '-'}，删除失败记录 {removed} 条",
    )
    log.warning(
        "sign-in lockout lifted: account=%s address=%s by=%s removed=%d",
        shown or "-",
        ip or "-",
        getattr(actor, "username", None) or "cli",
        removed,
    )
    return removed


def cool_off() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)


def cool_off_for(request: HttpRequest | None = None) -> dt.timedelta:
    """``AXES_COOLOFF_TIME``: read per call, so a changed setting takes effect."""
    return cool_off()


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """429 with when to retry: JSON under /api/, the lockout page otherwise (site and admin).

    Every attempt during the lock restarts the cool-off (axes'
    ``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``), so the lock ends a cool-off from now."""
    minutes = settings.LOGIN_COOLOFF_MINUTES
    until = timezone.localtime(clock.now() + cool_off())
    message = _(
        "登录失败次数过多，该账号或本机地址已被暂时锁定。请于 %(time)s（%(minutes)s 分钟后）再试；"
        "如需提前解锁，请联系系统管理员。"
    ) % {"time": f"{until:%H:%M}", "minutes": minutes}
    name = login_name(request, credentials) or "-"
    log.warning(
        "sign-in locked out: %s from %s until %s",
        mask_id_number(name) if check_citizen_id(name).ok else name,  # logs hold no ID numbers
        client_ip(request) or "-",
        until.isoformat(),
    )
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body("locked_out", message), status=429)
    else:
        response = render(request, "accounts/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
