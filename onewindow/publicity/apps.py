from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "onewindow.publicity"
    label = "publicity"
    verbose_name = _("办事公告与结果公示")

    def ready(self) -> None:
        # The grant decision publishes the result of items whose rule asks for it
        # (publicity.events, docs/rules/publicity.md §L2).
        from onewindow.publicity import events  # noqa: F401
