"""The errors of certificates: their issue, lifecycle, delivery and renewal (one family with
every app's, ``core.errors``, through ``cases.errors.CaseError``)."""

from __future__ import annotations

from onewindow.cases.errors import CaseError


class CertificateError(CaseError):
    """A rule of issuing, the lifecycle or delivery forbids this action."""

    code = "certificate_error"


class RenewalRefused(CertificateError):
    """ALL Art. 50 or the item forbids this renewal."""

    code = "renewal_refused"
