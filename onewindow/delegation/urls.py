from django.urls import path

from onewindow.delegation import views

app_name = "delegation"

urlpatterns = [
    path("delegation/point/", views.point_home, name="point_home"),
    path(
        "delegation/point/items/<id:version_id>/",
        views.point_receive_page,
        name="point_receive",
    ),
    path("delegation/implementations/", views.implementations, name="implementations"),
    path(
        "delegation/implementations/add/",
        views.implementation_add_page,
        name="implementation_add",
    ),
    path(
        "delegation/implementations/<id:implementation_id>/",
        views.implementation_edit,
        name="implementation",
    ),
    path(
        "delegation/implementations/<id:implementation_id>/remove/",
        views.implementation_remove_page,
        name="implementation_remove",
    ),
    path("delegation/drift/", views.drift, name="drift"),
    path("delegation/drift/export.<export_format:fmt>", views.drift_export, name="drift_export"),
]
