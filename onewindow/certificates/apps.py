from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "onewindow.certificates"
    label = "certificates"
    verbose_name = _("证照与送达")

    def ready(self) -> None:
        # The applicant's texts for certificate and delivery events (notifications.texts
        # composes a body per event action; unknown actions get a generic line).
        from onewindow.certificates.texts import action_texts
        from onewindow.notifications import texts

        texts._ACTIONS.update(action_texts())
        # ALL Art. 50: a renewal case's submission is refused when it comes too late.
        from onewindow.cases.services import SUBMIT_CHECKS
        from onewindow.certificates.services.renewals import renewal_submit_check

        if renewal_submit_check not in SUBMIT_CHECKS:
            SUBMIT_CHECKS.append(renewal_submit_check)
