"""/api/v1/: each app contributes its ``api.urlpatterns``; the OpenAPI document covers them all."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

app_name = "api"

urlpatterns = [
    path("openapi.json", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include("onewindow.accounts.api")),
    path("", include("onewindow.calendars.api")),
    path("", include("onewindow.catalog.api")),
]
