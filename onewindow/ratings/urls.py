"""Rating pages (docs/rules/satisfaction.md §E4–§E8)."""

from django.urls import URLPattern, path

from onewindow.ratings import views

app_name = "ratings"

urlpatterns: list[URLPattern] = [
    path("satisfaction/", views.published, name="published"),
    path("satisfaction/ranking/", views.ranking, name="ranking"),
    path("rate/<str:token>/", views.link, name="link"),
    path("cases/<id:case_id>/rating/", views.rate_case, name="rate_case"),
    path("my/ratings/", views.mine, name="mine"),
    path("my/ratings/<id:pk>/respond/", views.respond, name="respond"),
    path("ratings/pad/<id:window_id>/<str:token>/", views.pad, name="pad"),
    path("ratings/pads/", views.pads, name="pads"),
    path("ratings/pads/<id:window_id>/arm/", views.pad_arm, name="pad_arm"),
    path("ratings/pads/<id:window_id>/token/", views.pad_token, name="pad_token"),
    path("ratings/bad-reviews/", views.bad_reviews, name="bad_reviews"),
    path("ratings/bad-reviews/<id:pk>/", views.bad_review, name="bad_review"),
    path("ratings/bad-reviews/<id:pk>/<str:step>/", views.bad_review_step, name="bad_review_step"),
    path("ratings/appeals/", views.appeals, name="appeals"),
    path("ratings/appeals/<id:pk>/", views.appeal, name="appeal"),
]
