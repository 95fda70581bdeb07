from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "onewindow.api"
    label = "api"

    def ready(self) -> None:
        from onewindow.api import schema  # noqa: F401  (registers the auth scheme extensions)
