"""The authentication backend: login names and Django permissions from the role table."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import authenticate

from onewindow.accounts.backends import IdentifierBackend
from onewindow.accounts.models import User
from onewindow.testing import PASSWORD, Personas

pytestmark = pytest.mark.django_db


def test_applicants_sign_in_with_any_of_their_login_names(personas: Personas) -> None:
    applicant = personas.applicant
    for name in (applicant.username, applicant.id_number.lower(), applicant.phone):
        assert authenticate(username=name, password=PASSWORD) == applicant


def test_a_wrong_password_or_unknown_name_gets_nobody(personas: Personas) -> None:
    assert authenticate(username=personas.applicant.phone, password="wrong-pass-1") is None
    assert authenticate(username="13999999999", password=PASSWORD) is None
    assert authenticate(username=None, password=PASSWORD) is None
    assert authenticate(username="clerk", password=None) is None


def test_inactive_users_cannot_sign_in(personas: Personas) -> None:
    personas.clerk.is_active = False
    personas.clerk.save(update_fields=["is_active"])
    assert authenticate(username="clerk", password=PASSWORD) is None


def test_async_sign_in_uses_the_same_rules(personas: Personas) -> None:
    backend = IdentifierBackend()
    user = async_to_sync(backend.aauthenticate)(
        None, username=personas.enterprise.credit_code.lower(), password=PASSWORD
    )
    assert user == personas.enterprise


def test_groups_still_add_django_permissions(personas: Personas) -> None:
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="日历维护")
    group.permissions.add(Permission.objects.get(codename="view_calendarday"))
    personas.supervisor.groups.add(group)
    user = User.objects.get(pk=personas.supervisor.pk)
    assert user.get_all_permissions() == {"calendars.view_calendarday"}
