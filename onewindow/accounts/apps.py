from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "onewindow.accounts"
    label = "accounts"
    verbose_name = _("用户与权限")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from onewindow.accounts import checks  # noqa: F401  (registers the system checks)
        from onewindow.accounts.second_factor import on_login

        user_logged_in.connect(on_login, dispatch_uid="onewindow.accounts.session_start")
