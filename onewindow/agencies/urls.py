"""Pages of the intermediary services market."""

from django.urls import URLPattern, path

from onewindow.agencies import views

app_name = "agencies"

urlpatterns: list[URLPattern] = [
    path("agencies/", views.agency_list, name="list"),
    path("agencies/<id:agency_id>/", views.agency_detail, name="detail"),
    path("agencies/mine/", views.mine, name="mine"),
    path("agencies/cases/<id:case_id>/", views.case_selection, name="case"),
    path("agencies/selections/<id:selection_id>/", views.selection_detail, name="selection"),
    path("agencies/desk/", views.desk, name="desk"),
    path("agencies/desk/<id:selection_id>/", views.desk_action, name="desk_action"),
    path("agencies/manage/", views.manage, name="manage"),
]
