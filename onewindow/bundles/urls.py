"""Theme and bundle pages (docs/rules/bundles.md)."""

from django.urls import URLPattern, path

from onewindow.bundles import views

app_name = "bundles"

urlpatterns: list[URLPattern] = [
    path("themes/", views.theme_list, name="theme_list"),
    path("themes/<slug:code>/", views.theme_detail, name="theme_detail"),
    path("themes/<slug:code>/apply/", views.theme_apply, name="theme_apply"),
    path("bundles/", views.bundle_list, name="mine"),
    path("bundles/window/", views.window_desk, name="desk"),
    path("bundles/<id:bundle_id>/", views.bundle_detail, name="detail"),
    path("bundles/<id:bundle_id>/intake/", views.bundle_intake, name="intake"),
    path("bundles/<id:bundle_id>/answer/", views.bundle_answer, name="answer"),
    path("bundles/<id:bundle_id>/deliver/", views.bundle_deliver, name="deliver"),
]
