"""Per-client budgets counted in the cache every worker process shares (docs/decisions.md §S2).

The store is Redis when ``REDIS_URL`` is set (``CACHES["ratelimit"]``), else the database.
``rate_spend`` counts in the database with one atomic upsert on ``RateCount``; Redis increments
atomically by itself. The anonymous API throttle keeps DRF's history in the ``ratelimit`` cache
(the database cache table ``onewindow_cache`` without Redis), read and written under
``serialized``: one transaction that holds the write lock (SQLite's ``BEGIN IMMEDIATE``, a
PostgreSQL advisory lock on the key), so two workers answering one caller at the same instant
cannot both read the old history.
"""

from __future__ import annotations

import datetime as dt
import random
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
from onewindow.core.models import RateCount

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
    if isinstance(cache, DatabaseCache):
        count = _database_count(key)
    else:  # Redis: add, then an atomic increment
        cache.add(key, 0, timeout=2 * WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=2 * WINDOW_SECONDS)
            count = 1
    if count <= limit:
        return 0
    return max(1, WINDOW_SECONDS - int(now % WINDOW_SECONDS))


# One in this many counts also deletes the expired rows (a minute's keys are dead two minutes on).
PURGE_EVERY = 200


def _database_count(key: str) -> int:
    """Add one use of ``key`` and return its count, in one statement (``INSERT … ON CONFLICT DO
    UPDATE … RETURNING``, SQLite ≥ 3.35 and PostgreSQL): atomic by itself, so two workers never
    read the same old count, and no transaction is held. The cache's read, lock and write were
    thirteen statements and, on SQLite, a write lock held across them."""
    alias = router.db_for_write(RateCount)
    connection = connections[alias]
    q = connection.ops.quote_name
    table = q(RateCount._meta.db_table)
    moment = clock.now()
    # As the ORM writes them (naive UTC text on SQLite): raw parameters are not adapted for us.
    now = connection.ops.adapt_datetimefield_value(moment)
    expires = connection.ops.adapt_datetimefield_value(
        moment + dt.timedelta(seconds=2 * WINDOW_SECONDS)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({q('key')}, {q('count')}, {q('expires')}) VALUES (%s, 1, %s) "
            f"ON CONFLICT ({q('key')}) DO UPDATE SET {q('count')} = {table}.{q('count')} + 1 "
            f"RETURNING {q('count')}",
            [key, expires],
        )
        ((count,),) = cursor.fetchall()  # to the statement's end: its write commits now
        if random.randrange(PURGE_EVERY) == 0:
            cursor.execute(f"DELETE FROM {table} WHERE {q('expires')} < %s", [now])
    return int(count)


def client_address(request: HttpRequest) -> str | None:
    """The caller's address as the API throttles see it (X-Forwarded-For through NUM_PROXIES)."""
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]
