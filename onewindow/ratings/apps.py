from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "onewindow.ratings"
    label = "ratings"
    verbose_name = _("好差评")

    def ready(self) -> None:
        # Its case event kind and the hand-off that opens a case's rating when it is finished
        # (the one-time link in an SMS/email) register with cases (ratings.events).
        from onewindow.ratings import events  # noqa: F401
