from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "onewindow.appointments"
    label = "appointments"
    verbose_name = _("预约与延伸服务")

    def ready(self) -> None:
        # The reminder and no-show jobs of the background loop (onewindow.core.jobs).
        from onewindow.appointments import jobs  # noqa: F401

        # Appointment codes at the queue's kiosk (docs/rules/hall.md §J10).
        from onewindow.appointments.queue_source import resolve
        from onewindow.queue.sources import register_appointment_source

        register_appointment_source(resolve)
