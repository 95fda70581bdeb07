"""Periodic rating work for the background loop (onewindow.core.jobs)."""

from __future__ import annotations

from django.conf import settings

from onewindow.core.jobs import periodic
from onewindow.ratings.services import defaults_record


@periodic("ratings.defaults", interval=settings.BACKGROUND_INTERVAL)
def record_default_ratings() -> int:
    """docs/rules/satisfaction.md §E3: services unrated when their period ended get the default."""
    return defaults_record()
