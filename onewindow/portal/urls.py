from django.urls import path, register_converter

from onewindow.portal import views
from onewindow.portal.views import progress


class DownloadKindConverter:
    """``form`` (the blank form) or ``sample`` (the filled-in example) of a material."""

    regex = "form|sample"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DownloadKindConverter, "download_kind")

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("guides/", views.guide_list, name="guide_list"),
    path("guides/<str:code>/", views.guide_detail, name="guide_detail"),
    path("guides/<str:code>/flowchart.svg", views.guide_flowchart, name="guide_flowchart"),
    path(
        "guides/<str:code>/materials/<id:material_id>/<download_kind:kind>/",
        views.material_download,
        name="material_download",
    ),
    path("forms/", views.form_list, name="form_list"),
    path("power-list/", views.power_list, name="power_list"),
    path(
        "power-list/export.<export_format:fmt>", views.power_list_export, name="power_list_export"
    ),
    path("fee-list/", views.fee_list, name="fee_list"),
    path("fee-list/export.<export_format:fmt>", views.fee_list_export, name="fee_list_export"),
    path("progress/", progress.progress, name="progress"),
    path("my/cases/", progress.my_cases, name="my_cases"),
]
