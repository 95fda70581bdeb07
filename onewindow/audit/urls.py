"""The audit administrator's pages, and the security administrator's signing keys."""

from onewindow.audit import security_events, signing_keys
from onewindow.audit.views import urlpatterns as audit_urlpatterns

app_name = "audit"
urlpatterns = [
    *audit_urlpatterns,
    *signing_keys.page_urlpatterns,
    *security_events.page_urlpatterns,
]
