from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "onewindow.calendars"
    label = "calendars"
