from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from onewindow.lib import choices

# Before any models module is imported (Django imports every app's configuration first): each
# model's get_FOO_display() reads a table of translated labels (onewindow/lib/choices.py).
choices.install()


class CoreConfig(AppConfig):
    name = "onewindow.core"
    label = "core"
    verbose_name = _("系统日志")

    def ready(self) -> None:
        from django.urls import register_converter

        from onewindow.lib.export import ExportFormatConverter
        from onewindow.lib.ids import IdConverter

        # Before any URLconf is imported: every object id in a path is ``<id:…>``, and a
        # table's download ``<export_format:…>`` (csv or xlsx).
        register_converter(IdConverter, "id")
        register_converter(ExportFormatConverter, "export_format")
