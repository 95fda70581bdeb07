"""System check: every configured notification backend can be imported at start-up."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.utils.module_loading import import_string


@register()
def backends_importable(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for channel, path in settings.NOTIFICATION_BACKENDS.items():
        try:
            backend = import_string(path)
        except ImportError as exc:
            errors.append(
                Error(
                    f"notification backend for {channel!r} cannot be imported: {path} ({exc})",
                    hint="Set NOTIFY_EMAIL_BACKEND / NOTIFY_SMS_BACKEND to a class path.",
                    id="notifications.E001",
                )
            )
            continue
        if not callable(getattr(backend, "send", None)):
            errors.append(
                Error(
                    f"notification backend {path} has no send(message) method",
                    id="notifications.E002",
                )
            )
    return errors
