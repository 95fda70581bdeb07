"""Certificate pages: public verification, the certificate and delivery page of a case,
lifecycle actions and the clerk's delivery queue."""

from django.urls import URLPattern, path

from onewindow.certificates import views

app_name = "certificates"

urlpatterns: list[URLPattern] = [
    path("verify/", views.verify, name="verify"),
    path("verify/<str:token>/", views.verify_token, name="verify_token"),
    path("cases/<id:case_id>/certificate/", views.case_page, name="case"),
    path("cases/<id:case_id>/certificate.pdf", views.certificate_pdf, name="pdf"),
    path("cases/<id:case_id>/certificate/renew/", views.renew, name="renew"),
    path("renewals/", views.renewal_queue, name="renewals"),
    path(
        "cases/<id:case_id>/certificate/<str:action>/",
        views.certificate_action,
        name="action",
    ),
    path("cases/<id:case_id>/delivery/", views.delivery_choose, name="delivery_choose"),
    path(
        "cases/<id:case_id>/delivery/handover/",
        views.delivery_handover,
        name="delivery_handover",
    ),
    path("cases/<id:case_id>/delivery/send/", views.delivery_send, name="delivery_send"),
    path("cases/<id:case_id>/delivery/confirm/", views.delivery_confirm, name="delivery_confirm"),
    path("deliveries/", views.queue, name="queue"),
]
