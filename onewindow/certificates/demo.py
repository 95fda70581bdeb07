"""Demo data for renewal (ALL Art. 50): after the generated year, the demo applicant 张伟 applies
to renew the certificate of a renewable item that expires soonest, through the real services,
so the window's intake queue and the department's renewal list (/renewals/) hold a renewal and
the certificate page shows it under way. Holders of other renewable certificates see the
申请延续 button on their certificate page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from onewindow.cases.models import CaseStatus
from onewindow.certificates.models import Certificate, CertificateStatus
from onewindow.certificates.renewals import open_renewal, renewal_refusal, renewal_start


def renewals_demo(*, holder: Any, now: dt.datetime, today: dt.date) -> int:
    """Submit one renewal for ``holder`` (the demo applicant); 0 when nothing qualifies."""
    from onewindow.cases.demo_cases.stories import upload
    from onewindow.cases.services import application_submit
    from onewindow.cases.uploads import case_file_add

    candidates = Certificate.objects.filter(
        status=CertificateStatus.VALID,
        valid_until__gte=today,
        case__status=CaseStatus.COMPLETED,
        case__applicant=holder,
        case__item_version__item__published_version__renewable=True,
    ).order_by("valid_until", "pk")
    for certificate in candidates.select_related("case", "case__applicant"):
        if renewal_refusal(certificate, today=today) or open_renewal(certificate) is not None:
            continue
        case = renewal_start(certificate=certificate, actor=holder, now=now)
        for line in case.materials.all():
            case_file_add(
                case_material=line,
                upload=upload(f"{line.material.name}.pdf"),
                actor=holder,
                now=now,
            )
        application_submit(case=case, actor=holder, now=now)
        return 1
    return 0
