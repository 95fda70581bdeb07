from django.urls import path

from onewindow.accounts import security, views

app_name = "accounts"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/person/", views.register_person, name="register_person"),
    path("register/enterprise/", views.register_enterprise, name="register_enterprise"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("2fa/", views.second_factor_page, name="second_factor"),
    # docs/decisions.md §S9: the security administrator's console
    path("security/", security.console, name="security"),
    path("security/users/<id:user_id>/", security.account, name="security_account"),
    path(
        "security/users/<id:user_id>/<slug:action>/",
        security.account_act,
        name="security_act",
    ),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
