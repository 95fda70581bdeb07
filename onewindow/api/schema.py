"""OpenAPI pieces shared by every app's endpoints: the error shape and the auth schemes.

Imported by ``ApiConfig.ready`` so the scheme extensions are registered before any schema is
generated.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

# The shape onewindow.api.errors gives every error (inline: a declared ``errors`` field would
# clash with Serializer.errors).
ERROR = inline_serializer(
    name="Error",
    fields={
        "code": serializers.CharField(
            help_text="机器可读的错误代码，如 not_found、invalid、throttled"
        ),
        "message": serializers.CharField(help_text="中文错误说明"),
        "errors": serializers.DictField(
            required=False, help_text="参数或字段错误：字段名 → 错误说明列表"
        ),
    },
)

_DESCRIPTIONS = {
    400: "参数无效",
    401: "尚未登录或令牌无效",
    403: "没有权限",
    404: "资源不存在",
    406: "Accept 请求头既不接受 application/pdf 也不接受 application/json",
    429: "请求过于频繁（匿名访问限流）",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """``responses=`` entries for the given error statuses, all with the shared error shape."""
    return {
        status: OpenApiResponse(ERROR, description=_DESCRIPTIONS[status]) for status in statuses
    }


# The 400 of ``core.middleware.refuse_nul_characters``: a NUL character anywhere in the query
# string is refused before any view runs, so every operation may answer it (docs/decisions.md §P2).
NUL_REFUSED = "参数无效：查询参数含有不允许的空字符（NUL）"


# What a PDF download may answer: the PDF, or a JSON error whatever the client accepts (the PDF
# views render their errors as JSON): not signed in, not found or not the caller's, a NUL in
# the query (the middleware), an Accept header naming neither PDF nor JSON.
PDF_ERRORS = (400, 401, 404, 406)


def pdf_responses() -> dict[Any, OpenApiResponse]:
    """``responses=`` of a PDF download: every status it answers, errors as JSON only."""
    responses: dict[Any, OpenApiResponse] = {
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF")
    }
    for status in PDF_ERRORS:
        description = NUL_REFUSED if status == 400 else _DESCRIPTIONS[status]
        responses[(status, "application/json")] = OpenApiResponse(ERROR, description=description)
    return responses


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def document_answers_before_the_view(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular post-processing hook: add the middleware's 400 to every operation that
    does not document a 400 of its own (the shared error shape either way)."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if method not in HTTP_METHODS:
                continue
            operation.setdefault("responses", {}).setdefault(
                "400", {"description": NUL_REFUSED, "content": error}
            )
    return result


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "rest_framework.authentication.SessionAuthentication"
    name = "cookieAuth"
    priority = 1

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        from django.conf import settings

        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "网站登录后的会话 Cookie。修改数据的请求还须带 X-CSRFToken 请求头。",
        }


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "rest_framework.authentication.TokenAuthentication"
    name = "tokenAuth"
    match_subclasses = True
    priority = 1

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "令牌认证：请求头 `Authorization: Token <key>`,"
            "令牌由 POST /api/v1/auth/token 以用户名和密码换取。",
        }
