"""The security trail (docs/rules/audit.md §Z13): what the system and security administrators
(and each staff member about their own second factor) did, append-only, for the audit
administrator's eyes only."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.accounts import second_factor, services
from onewindow.accounts.lockout import lockout_lift
from onewindow.accounts.roles import Role
from onewindow.audit import keys
from onewindow.audit.append_only import AppendOnlyError
from onewindow.audit.models import SecurityEvent
from onewindow.core.models import AccessDenied
from onewindow.testing import PASSWORD, Personas

pytestmark = pytest.mark.django_db
PAGE = "/audit/security-events/"
API = "/api/v1/audit/security-events/"


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def actions() -> list[str]:
    return list(SecurityEvent.objects.order_by("pk").values_list("action", flat=True))


def test_each_security_action_is_recorded_with_who_and_whom(personas: Personas) -> None:
    before = SecurityEvent.objects.count()
    services.user_role_assign(user=personas.supervisor, role=Role.AUDITOR, actor=personas.security)
    second_factor.second_factor_reset(user=personas.clerk, actor=personas.security)
    lockout_lift(username="reviewer_a", actor=personas.security)
    keys.key_generate(actor=personas.security)
    new = list(SecurityEvent.objects.order_by("pk")[before:])
    assert [e.action for e in new] == [
        "role_assigned",
        "sessions_ended",
        "second_factor_reset",
        "sessions_ended",
        "lockout_lifted",
        "signing_key_generated",
    ]
    role = new[0]
    assert role.actor_label == "security" and role.actor_role == Role.SECURITY_ADMIN
    assert role.target_label == "supervisor" and role.detail == "supervisor → auditor"
    assert new[2].target_label == "clerk"


def test_a_staff_account_made_and_disabled_in_the_admin_is_recorded(personas: Personas) -> None:
    user = services.user_create(
        username="temp", password=PASSWORD, role=Role.SUPERVISOR, actor=personas.admin
    )
    user.is_active = False
    services.user_admin_save(user=user, actor=personas.admin)
    made, disabled = (
        SecurityEvent.objects.filter(target_label="temp")
        .order_by("pk")
        .values_list("action", "actor_label")
    )[:2]
    assert made == ("account_created", "admin") and disabled == ("account_disabled", "admin")


def test_the_page_records_the_address(personas: Personas) -> None:
    security = signed_in(personas.security)
    security.post(
        f"/accounts/security/users/{personas.clerk.pk}/end-sessions/", REMOTE_ADDR="10.1.2.3"
    )
    event = SecurityEvent.objects.filter(action="sessions_ended").latest("pk")
    assert event.ip == "10.1.2.3" and event.actor_label == "security"


def test_the_auditor_searches_the_trail_page_and_api(personas: Personas) -> None:
    second_factor.second_factor_reset(user=personas.clerk, actor=personas.security)
    auditor = signed_in(personas.auditor)
    page = auditor.get(PAGE + "?action=second_factor_reset").content.decode()
    assert "重置动态口令" in page and "clerk" in page and 'data-action="sessions_ended"' not in page
    rows = auditor.get(API, {"account": "clerk"}).json()["results"]
    # the persona's account was made by a command (no actor), then the reset and its sessions
    assert {r["action"] for r in rows} == {
        "account_created",
        "second_factor_reset",
        "sessions_ended",
    }
    assert all(r["actor"] == "security" for r in rows if r["action"] != "account_created")
    bad = auditor.get(API, {"action": "nonsense"})
    assert bad.status_code == 400 and "操作类型" in bad.json()["message"]
    assert auditor.get(PAGE + "?date=2026-13-40").status_code == 400


@pytest.mark.parametrize("name", ["admin", "security", "supervisor", "clerk", "applicant"])
def test_nobody_else_reads_the_trail(personas: Personas, name: str) -> None:
    other = signed_in(personas.get(name))
    assert other.get(PAGE).status_code == 404
    assert other.get(API).status_code == 404
    assert AccessDenied.objects.filter(user=personas.get(name)).count() == 2


def test_a_security_event_cannot_be_changed_or_deleted(personas: Personas) -> None:
    second_factor.second_factor_reset(user=personas.clerk, actor=personas.security)
    event = SecurityEvent.objects.latest("pk")
    event.detail = "nothing happened"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.filter(pk=event.pk).delete()
