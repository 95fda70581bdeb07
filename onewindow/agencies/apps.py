from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "onewindow.agencies"
    label = "agencies"
    verbose_name = _("中介服务超市")
