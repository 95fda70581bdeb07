from django.contrib import admin
from django.urls import include, path

from onewindow.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("onewindow.api.urls")),
    path("accounts/", include("onewindow.accounts.urls")),
    path("", include("onewindow.cases.urls")),
    path("", include("onewindow.review.urls")),
    path("", include("onewindow.certificates.urls")),
    path("", include("onewindow.consult.urls")),
    path("", include("onewindow.ratings.urls")),
    path("", include("onewindow.supervision.urls")),
    path("", include("onewindow.lists.urls")),
    path("", include("onewindow.sitehelp.urls")),
    path("", include("onewindow.publicity.urls")),
    path("", include("onewindow.agencies.urls")),
    path("", include("onewindow.stats.urls")),
    path("", include("onewindow.bundles.urls")),
    path("", include("onewindow.projects.urls")),
    path("", include("onewindow.conduct.urls")),
    path("", include("onewindow.appointments.urls")),
    path("", include("onewindow.delegation.urls")),
    path("", include("onewindow.queue.urls")),
    path("", include("onewindow.audit.urls")),
    path("", include("onewindow.privacy.urls")),
    path("", include("onewindow.portal.urls")),
]

handler404 = "onewindow.api.errors.handler404"
handler500 = "onewindow.api.errors.handler500"
