from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "onewindow.accounts"
    label = "accounts"

    def ready(self) -> None:
        from onewindow.accounts import checks  # noqa: F401  (registers the system checks)
