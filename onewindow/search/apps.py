from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "onewindow.search"
    label = "search"
    verbose_name = _("事项检索")

    def ready(self) -> None:
        # Usage counts follow case submissions (search.events); the index's stamp follows
        # every catalog, alias and synonym change (search.signals).
        from onewindow.search import events, signals  # noqa: F401
