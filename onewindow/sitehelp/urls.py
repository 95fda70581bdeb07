"""Pages of the site's help: help pages, links, error reports."""

from django.urls import URLPattern, path

from onewindow.sitehelp import views

app_name = "sitehelp"

urlpatterns: list[URLPattern] = [
    path("help/", views.help_list, name="help_list"),
    path("help/<slug:slug>/", views.help_detail, name="help_detail"),
    path("links/", views.link_list, name="links"),
    path("report-error/", views.error_report, name="error_report"),
    path("site-admin/error-reports/", views.error_report_list, name="error_reports"),
    path(
        "site-admin/error-reports/<id:report_id>/handle/",
        views.error_report_handle,
        name="error_report_handle",
    ),
]
