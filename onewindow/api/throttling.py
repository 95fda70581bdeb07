"""Throttles for public endpoints, counted in the cache every worker shares
(docs/decisions.md §S2)."""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from onewindow.core.ratelimit import serialized, store


class AnonThrottle(AnonRateThrottle):
    """Anonymous callers, per IP, at ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]``.

    DRF copies the rates into a class attribute at import; this reads them per request so a
    changed setting (tests, reloads) takes effect.
    """

    def __init__(self) -> None:
        self.cache = store()  # DRF's class attribute is the default cache, one per process
        super().__init__()

    def get_rate(self) -> str | None:
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        return rates.get(self.scope or "anon")

    def allow_request(self, request: Any, view: Any) -> bool:
        """DRF reads the caller's history, then writes it back: hold the store's lock between,
        so two workers answering the same caller at once cannot both pass on the old history."""
        key = self.get_cache_key(request, view) if self.rate is not None else None
        if key is None:
            return super().allow_request(request, view)
        with serialized(key):
            return super().allow_request(request, view)
