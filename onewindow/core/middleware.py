"""Requests refused before any view runs, and the request id and access line of every request."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from onewindow.core.errors import error_body
from onewindow.core.logcontext import log_context, request_id_from

NUL = "\x00"
access_log = logging.getLogger("onewindow.access")


def request_context(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """docs/operations.md §W7: the request id (the proxy's X-Request-ID when well-formed, else a
    new one) in every log line of the request and in the response's X-Request-ID header, and
    one access line when the response is ready. First in MIDDLEWARE, so redirects and refusals
    get both too. gunicorn's own access log is off (onewindow.server)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        with log_context(
            request_id=request_id, method=request.method, path=request.path, request=request
        ):
            response = get_response(request)
            response["X-Request-ID"] = request_id
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        return response

    return middleware


def refuse_nul_characters(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A NUL character in the query string or an url-encoded form is a 400 for every page and
    endpoint, in the path a 404.

    No text we store or search may contain one, and PostgreSQL refuses it in any string it is
    given (a 500 otherwise, wherever a view filters by a query value). The fields of multipart forms
    and JSON bodies are checked by Django's and DRF's ``CharField`` (``ProhibitNullCharactersValidator``)
    where the view reads them: parsing an upload here would take its errors away from the view.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if NUL in request.path:
            raise Http404  # no page or object is named with one
        fields = [request.GET]
        if request.content_type == "application/x-www-form-urlencoded":
            fields.append(request.POST)  # multipart forms: Django's and DRF's fields check
        names = [
            key.replace(NUL, "\\x00")
            for data in fields
            for key, values in data.lists()
            if NUL in key or any(NUL in value for value in values)
        ]
        if not names:
            return get_response(request)
        message = _("请求中含有不允许的空字符（NUL），请检查链接或查询条件。")
        if request.path.startswith("/api/"):
            errors = {name: [message] for name in names}
            return JsonResponse(error_body("invalid", message, errors), status=400)
        return render(request, "400.html", {"message": message}, status=400)

    return middleware


def refuse_oversized_bodies(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A body whose Content-Length exceeds ``MAX_REQUEST_MB`` is a 413 before a byte of it is
    read (docs/decisions.md §S4): no temporary file, no parsing, nothing of the draft touched.

    Every upload form and endpoint posts its files in one body; a file on its own is still held
    to ``MAX_UPLOAD_MB`` by ``cases.uploads.upload_check`` once the body has been read.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_REQUEST_MB * 1024 * 1024
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django treats an unreadable length as an empty body
        if length <= limit:
            return get_response(request)
        message = _(
            "提交的内容共 %(size)s MB，超过 %(limit)s MB 的上限，未被接收。"
            "已保存的材料不受影响；请分几次上传，每个文件不超过 %(file)s MB。"
        ) % {
            "size": f"{length / 1024 / 1024:.1f}",
            "limit": settings.MAX_REQUEST_MB,
            "file": settings.MAX_UPLOAD_MB,
        }
        if request.path.startswith("/api/"):
            return JsonResponse(error_body("too_large", message), status=413)
        return render(request, "400.html", {"message": message}, status=413)

    return middleware
