from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConductConfig(AppConfig):
    name = "onewindow.conduct"
    label = "conduct"
    verbose_name = _("窗口作风与月度评价")

    def ready(self) -> None:
        # The discipline records join a staff member's record (consult's record page and API).
        from onewindow.conduct.selectors import record_section
        from onewindow.consult.selectors import record_section_register

        record_section_register(record_section)
