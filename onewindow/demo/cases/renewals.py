"""Demo data for renewal (ALL Art. 50): after the generated year, a demo persona (or, failing
that, another holder) applies to renew a certificate of a renewable item, through the real
services, so the window's intake queue and the department's renewal list (/renewals/) hold a renewal and
the certificate page shows it under way. Holders of other renewable certificates see the
申请延续 button on their certificate page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from onewindow.cases.models import CaseStatus
from onewindow.cases.services import application_submit
from onewindow.cases.uploads import case_file_add
from onewindow.certificates.models import Certificate, CertificateStatus
from onewindow.certificates.selectors import open_renewal, renewal_refusal
from onewindow.certificates.services.renewals import renewal_start
from onewindow.demo.cases.stories import upload


def renewals_demo(*, holders: list[Any], now: dt.datetime, today: dt.date) -> int:
    """Submit one renewal for the first of ``holders`` (the demo personas) holding a renewable
    certificate, else for any holder of one; 0 when no certificate qualifies."""
    for holder in [*holders, None]:
        if _renew_one(holder, now=now, today=today):
            return 1
    return 0


def _renew_one(holder: Any, *, now: dt.datetime, today: dt.date) -> bool:

    candidates = Certificate.objects.filter(
        status=CertificateStatus.VALID,
        valid_until__gte=today,
        case__status=CaseStatus.COMPLETED,
        case__item_version__item__published_version__renewable=True,
    ).order_by("valid_until", "pk")
    if holder is not None:
        candidates = candidates.filter(case__applicant=holder)
    for certificate in candidates.select_related("case", "case__applicant"):
        if renewal_refusal(certificate, today=today) or open_renewal(certificate) is not None:
            continue
        applicant = certificate.case.applicant
        case = renewal_start(certificate=certificate, actor=applicant, now=now)
        for line in case.materials.all():
            name = f"{line.material.name}.pdf"
            case_file_add(case_material=line, upload=upload(name), actor=applicant, now=now)
        application_submit(case=case, actor=applicant, now=now)
        return True
    return False
