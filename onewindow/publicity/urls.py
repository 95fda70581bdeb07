"""Pages of announcements and result publicity."""

from django.urls import URLPattern, path

from onewindow.publicity import views

app_name = "publicity"

urlpatterns: list[URLPattern] = [
    path("announcements/", views.announcement_list, name="announcements"),
    path("announcements/<id:announcement_id>/", views.announcement_detail, name="announcement"),
    path("announcements/manage/", views.announcement_manage, name="announcement_manage"),
    path("announcements/manage/new/", views.announcement_edit, name="announcement_new"),
    path(
        "announcements/manage/<id:announcement_id>/",
        views.announcement_edit,
        name="announcement_edit",
    ),
    path("publicity/", views.publicity_current, name="current"),
    path("publicity/archive/", views.publicity_archive, name="archive"),
    path("publicity/<id:publicity_id>/", views.publicity_detail, name="detail"),
    path("publicity/<id:publicity_id>/objection/", views.objection_lodge, name="objection_lodge"),
    path("publicity/objections/", views.objection_inbox, name="objections"),
    path("publicity/objections/<id:objection_id>/", views.objection_detail, name="objection"),
]
