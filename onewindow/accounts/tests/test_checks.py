"""The system check that reminds settings to use our authentication backend."""

from __future__ import annotations

from typing import Any

from onewindow.accounts.checks import BACKEND, identifier_backend_check


def test_no_warning_with_the_backend(settings: Any) -> None:
    settings.AUTHENTICATION_BACKENDS = [BACKEND]
    assert identifier_backend_check() == []


def test_a_warning_without_it(settings: Any) -> None:
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    [warning] = identifier_backend_check()
    assert warning.id == "accounts.W001"
    assert BACKEND in (warning.hint or "")
