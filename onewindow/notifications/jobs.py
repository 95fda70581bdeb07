"""Periodic notification work for the background loop (onewindow.core.jobs)."""

from __future__ import annotations

from django.conf import settings

from onewindow.core.jobs import periodic
from onewindow.notifications.services import outbox_retry_due


@periodic("notifications.retry", interval=settings.BACKGROUND_INTERVAL)
def retry_notifications() -> int:
    """Deliver messages whose first attempt failed (or never ran) once their backoff has passed."""
    return outbox_retry_due()
