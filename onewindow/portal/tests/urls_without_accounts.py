"""A URL configuration with no accounts app: the layout must still render."""

from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("onewindow.portal.urls")),
]
