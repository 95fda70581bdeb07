from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegationConfig(AppConfig):
    name = "onewindow.delegation"
    label = "delegation"
    verbose_name = _("一级政府三级管理")

    def ready(self) -> None:
        # The community point's 代收 event kind registers with cases (docs/rules/delegation.md §V3).
        from onewindow.delegation import events  # noqa: F401
