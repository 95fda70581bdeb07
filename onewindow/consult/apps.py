from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultConfig(AppConfig):
    name = "onewindow.consult"
    label = "consult"
    verbose_name = _("咨询与投诉")

    def ready(self) -> None:
        # Open questions' reply deadlines follow a calendar change (docs/rules/workdays.md §A4).
        from onewindow.calendars.recompute import recomputer_register
        from onewindow.consult.recompute import questions_recompute

        recomputer_register("consult_questions", questions_recompute)
