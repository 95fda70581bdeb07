"""Throttles for public endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class AnonThrottle(AnonRateThrottle):
    """Anonymous callers, per IP, at ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]``.

    DRF copies the rates into a class attribute at import; this reads them per request so a
    changed setting (tests, reloads) takes effect.
    """

    def get_rate(self) -> str | None:
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        return rates.get(self.scope or "anon")
