from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "onewindow.projects"
    label = "projects"
    verbose_name = _("重点项目")

    def ready(self) -> None:
        # The case event a joint activity's finding writes on its case (projects.events).
        from onewindow.projects import events  # noqa: F401
        from onewindow.projects.scopes import register

        register()
