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

        # docs/rules/mandates.md §T3: paper mandates are recorded and verified at the window.
        from onewindow.cases.selectors.mandates import mandates_pending_count
        from onewindow.cases.window_tabs import WindowTab, window_tab_add

        window_tab_add(
            WindowTab("mandates", _("纸质委托书"), "cases:window_mandates", mandates_pending_count)
        )
