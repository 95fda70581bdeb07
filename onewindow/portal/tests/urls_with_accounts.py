"""A URL configuration whose accounts routes exist, whatever the accounts app has built yet."""

from django.http import HttpResponse
from django.urls import include, path


def _page(request):
    return HttpResponse("accounts")


accounts = (
    [
        path("login/", _page, name="login"),
        path("logout/", _page, name="logout"),
        path("register/", _page, name="register"),
        path("password/", _page, name="password_change"),
    ],
    "accounts",
)

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include(accounts)),
    path("", include("onewindow.portal.urls")),
]
