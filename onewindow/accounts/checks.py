"""System checks: warn while settings miss what the accounts app relies on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

BACKEND = "onewindow.accounts.backends.IdentifierBackend"


@register()
def identifier_backend_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if BACKEND in settings.AUTHENTICATION_BACKENDS:
        return []
    return [
        Warning(
            "Applicants cannot sign in with their ID number, credit code or phone, and the admin "
            "role gets no Django admin permissions.",
            hint=f"Add {BACKEND!r} to AUTHENTICATION_BACKENDS.",
            id="accounts.W001",
        )
    ]
