"""Periodic certificate work for the background loop (onewindow.core.jobs)."""

from __future__ import annotations

import logging

from django.conf import settings

from onewindow.certificates import services
from onewindow.certificates.services.renewals import renewals_deem
from onewindow.core.jobs import periodic

log = logging.getLogger("onewindow.certificates")


@periodic("certificates.flag_overdue", interval=settings.BACKGROUND_INTERVAL)
def flag_overdue() -> int:
    """ALL Art. 44 (docs/rules/licensing.md §B3): granted, not delivered by Decision.certificate_due
    → flag."""
    found = services.certificates_flag_overdue()
    if found:
        log.info("certificate overdue: %s case(s) flagged for supervision", found)
    return found


@periodic("certificates.deem_renewals", interval=settings.BACKGROUND_INTERVAL)
def deem_renewals() -> int:
    """ALL Art. 50 (docs/rules/licensing.md §B6): no decision on a renewal by the expiry date →
    deemed renewed, the certificate extended, the holder told, the case flagged for supervision."""
    found = renewals_deem()
    if found:
        log.info("renewal deemed granted: %s certificate(s) extended", found)
    return found
