from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "onewindow.review"
    label = "review"
    verbose_name = _("并联审批")

    def ready(self) -> None:
        # The review notices (DOMAIN-RULES B7) register their PDF bodies with cases.notices.
        from onewindow.review import notices_decisions, notices_tasks  # noqa: F401
