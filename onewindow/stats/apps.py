from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "onewindow.stats"
    label = "stats"
    verbose_name = _("办件统计")

    def ready(self) -> None:
        # The rollups follow every case event in the writer's transaction (stats.events);
        # a calendar change recounts them (working days counted anew).
        from onewindow.calendars.recompute import recomputer_register
        from onewindow.stats import events  # noqa: F401
        from onewindow.stats.services import stats_recompute

        recomputer_register("stats", stats_recompute)
