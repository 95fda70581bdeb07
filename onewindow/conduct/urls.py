"""Window conduct and evaluation pages (docs/rules/hall.md §J2, §J3, §J16–§J19)."""

from django.urls import URLPattern, path

from onewindow.conduct import views

app_name = "conduct"

urlpatterns: list[URLPattern] = [
    path("hall/red-flag/", views.red_flag, name="red_flag"),
    path("hall/notices/", views.notices, name="notices"),
    path("hall/display/red-flag/", views.display, name="display"),
    path("my/conduct/", views.mine, name="mine"),
    path("conduct/records/", views.records, name="records"),
    path("conduct/records/new/", views.record_new, name="record_new"),
    path("conduct/records/<id:pk>/", views.record_detail, name="record"),
    path("conduct/records/<id:pk>/acknowledge/", views.record_acknowledge, name="acknowledge"),
    path("conduct/records/<id:pk>/reinstate/", views.record_reinstate, name="reinstate"),
    path("conduct/evaluation/", views.evaluation, name="evaluation"),
    path("conduct/settings/", views.evaluation_settings, name="settings"),
    path("conduct/rectifications/", views.rectifications, name="rectifications"),
    path(
        "conduct/rectifications/<id:pk>/done/", views.rectification_done, name="rectification_done"
    ),
]
