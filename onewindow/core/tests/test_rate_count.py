"""docs/decisions.md §S2: without Redis a rate-limited use is counted by one upsert on
``RateCount`` (no transaction held, no cache culling), and expired counts are purged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.core import clock, ratelimit
from onewindow.core.models import RateCount

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _database_store(settings: object) -> None:
    settings.CACHES = {  # type: ignore[attr-defined]
        **settings.CACHES,  # type: ignore[attr-defined]
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "onewindow_cache",
        },
    }


def test_one_statement_a_use_and_the_limit_holds() -> None:
    with CaptureQueriesContext(connection) as queries:
        waits = [ratelimit.rate_spend(scope="t", ident="198.51.100.9", limit=2) for _ in range(4)]
    assert waits[:2] == [0, 0]
    assert all(1 <= w <= ratelimit.WINDOW_SECONDS for w in waits[2:])
    purges = [q for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(queries.captured_queries) - len(purges) == 4
    (row,) = RateCount.objects.filter(key__startswith="rate:t:198.51.100.9:")
    assert row.count == 4
    # another address has its own budget
    assert ratelimit.rate_spend(scope="t", ident="198.51.100.10", limit=2) == 0


def test_expired_counts_are_purged(monkeypatch: pytest.MonkeyPatch) -> None:
    old = clock.now() - dt.timedelta(minutes=5)
    RateCount.objects.create(key="rate:t:old:1", count=9, expires=old)
    monkeypatch.setattr(ratelimit.random, "randrange", lambda n: 0)
    assert ratelimit.rate_spend(scope="t", ident="198.51.100.11", limit=2) == 0
    assert not RateCount.objects.filter(key="rate:t:old:1").exists()
    assert RateCount.objects.filter(key__startswith="rate:t:198.51.100.11:").exists()
