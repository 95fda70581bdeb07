"""Appointments in the Django admin: the hall's and the windows' hours, slot lengths and seats
are edited here (or on the hall page); appointments and requests are read only, since they change
only through their services (docs/rules/hall.md §J5, §J8)."""

from __future__ import annotations

from django.contrib import admin

from onewindow.appointments.models import (
    Appointment,
    HallSchedule,
    OpeningPeriod,
    ServiceRequest,
    WindowSchedule,
)
from onewindow.core.readonly_admin import ReadOnlyAdmin


@admin.register(HallSchedule)
class HallScheduleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "slot_minutes", "capacity", "days_ahead", "no_show_limit")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return not HallSchedule.objects.exists()

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(WindowSchedule)
class WindowScheduleAdmin(admin.ModelAdmin):
    list_display = ("window", "slot_minutes", "capacity", "accepts_bookings")


@admin.register(OpeningPeriod)
class OpeningPeriodAdmin(admin.ModelAdmin):
    list_display = ("window", "kind", "start", "end")
    list_filter = ("kind",)


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ("code", "applicant", "window", "day", "start", "priority", "status")
    list_filter = ("status", "priority")
    search_fields = ("code",)


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ("kind", "applicant", "item", "day", "status", "staff")
    list_filter = ("kind", "status")
