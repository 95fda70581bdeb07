from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "onewindow.core"
    label = "core"

    def ready(self) -> None:
        from django.urls import register_converter

        from onewindow.lib.ids import IdConverter

        # Before any URLconf is imported: every object id in a path is ``<id:…>``.
        register_converter(IdConverter, "id")
