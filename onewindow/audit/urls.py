"""The audit administrator's pages, and the security administrator's signing keys."""

from onewindow.audit.signing_keys import page_urlpatterns
from onewindow.audit.views import urlpatterns as audit_urlpatterns

app_name = "audit"
urlpatterns = [*audit_urlpatterns, *page_urlpatterns]
