"""The certificate fixtures (a granted case, its certificate) for the privacy tests."""

from onewindow.certificates.tests.conftest import (  # noqa: F401 — fixtures by name
    certificate,
    granted,
    region,
    version,
)
