"""Platform views: the health check of load balancers and monitoring (docs/operations.md §W6)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from onewindow.core import clock
from onewindow.core.errors import error_body
from onewindow.core.heartbeat import freshest

log = logging.getLogger("onewindow.health")
SCOPES = ("all", "web")
_redis_clients: dict[str, Any] = {}  # one client (and connection pool) per URL and process


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """docs/operations.md §W6: 200 when the database answers, Redis (if configured) answers and
    a background worker beat within WORKER_HEARTBEAT_MAX_AGE seconds; 503 otherwise. With
    ``?scope=web`` (the load balancer's probe of a web node) the worker is not checked. A failure
    is named, never described: exception text stays in the log."""
    scope = request.GET.get("scope", "all")
    if scope not in SCOPES:
        message = _("scope 参数只能是 all 或 web。")
        return JsonResponse(error_body("invalid", message, {"scope": [message]}), status=400)
    body: dict[str, Any] = {"status": "ok", "database": _database(), "redis": _redis()}
    if scope == "all":
        body.update(_worker() if body["database"] == "ok" else {"worker": "unknown"})
    failed = (
        body["database"] != "ok"
        or body["redis"] not in ("ok", "not configured")
        or body.get("worker", "ok") != "ok"
    )
    if failed:
        body["status"] = "error"
    return JsonResponse(body, status=503 if failed else 200)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        log.warning("healthz: the database did not answer", exc_info=True)
        return "error"
    return "ok"


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    try:
        client = _redis_clients.get(settings.REDIS_URL)
        if client is None:
            import redis

            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
            )
            _redis_clients[settings.REDIS_URL] = client
        client.ping()
    except Exception:
        log.warning("healthz: Redis did not answer", exc_info=True)
        return "error"
    return "ok"


def _worker() -> dict[str, Any]:
    try:
        latest = freshest()
    except Exception:
        log.warning("healthz: the heartbeat table could not be read", exc_info=True)
        return {"worker": "unknown", "worker_age_seconds": None}
    if latest is None:
        return {"worker": "missing", "worker_age_seconds": None}
    age = max(0.0, (clock.now() - latest).total_seconds())
    fresh = age <= settings.WORKER_HEARTBEAT_MAX_AGE
    return {"worker": "ok" if fresh else "stale", "worker_age_seconds": round(age, 1)}
