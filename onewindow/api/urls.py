"""/api/v1/: each app contributes its ``api.urlpatterns``; the OpenAPI document covers them all."""

from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView

from onewindow.api.views import RedocView, SwaggerView

app_name = "api"

urlpatterns = [
    # JSON whatever the Accept header: the plain view would answer a browser with YAML.
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", RedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include("onewindow.accounts.api")),
    path("", include("onewindow.accounts.security_api")),
    path("", include("onewindow.audit.api")),
    path("", include("onewindow.privacy.api")),
    path("", include("onewindow.calendars.api")),
    path("", include("onewindow.catalog.api")),
    path("", include("onewindow.lists.api")),
    path("", include("onewindow.cases.api")),
    path("", include("onewindow.search.api")),
    path("", include("onewindow.review.api")),
    path("", include("onewindow.certificates.api")),
    path("", include("onewindow.consult.api")),
    path("", include("onewindow.ratings.api")),
    path("", include("onewindow.supervision.api")),
    path("", include("onewindow.sitehelp.api")),
    path("", include("onewindow.publicity.api")),
    path("", include("onewindow.agencies.api")),
    path("", include("onewindow.stats.api")),
    path("", include("onewindow.bundles.api")),
    path("", include("onewindow.projects.api")),
    path("", include("onewindow.conduct.api")),
    path("", include("onewindow.queue.api")),
    path("", include("onewindow.appointments.api")),
    path("", include("onewindow.delegation.api")),
    path("", include("onewindow.portal.api")),
]
