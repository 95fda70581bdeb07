from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "onewindow.audit"
    label = "audit"
    verbose_name = _("审计链")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from onewindow.accounts.signals import security_event
        from onewindow.audit.security_events import security_event_record
        from onewindow.audit.triggers import triggers_ensure

        # docs/rules/audit.md §Z13: the account services' security events, kept in the trail
        security_event.connect(security_event_record, dispatch_uid="onewindow.audit.security")
        # docs/rules/audit.md §Z1: SQLite rebuilds a table for many schema changes and the
        # rebuilt table has no triggers; after every migrate they are put back.
        post_migrate.connect(triggers_ensure, sender=self)
