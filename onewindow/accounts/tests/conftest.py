"""Accounts tests: the personas plugin, our auth backend and a fast password hasher.

Until the root conftest loads ``onewindow.testing`` as a plugin, the fixture is imported here.
"""

from __future__ import annotations

import pytest

from onewindow.accounts.checks import BACKEND

# The real browser of the portal's accessibility test (Debian's chromium through Playwright).
from onewindow.portal.tests.test_accessibility import browser  # noqa: F401
from onewindow.testing import FAST_HASHERS, personas  # noqa: F401  (the fixture)


@pytest.fixture(autouse=True)
def _accounts_settings(settings):  # type: ignore[no-untyped-def]
    settings.AUTHENTICATION_BACKENDS = ["onewindow.accounts.lockout.LockoutBackend", BACKEND]
    settings.PASSWORD_HASHERS = FAST_HASHERS
