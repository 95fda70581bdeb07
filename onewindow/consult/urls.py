"""Consultation and complaint pages (docs/rules/consultation.md)."""

from django.urls import URLPattern, path

from onewindow.consult import views

app_name = "consult"

urlpatterns: list[URLPattern] = [
    path("consult/", views.home, name="home"),
    path("consult/faq/<id:question_id>/", views.faq_detail, name="faq"),
    path("consult/ask/", views.ask, name="ask"),
    path("consult/mine/", views.mine, name="mine"),
    path("consult/inbox/", views.inbox, name="inbox"),
    path("consult/questions/<id:question_id>/", views.question_detail, name="question"),
    path("consult/questions/<id:question_id>/reply/", views.question_reply, name="reply"),
    path("consult/questions/<id:question_id>/publish/", views.question_publish, name="publish"),
    path(
        "consult/questions/<id:question_id>/unpublish/",
        views.question_unpublish,
        name="unpublish",
    ),
    path("consult/complaints/", views.complaint_list, name="complaints"),
    path("consult/complaints/new/", views.complaint_new, name="complaint_new"),
    path("consult/complaints/<id:complaint_id>/", views.complaint_detail, name="complaint"),
    path(
        "consult/complaints/<id:complaint_id>/<str:action>/",
        views.complaint_act,
        name="complaint_act",
    ),
    path("consult/staff/<id:staff_id>/", views.staff_record, name="staff_record"),
]
