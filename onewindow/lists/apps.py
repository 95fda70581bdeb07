from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    name = "onewindow.lists"
    label = "lists"
    verbose_name = _("清单公开")
