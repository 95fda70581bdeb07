from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "onewindow.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        from onewindow.cases.subscriptions import on_event
        from onewindow.notifications import checks  # noqa: F401  (registers the system check)
        from onewindow.notifications.services import agent_action_notify, event_notify

        # Every case event: its messages are queued before any hand-off writes further events.
        on_event(event_notify, order=0)
        # An agent's action: the principal is told (docs/rules/mandates.md §T5).
        on_event(agent_action_notify, order=1)
