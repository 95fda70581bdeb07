"""The audit administrator's pages."""

from onewindow.audit.views import urlpatterns as urlpatterns

app_name = "audit"
