"""The authentication backend: settings.AUTHENTICATION_BACKENDS =
["onewindow.accounts.backends.IdentifierBackend"] (it replaces Django's ModelBackend).

* Sign-in: a username, or for applicants their ID number, credit code or mobile number
  (``selectors.user_find_for_login``). Used by the login page, the admin and the API token view.
* Django admin permissions come from the role table: the admin role gets the model permissions
  of the apps listed in ``roles.ADMIN_APPS``, as if the role were a group. Explicit groups and
  user permissions still work on top.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from onewindow.accounts.models import User
from onewindow.accounts.roles import admin_app_labels
from onewindow.accounts.selectors import user_find_for_login


class IdentifierBackend(ModelBackend):
    """Username or identity number sign-in, and Django permissions derived from the role."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        user = user_find_for_login(username)
        if user is None:
            # Hash once anyway so a wrong name takes as long as a wrong password (Django #20760).
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    async def aauthenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        return await sync_to_async(self.authenticate)(request, username, password, **kwargs)

    def _get_group_permissions(self, user_obj: Any) -> QuerySet[Permission]:
        role_apps = admin_app_labels(user_obj.role)
        return Permission.objects.filter(
            Q(group__in=user_obj.groups.all()) | Q(content_type__app_label__in=role_apps)
        ).distinct()
