from django.urls import path

from onewindow.lists import views

app_name = "lists"

urlpatterns = [
    path("lists/", views.index, name="index"),
    path("lists/responsibilities/", views.responsibilities, name="responsibilities"),
    path(
        "lists/responsibilities/export.<export_format:fmt>",
        views.responsibilities_export,
        name="responsibilities_export",
    ),
    path(
        "lists/responsibilities/departments/",
        views.department_responsibilities,
        name="department_responsibilities",
    ),
    path(
        "lists/responsibilities/departments/export.<export_format:fmt>",
        views.department_responsibilities_export,
        name="department_responsibilities_export",
    ),
    path("lists/supervision/", views.supervision, name="supervision"),
    path(
        "lists/supervision/export.<export_format:fmt>",
        views.supervision_export,
        name="supervision_export",
    ),
    path("lists/cleanup/", views.cleanup, name="cleanup"),
    path("lists/cleanup/export.<export_format:fmt>", views.cleanup_export, name="cleanup_export"),
]
