"""Periodic conduct work for the background loop (onewindow.core.jobs)."""

from __future__ import annotations

from django.conf import settings

from onewindow.conduct.services import evaluation_previous_month
from onewindow.core.jobs import periodic


@periodic("conduct.evaluation", interval=settings.BACKGROUND_INTERVAL)
def evaluate_previous_month() -> int:
    """docs/rules/hall.md §J18: the previous month's evaluation, once it has ended."""
    return evaluation_previous_month()
