"""Every API error is JSON ``{"code", "message"[, "errors"]}`` with a Chinese message, never HTML.

DRF's stock messages are English source strings that follow the request's language; the ones
our endpoints can produce are replaced here by our own Chinese wording, whatever the client's
Accept-Language. Messages our own code raises are kept as they are.

The services' domain errors (``onewindow.core.errors``) are mapped to HTTP here and only here
(``api_error``): a refusal is a 400 with its code, ``Forbidden`` a 403 (logged like every
refused access), ``ConcurrentChange`` a 409, ``Invalid`` a 400 naming the fields. An endpoint
lets them propagate; the exception handler answers them.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found, server_error
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from onewindow.core import errors as domain
from onewindow.core.access import deny
from onewindow.core.errors import error_body

__all__ = ["Conflict", "Refused", "api_error", "error_body", "exception_handler"]

log = logging.getLogger("onewindow.api")

# DRF's stock (English msgid) texts → ours. Matched in English and in the active language.
_STOCK_MESSAGES = {
    "Not found.": gettext_lazy("请求的资源不存在。"),
    "Invalid page.": gettext_lazy("页码无效。"),
    "Authentication credentials were not provided.": gettext_lazy(
        "尚未登录：请先登录，或在请求头中提供令牌（Authorization: Token <key>）。"
    ),
    "Incorrect authentication credentials.": gettext_lazy("身份认证信息不正确。"),
    "Invalid username/password.": gettext_lazy("用户名或密码错误。"),
    "User inactive or deleted.": gettext_lazy("用户已停用或不存在。"),
    "Invalid token.": gettext_lazy("令牌无效或已失效。"),
    "Invalid token header. No credentials provided.": gettext_lazy("令牌请求头无效：未提供令牌。"),
    "Invalid token header. Token string should not contain spaces.": gettext_lazy(
        "令牌请求头无效：令牌中不能包含空格。"
    ),
    "Invalid token header. Token string should not contain invalid characters.": gettext_lazy(
        "令牌请求头无效：令牌中含有非法字符。"
    ),
    "You do not have permission to perform this action.": gettext_lazy("您没有执行该操作的权限。"),
    "Malformed request.": gettext_lazy("请求格式错误。"),
    "Could not satisfy the request Accept header.": gettext_lazy(
        "无法按请求的 Accept 头返回内容。"
    ),
    "A server error occurred.": gettext_lazy("服务器内部错误，请稍后重试。"),
}
# Stock texts DRF builds with a variable tail (DRF does not translate these either).
_STOCK_PREFIXES = {
    "CSRF Failed": gettext_lazy("CSRF 校验失败，请刷新页面后重试。"),
    "JSON parse error": gettext_lazy("请求体不是有效的 JSON。"),
}
SERVER_ERROR = gettext_lazy("服务器内部错误，请稍后重试。")
NOT_FOUND = gettext_lazy("请求的资源不存在。")


class Refused(exceptions.APIException):
    """A rule forbids the action (a ``DomainError``); the error's own code is kept."""

    status_code = 400
    default_code = "case_error"


class Conflict(exceptions.APIException):
    """Someone else changed the object since it was read (``ConcurrentChange``)."""

    status_code = 409
    default_code = "conflict"


def api_error(err: domain.DomainError) -> exceptions.APIException:
    """The one mapping of the domain errors to HTTP."""
    if isinstance(err, domain.Forbidden):  # 403, logged by exception_handler
        return exceptions.PermissionDenied(err.message)
    if isinstance(err, domain.ConcurrentChange):
        return Conflict(err.message, err.code)
    if isinstance(err, domain.Invalid):
        return exceptions.ValidationError(_field_errors(err))
    return Refused(err.message, err.code)


def _field_errors(err: domain.Invalid) -> dict[str, Any]:
    if err.field:
        return {err.field: err.errors}
    return {
        api_settings.NON_FIELD_ERRORS_KEY if key == "__all__" else key: value
        for key, value in err.errors.items()
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        log.exception("unhandled API error", exc_info=exc)
        set_rollback()
        return Response(error_body("server_error", str(SERVER_ERROR)), status=500)
    request = context.get("request")
    if isinstance(exc, exceptions.PermissionDenied):
        _log_refusal(request, context.get("view"))
    if isinstance(exc, exceptions.ValidationError):
        errors = _as_field_errors(response.data)
        response.data = error_body("invalid", _first_message(errors), errors)
    else:
        response.data = error_body(_code(exc), _message(exc, request))
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        _challenge(response, request)
    return response


def _log_refusal(request: Any, view: Any) -> None:
    """A signed-in user refused by a permission class (e.g. a supervisor trying a case action,
    docs/decisions.md §S5) is logged like every other refused access
    (onewindow.core.access.deny)."""
    user = getattr(request, "user", None)
    if request is None or not getattr(user, "is_authenticated", False):
        return
    deny(request._request, target=type(view).__name__, reason="permission denied")


def _as_api_exception(exc: Exception) -> Exception:
    """Django's own exceptions carry English developer text ("No Item matches the given query.")."""
    if isinstance(exc, domain.DomainError):
        return api_error(exc)
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(NOT_FOUND))
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = dict(exc.message_dict)
            if "__all__" in errors:
                errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop("__all__")
            return exceptions.ValidationError(errors)
        return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})
    return exc


def _code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def _message(exc: exceptions.APIException, request: Any) -> str:
    if isinstance(exc, exceptions.MethodNotAllowed):
        method = getattr(request, "method", "")
        return _("不支持 %(method)s 请求方法。") % {"method": method}
    if isinstance(exc, exceptions.Throttled):
        wait: float | None = getattr(exc, "wait", None)
        if wait is None:
            return _("请求过于频繁，请稍后重试。")
        return _("请求过于频繁，请在 %(wait)d 秒后重试。") % {"wait": math.ceil(wait)}
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return _("不支持的请求内容类型。")
    detail = exc.detail
    text = _first_message(detail) if isinstance(detail, dict | list) else str(detail)
    return _stock_to_chinese(text)


def _stock_to_chinese(text: str) -> str:
    for msgid, ours in _STOCK_MESSAGES.items():
        if text in (msgid, gettext(msgid)):
            return str(ours)
    for prefix, ours in _STOCK_PREFIXES.items():
        if text.startswith(prefix):
            return str(ours)
    return text


def _challenge(response: Response, request: Any) -> None:
    """Unauthenticated is 401 with a challenge whenever an accepted scheme (the token) has one.

    DRF answers 403 when the first authentication class (the session) has no challenge header.
    """
    if response.status_code != 403:
        return
    for authenticator in getattr(request, "authenticators", None) or ():
        header = authenticator.authenticate_header(request)
        if header:
            response.status_code = 401
            response["WWW-Authenticate"] = header
            return


def _as_field_errors(data: Any) -> dict[str, Any]:
    if isinstance(data, dict):
        return data
    return {api_settings.NON_FIELD_ERRORS_KEY: data if isinstance(data, list) else [data]}


def _first_message(data: Any) -> str:
    while isinstance(data, dict | list) and data:
        data = next(iter(data.values())) if isinstance(data, dict) else data[0]
    return str(data) if data else _("请求无效。")


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """JSON under /api/, the normal page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", str(NOT_FOUND)), status=404)
    return page_not_found(request, exception or Http404())


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", str(SERVER_ERROR)), status=500)
    return server_error(request)
