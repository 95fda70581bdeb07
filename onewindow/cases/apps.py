from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "onewindow.cases"
    label = "cases"
    verbose_name = _("办件")

    def ready(self) -> None:
        # docs/rules/workdays.md §A4: a calendar change recomputes the cases' stored deadlines.
        from onewindow.calendars.recompute import recomputer_register
        from onewindow.cases.recompute import cases_recompute

        recomputer_register("cases", cases_recompute)
