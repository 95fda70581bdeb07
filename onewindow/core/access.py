"""Refuse access the same way everywhere: log the attempt, answer 404."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest

from onewindow.core.models import AccessDenied

log = logging.getLogger("onewindow.access")


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def deny(request: HttpRequest, *, target: str, reason: str) -> Http404:
    """Record a refused access and return the Http404 the caller raises.

    A 404 (not 403) so an outsider cannot learn that the object exists.
    """
    user = request.user if request.user.is_authenticated else None
    AccessDenied.objects.create(
        user=user,
        path=request.path[:500],
        method=request.method or "",
        target=target[:200],
        reason=reason[:200],
        ip=client_ip(request),
    )
    log.warning(
        "access denied user=%s target=%s reason=%s", getattr(user, "pk", None), target, reason
    )
    return Http404()
