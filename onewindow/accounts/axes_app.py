"""django-axes under a Chinese heading in the admin (docs/decisions.md §U5: the admin speaks
Chinese)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    verbose_name = _("登录失败锁定")
