from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "onewindow.supervision"
    label = "supervision"
    verbose_name = _("电子监察")
