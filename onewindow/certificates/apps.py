from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "onewindow.certificates"
    label = "certificates"
    verbose_name = _("证照与送达")

    def ready(self) -> None:
        # Its event kinds (labels, progress page, the applicant's texts) and the hand-off that
        # issues the certificate on a grant register with cases (certificates.events).
        # ALL Art. 50: a renewal case's submission is refused when it comes too late.
        from onewindow.cases.services import SUBMIT_CHECKS
        from onewindow.certificates import events  # noqa: F401
        from onewindow.certificates.services.renewals import renewal_submit_check

        if renewal_submit_check not in SUBMIT_CHECKS:
            SUBMIT_CHECKS.append(renewal_submit_check)
