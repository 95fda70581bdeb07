from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitehelpConfig(AppConfig):
    name = "onewindow.sitehelp"
    label = "sitehelp"
    verbose_name = _("用户帮助与网站维护")
