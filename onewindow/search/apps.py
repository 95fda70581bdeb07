from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "onewindow.search"
    label = "search"
    verbose_name = _("事项检索")

    def ready(self) -> None:
        # Usage counts follow case submissions (search.events); the index's stamp follows
        # every catalog, alias and synonym change (search.signals).
        from onewindow.catalog.selectors import guide_ranker_register
        from onewindow.search import events, signals  # noqa: F401
        from onewindow.search.selectors import search_items

        # The catalog's item list API finds items with this search too (docs/rules/search.md §N1).
        guide_ranker_register(lambda **filters: search_items(**filters).version_ids)
