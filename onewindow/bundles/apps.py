from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BundlesConfig(AppConfig):
    name = "onewindow.bundles"
    label = "bundles"
    verbose_name = _("主题服务（一件事）")

    def ready(self) -> None:
        from onewindow.bundles.events import subscribe

        subscribe()
