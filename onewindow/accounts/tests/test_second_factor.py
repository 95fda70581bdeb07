"""The staff second factor and staff session limits (docs/decisions.md §S6, §S7)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from onewindow.accounts import second_factor, services
from onewindow.accounts.models import User
from onewindow.accounts.roles import STAFF_ROLES, Role
from onewindow.testing import PASSWORD, Personas, otp_code

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TWO_FA = "/accounts/2fa/"
TOKEN = "/api/v1/auth/token"
STATUS = "/api/v1/auth/second-factor"

# One page of each staff desk, and the admin site: none answers a password-only session.
STAFF_PAGES = [
    "/intake/",
    "/review/",
    "/supervision/cases/",
    "/supervision/cards/",
    "/audit/accesses/",
    "/stats/dashboard/",
    "/admin/",
]
STAFF_APIS = [
    "/api/v1/me",
    "/api/v1/review/inbox/",
    "/api/v1/intake/queue/",
    "/api/v1/supervision/cards/",
]


def password_only(username: str) -> Client:
    client = Client()
    assert client.post(LOGIN, {"username": username, "password": PASSWORD}).status_code == 302
    return client


def new_staff(role: Role = Role.SUPERVISOR, username: str = "new_staff") -> User:
    return services.user_create(username=username, password=PASSWORD, role=role, full_name="新员工")


def enrol_through_the_page(client: Client) -> tuple[str, list[str]]:
    """Scan (read the secret off the page), type the code: the secret and the recovery codes."""
    html = client.get(TWO_FA).content.decode()
    secret = re.search(r"<code class=\"secret\" data-secret>([A-Z2-7 ]+)</code>", html)
    assert secret, html
    user = User.objects.get(pk=int(client.session["_auth_user_id"]))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(TWO_FA, {"code": second_factor.current_code(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    return secret.group(1).replace(" ", ""), codes


# --- the gate ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", STAFF_PAGES)
def test_a_staff_session_without_the_second_factor_reaches_no_staff_page(
    personas: Personas, path: str
) -> None:
    client = password_only("supervisor")
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(TWO_FA + "?next=")


@pytest.mark.parametrize("path", STAFF_APIS)
def test_a_staff_session_without_the_second_factor_reaches_no_api(
    personas: Personas, path: str
) -> None:
    client = password_only("reviewer_a")
    response = client.get(path)
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    assert "动态口令" in response.json()["message"]


def test_an_unenrolled_staff_account_reaches_nothing_until_it_enrols(personas: Personas) -> None:
    new_staff()
    client = password_only("new_staff")
    assert client.get("/supervision/cases/")["Location"].startswith(TWO_FA)
    assert client.get("/api/v1/me").status_code == 403
    html = client.get(TWO_FA).content.decode()
    assert "绑定动态口令" in html and 'src="data:image/svg+xml' in html
    _secret, codes = enrol_through_the_page(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/supervision/cases/").status_code == 200
    assert client.get("/api/v1/me").json()["username"] == "new_staff"


def test_every_staff_role_needs_it_and_no_applicant_does(personas: Personas) -> None:
    for name, user in personas.users().items():
        assert second_factor.needs_second_factor(user) == (user.role in STAFF_ROLES), name
    client = password_only(personas.applicant.username)
    assert client.get("/api/v1/me").status_code == 200  # no second step for applicants


def test_the_code_page_verifies_and_sends_the_user_on(personas: Personas) -> None:
    client = password_only("clerk")
    first = client.get("/intake/")
    assert first["Location"] == TWO_FA + "?next=%2Fintake%2F"
    key_before = client.session.session_key
    response = client.post(TWO_FA, {"code": otp_code(personas.clerk), "next": "/intake/"})
    assert response.status_code == 302 and response["Location"] == "/intake/"
    assert client.session.session_key != key_before  # a new privilege, a new session key
    assert client.get("/intake/").status_code == 200


@pytest.mark.parametrize("code", ["", "000000", "12345", "abcdefgh", "1" * 40, "１２３４５６"])
def test_a_wrong_code_is_refused_in_chinese_and_verifies_nothing(
    personas: Personas, code: str
) -> None:
    client = password_only("clerk")
    response = client.post(TWO_FA, {"code": code})
    assert response.status_code == 200
    assert "动态口令" in response.content.decode()
    assert client.get("/intake/").status_code == 302


def test_a_code_is_accepted_once(personas: Personas) -> None:
    device = TOTPDevice.objects.get(user=personas.clerk)
    code = second_factor.current_code(device)
    first, second = password_only("clerk"), password_only("clerk")
    assert first.post(TWO_FA, {"code": code}).status_code == 302
    response = second.post(TWO_FA, {"code": code})
    assert response.status_code == 200  # replayed: refused
    assert second.get("/intake/").status_code == 302


def test_wrong_codes_slow_further_tries_down(personas: Personas) -> None:
    client = password_only("clerk")
    client.post(TWO_FA, {"code": "000000"})
    # django-otp's throttle: after a failure the next try within the wait is refused unseen
    response = client.post(TWO_FA, {"code": otp_code(personas.clerk)})
    assert "错误次数过多" in response.content.decode()
    assert client.get("/intake/").status_code == 302


def test_a_recovery_code_works_once_instead_of_the_code(personas: Personas) -> None:
    new_staff()
    _secret, codes = enrol_through_the_page(password_only("new_staff"))
    client = password_only("new_staff")
    assert client.post(TWO_FA, {"code": codes[0].upper()}).status_code == 302
    assert client.get("/supervision/cases/").status_code == 200
    again = password_only("new_staff")
    assert again.post(TWO_FA, {"code": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user__username="new_staff").count() == 9


def test_recovery_codes_are_renewed_and_the_old_ones_stop_working(personas: Personas) -> None:
    new_staff()
    client = password_only("new_staff")
    _secret, old = enrol_through_the_page(client)
    response = client.post(TWO_FA, {"action": "renew_recovery_codes"})
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert password_only("new_staff").post(TWO_FA, {"code": new[1]}).status_code == 302
    assert password_only("new_staff").post(TWO_FA, {"code": old[1]}).status_code == 200


def test_enrolment_shows_the_same_secret_until_confirmed(personas: Personas) -> None:
    new_staff()
    client = password_only("new_staff")
    first = client.get(TWO_FA).content.decode()
    second = client.get(TWO_FA).content.decode()
    pattern = r"data-secret>([A-Z2-7 ]+)<"
    assert re.search(pattern, first).group(1) == re.search(pattern, second).group(1)  # type: ignore[union-attr]
    assert TOTPDevice.objects.filter(user__username="new_staff").count() == 1


def test_an_open_redirect_in_next_is_ignored(personas: Personas) -> None:
    client = password_only("clerk")
    response = client.post(
        TWO_FA, {"code": otp_code(personas.clerk), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


# --- the API ----------------------------------------------------------------------------------
def token_post(data: dict[str, Any]) -> Any:
    return Client().post(TOKEN, data, content_type="application/json")


def test_a_staff_token_needs_the_code(personas: Personas) -> None:
    without = token_post({"username": "clerk", "password": PASSWORD})
    assert without.status_code == 400
    assert without.json()["code"] == "second_factor_required"
    wrong = token_post({"username": "clerk", "password": PASSWORD, "otp": "000000"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "second_factor_bad_code"
    assert not Token.objects.filter(user=personas.clerk).exists()


def test_a_staff_token_with_the_code_works(personas: Personas) -> None:
    response = token_post(
        {"username": "clerk", "password": PASSWORD, "otp": otp_code(personas.clerk)}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = Client().get(STATUS, headers={"Authorization": f"Token {token}"}).json()
    assert me == {"needed": True, "enrolled": True, "verified": True, "recovery_codes_left": 0}


def test_an_unenrolled_staff_member_gets_no_token(personas: Personas) -> None:
    new_staff()
    response = token_post({"username": "new_staff", "password": PASSWORD, "otp": "123456"})
    assert response.status_code == 400
    assert response.json()["code"] == "second_factor_not_enrolled"


def test_applicants_get_a_token_without_a_code(personas: Personas) -> None:
    response = token_post({"username": personas.applicant.username, "password": PASSWORD})
    assert response.status_code == 200


def test_the_api_enrols_and_verifies_a_browser_session(personas: Personas) -> None:
    new_staff()
    client = password_only("new_staff")
    assert client.get(STATUS).json() == {
        "needed": True,
        "enrolled": False,
        "verified": False,
        "recovery_codes_left": 0,
    }
    enrolment = client.post(STATUS + "/enrol").json()
    assert enrolment["otpauth_uri"].startswith("otpauth://totp/")
    assert f"secret={enrolment['secret']}" in enrolment["otpauth_uri"]
    bad = client.post(STATUS + "/confirm", {"code": "000000"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "second_factor_bad_code"
    device = TOTPDevice.objects.get(user__username="new_staff")
    confirmed = client.post(
        STATUS + "/confirm",
        {"code": second_factor.current_code(device)},
        content_type="application/json",
    )
    assert confirmed.status_code == 200
    assert len(confirmed.json()["recovery_codes"]) == 10
    assert client.get("/api/v1/me").status_code == 200
    again = client.post(STATUS + "/enrol")
    assert again.status_code == 400 and again.json()["code"] == "second_factor_enrolled"


def test_the_api_verifies_a_password_session(personas: Personas) -> None:
    client = password_only("reviewer_a")
    response = client.post(
        STATUS + "/verify", {"code": otp_code(personas.reviewer_a)}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["verified"] is True
    assert client.get("/api/v1/review/inbox/").status_code == 200


def test_recovery_codes_by_api_need_a_verified_session(personas: Personas) -> None:
    client = password_only("reviewer_a")
    refused = client.post(STATUS + "/recovery-codes")
    assert refused.status_code == 400
    client.post(
        STATUS + "/verify", {"code": otp_code(personas.reviewer_a)}, content_type="application/json"
    )
    assert len(client.post(STATUS + "/recovery-codes").json()["recovery_codes"]) == 10


def test_applicants_have_no_second_factor_to_enrol(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.applicant)
    response = client.post(STATUS + "/enrol")
    assert response.status_code == 400
    assert response.json()["code"] == "second_factor_not_required"


# --- reset, disabling, session limits ---------------------------------------------------------
def test_a_reset_ends_every_session_and_the_next_sign_in_enrols_again(personas: Personas) -> None:
    browser, api = Client(), Client()
    browser.force_login(personas.clerk)
    token = token_post(
        {"username": "clerk", "password": PASSWORD, "otp": otp_code(personas.clerk)}
    ).json()["token"]
    second_factor.second_factor_reset(user=personas.clerk)
    response = browser.get("/intake/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert api.get("/api/v1/me", headers={"Authorization": f"Token {token}"}).status_code == 401
    client = password_only("clerk")
    assert "绑定动态口令" in client.get(TWO_FA).content.decode()


def test_disabling_a_staff_account_ends_its_sessions_at_once(personas: Personas) -> None:
    browser = Client()
    browser.force_login(personas.reviewer_a)
    token = Token.objects.create(user=personas.reviewer_a)
    assert browser.get("/review/").status_code == 200
    personas.reviewer_a.is_active = False
    services.user_admin_save(user=personas.reviewer_a, actor=personas.admin)
    assert browser.get("/review/")["Location"].startswith(LOGIN)
    assert browser.get("/api/v1/me").status_code in (401, 403)
    assert not Token.objects.filter(key=token.key).exists()


def test_signing_in_rotates_the_session_key(personas: Personas) -> None:
    client = Client()
    client.get(LOGIN)
    client.session.save()
    anonymous_key = client.session.session_key
    client.post(LOGIN, {"username": "clerk", "password": PASSWORD})
    assert client.session.session_key != anonymous_key


def test_an_idle_staff_session_ends(personas: Personas, settings: Any) -> None:
    settings.STAFF_IDLE_MINUTES = 30
    start = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        client.force_login(personas.clerk)
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/intake/").status_code == 200  # active: the idle clock restarts
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/intake/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/intake/")
        assert response["Location"].startswith(LOGIN)
        api = client.get("/api/v1/me")
        assert api.status_code in (401, 403)


def test_an_idle_staff_api_session_gets_a_401(personas: Personas, settings: Any) -> None:
    settings.STAFF_IDLE_MINUTES = 30
    start = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        client.force_login(personas.clerk)
        clock.shift(dt.timedelta(minutes=settings.STAFF_IDLE_MINUTES + 1))
        response = client.get("/api/v1/me")
        assert response.status_code == 401
        assert response.json()["code"] == "session_expired"


def test_a_staff_session_ends_after_its_absolute_limit(personas: Personas, settings: Any) -> None:
    settings.STAFF_IDLE_MINUTES = 30
    settings.STAFF_SESSION_HOURS = 12
    start = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        client.force_login(personas.clerk)
        for _ in range(12 * 3):  # busy all day: a request every 20 minutes
            clock.shift(dt.timedelta(minutes=20))
            assert client.get("/api/v1/me").status_code == 200
        clock.shift(dt.timedelta(minutes=20))
        assert client.get("/intake/")["Location"].startswith(LOGIN)


def test_an_applicant_session_has_no_staff_idle_limit(personas: Personas, settings: Any) -> None:
    settings.STAFF_IDLE_MINUTES = 30
    start = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        client.force_login(personas.applicant)
        clock.shift(dt.timedelta(hours=3))
        assert client.get("/api/v1/me").status_code == 200
