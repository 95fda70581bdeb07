"""The errors of themes and bundle applications (one family with every app's, ``core.errors``)."""

from __future__ import annotations

from onewindow.core.errors import ConcurrentChange, DomainError, Forbidden, Invalid, WrongState


class BundleError(DomainError):
    """A rule of themes or bundle applications forbids this action (docs/rules/bundles.md)."""

    code = "bundle_error"


class ThemeInvalid(Invalid):
    """A theme definition breaks docs/rules/bundles.md §R1–§R2 (field → messages)."""

    code = "invalid"


class BundleInvalid(Invalid):
    """A bundle application's answers, form or materials are invalid (field → messages)."""

    code = "invalid"


class BundleForbidden(Forbidden):
    code = "bundle_forbidden"


class BundleWrongStatus(WrongState):
    code = "bundle_wrong_status"


class BundleConflict(ConcurrentChange):
    code = "bundle_conflict"
