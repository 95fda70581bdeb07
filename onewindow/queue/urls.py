"""Queue pages (docs/rules/hall.md §J10–§J15)."""

from django.urls import URLPattern, path

from onewindow.queue import views

app_name = "queue"

urlpatterns: list[URLPattern] = [
    path("queue/kiosk/", views.kiosk, name="kiosk"),
    path("queue/ticket/<str:token>/", views.ticket, name="ticket"),
    path("queue/display/", views.display, name="display"),
    path("queue/windows/", views.windows, name="windows"),
    path("queue/windows/<id:window_id>/", views.window, name="window"),
    path("queue/windows/<id:window_id>/<str:action>/", views.window_action, name="action"),
    path("queue/times/", views.times, name="times"),
]
