"""Per-client budgets counted in the cache every worker process shares (docs/decisions.md §S2).

The store is ``CACHES["ratelimit"]``: the database cache table ``onewindow_cache`` (created by
the core migrations), or Redis when ``REDIS_URL`` is set. A count is a read and a write; on the
database cache both happen in one transaction that holds the write lock (SQLite's ``BEGIN
IMMEDIATE``, a PostgreSQL advisory lock on the key), so two workers spending the same budget at
the same instant cannot both read the old count. Redis increments atomically by itself.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

from onewindow.core import clock

WINDOW_SECONDS = 60


def store() -> BaseCache:
    return caches["ratelimit"]


@contextmanager
def serialized(key: str) -> Iterator[None]:
    """Hold the store's lock for ``key`` while the caller reads and writes its count."""
    cache = store()
    if not isinstance(cache, DatabaseCache):
        yield
        return
    alias = router.db_for_write(cache.cache_model_class)
    with transaction.atomic(using=alias):
        connection = connections[alias]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(key.encode())])
        yield


def rate_spend(*, scope: str, ident: str | None, limit: int) -> int:
    """Count one use of ``scope`` by ``ident`` in the current minute (a fixed window): 0 while
    within ``limit``, else the seconds until the window resets."""
    now = clock.now().timestamp()
    key = f"rate:{scope}:{ident or 'unknown'}:{int(now // WINDOW_SECONDS)}"
    cache = store()
    with serialized(key):
        cache.add(key, 0, timeout=2 * WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=2 * WINDOW_SECONDS)
            count = 1
    if count <= limit:
        return 0
    return max(1, WINDOW_SECONDS - int(now % WINDOW_SECONDS))


def client_address(request: HttpRequest) -> str | None:
    """The caller's address as the API throttles see it (X-Forwarded-For through NUM_PROXIES)."""
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]
