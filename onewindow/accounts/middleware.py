"""Every request of a signed-in user passes here (docs/decisions.md §S6, §S7).

After ``AuthenticationMiddleware`` and ``MessageMiddleware``:

1. a session that must end (its account's sessions were ended, a staff member idle for
   STAFF_IDLE_MINUTES, or signed in STAFF_SESSION_HOURS ago) is signed out: pages go to the
   sign-in page with a message, the API answers 401 ``session_expired``;
2. a staff session not yet verified by the second factor reaches only the second-factor pages,
   their API endpoints and sign-out: pages go to the second-factor page, the API answers 403
   ``second_factor_required``.

API clients with a token are not seen here (DRF authenticates them in the view): a staff token
is issued only against a password and a code (``accounts.api.AuthTokenView``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onewindow.accounts.models import User
from onewindow.accounts.second_factor import (
    needs_second_factor,
    session_expired,
    session_verified,
)
from onewindow.core.errors import error_body

log = logging.getLogger("onewindow.security")

EXPIRED_MESSAGES = {
    "revoked": gettext_noop("您的登录已失效，请重新登录。"),
    "idle": gettext_noop("您长时间未操作，已自动退出，请重新登录。"),
    "absolute": gettext_noop("本次登录已超过最长时限，请重新登录。"),
}


@cache
def _open_paths() -> tuple[str, ...]:
    """What an unverified staff session may still reach."""
    return (
        reverse("accounts:second_factor"),
        reverse("accounts:logout"),
        reverse("api:auth_second_factor"),
        reverse("api:auth_token"),
        "/static/",
        "/i18n/",
        "/healthz",
    )


def staff_session(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return get_response(request)
        assert isinstance(user, User)
        is_api = request.path.startswith("/api/")
        reason = session_expired(request.session, user)
        if reason is not None:
            log.info("session ended", extra={"user_id": user.pk, "reason": reason})
            logout(request)
            message = _(EXPIRED_MESSAGES[reason])
            if is_api:
                return JsonResponse(error_body("session_expired", message), status=401)
            messages.info(request, message)
            return _to(reverse("accounts:login"), request)
        if (
            needs_second_factor(user)
            and not session_verified(request.session)
            and not request.path.startswith(_open_paths())
        ):
            if is_api:
                message = _("工作人员须先完成动态口令验证（双因素认证）。")
                return JsonResponse(error_body("second_factor_required", message), status=403)
            return _to(reverse("accounts:second_factor"), request)
        return get_response(request)

    return middleware


def _to(url: str, request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
    return redirect(url)
