import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Throttle counters live in the cache; one test's requests must not count against the next."""
    cache.clear()
    yield
    cache.clear()
