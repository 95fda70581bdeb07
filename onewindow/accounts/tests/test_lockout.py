"""docs/decisions.md §S1: repeated failed sign-ins lock the account and the client address out, on
the login page, the admin and the token API, with a Chinese message saying when to retry; an
administrator unlocks (admin or CLI); every attempt is logged.

Limits are the defaults: LOGIN_FAILURE_LIMIT 5 failures, LOGIN_COOLOFF_MINUTES 15.
Frozen at 2026-03-02 10:00 Beijing time (02:00 UTC): the lockout lasts until 10:15.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client

from onewindow.cli import main as cli_main
from onewindow.lib.idnumbers import mask_id_number
from onewindow.testing import PASSWORD, Personas

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/v1/auth/token"
NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Asia/Shanghai
LIMIT = 5


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def page_login(client: Client, username: str, password: str, ip: str = "198.51.100.1") -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def token_login(username: str, password: str, ip: str = "198.51.100.1") -> Any:
    return Client().post(
        TOKEN,
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def fail(times: int, username: str = "reviewer_a", ip: str = "198.51.100.1") -> None:
    codes = [page_login(Client(), username, "wrong-pass-123", ip).status_code for _ in range(times)]
    assert codes == [200] * (LIMIT - 1) + [429] if times == LIMIT else [200] * times


def test_the_fifth_failure_locks_the_account_with_a_chinese_message_and_retry_time(
    personas: Personas,
) -> None:
    fail(LIMIT - 1)
    response = page_login(Client(), "reviewer_a", "wrong-pass-123")
    assert response.status_code == 429
    html = response.content.decode()
    assert "登录失败次数过多" in html
    assert "10:15" in html and "15 分钟" in html
    # Even the right password is refused while locked, from any address.
    locked = page_login(Client(), "reviewer_a", PASSWORD, ip="203.0.113.50")
    assert locked.status_code == 429
    assert "_auth_user_id" not in locked.client.session


def test_every_login_name_of_an_account_counts_towards_its_one_lock(personas: Personas) -> None:
    """An applicant signs in with the ID number, the phone or the username: one account."""
    names = [personas.applicant.id_number, personas.applicant.phone]
    for n in range(LIMIT):
        page_login(Client(), names[n % 2], "wrong-pass-123", ip=f"198.51.100.{n + 10}")
    response = page_login(Client(), personas.applicant.username, PASSWORD, ip="203.0.113.9")
    assert response.status_code == 429


def test_an_address_trying_many_accounts_is_locked_out(personas: Personas) -> None:
    for name in ["reviewer_a", "reviewer_b", "handler_a", "clerk", "approver_a"]:
        page_login(Client(), name, "wrong-pass-123", ip="198.51.100.77")
    assert page_login(Client(), "chief_a", PASSWORD, ip="198.51.100.77").status_code == 429
    # Another address signs the same account in.
    assert page_login(Client(), "chief_a", PASSWORD, ip="198.51.100.78").status_code == 302


def test_the_token_api_locks_out_in_json_with_retry_after(personas: Personas) -> None:
    for _ in range(LIMIT - 1):
        assert token_login("reviewer_a", "wrong-pass-123").status_code == 400
    response = token_login("reviewer_a", "wrong-pass-123")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked_out"
    assert "10:15" in body["message"]
    assert int(response["Retry-After"]) == 15 * 60
    assert token_login("reviewer_a", PASSWORD, ip="203.0.113.5").status_code == 429


def test_the_admin_login_is_locked_out_too(personas: Personas) -> None:
    for _ in range(LIMIT):
        response = Client().post(
            ADMIN_LOGIN, {"username": "admin", "password": "wrong-pass-123"}, REMOTE_ADDR="1.2.3.4"
        )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_the_lock_ends_after_the_cool_off(personas: Personas, time_machine: Any) -> None:
    fail(LIMIT)
    time_machine.move_to(NOW + dt.timedelta(minutes=15, seconds=1), tick=False)
    assert page_login(Client(), "reviewer_a", PASSWORD).status_code == 302


def test_attempts_are_logged_and_kept(personas: Personas, caplog: Any) -> None:
    with caplog.at_level(logging.WARNING):
        fail(LIMIT)
    assert AccessFailureLog.objects.filter(username="reviewer_a").count() == LIMIT
    assert AccessAttempt.objects.filter(username="reviewer_a").exists()
    assert any(
        "reviewer_a" in r.getMessage() and "198.51.100.1" in r.getMessage()
        for r in caplog.records
        if "lock" in r.getMessage().lower()
    )


def test_the_security_administrator_lifts_a_lockout_on_the_console(personas: Personas) -> None:
    """docs/decisions.md §S9: lockouts are the security administrator's, not the system's."""
    fail(LIMIT)
    security = Client()
    security.force_login(personas.security)
    listing = security.get("/accounts/security/")
    assert listing.status_code == 200
    assert "reviewer_a" in listing.content.decode()  # the locked account is listed
    refused = security.post("/accounts/security/", {"username": "", "ip": ""})
    assert refused.status_code == 400 and "请填写要解锁的账号或地址" in refused.content.decode()
    assert AccessAttempt.objects.exists()
    done = security.post("/accounts/security/", {"username": "reviewer_a", "ip": ""})
    assert done.status_code == 302
    assert not AccessAttempt.objects.filter(username="reviewer_a").exists()
    assert page_login(Client(), "reviewer_a", PASSWORD, ip="203.0.113.9").status_code == 302


def test_a_locked_out_person_is_listed_by_name_and_masked_number(personas: Personas) -> None:
    """docs/rules/privacy.md §P2: the attempt tables hold the blind-index login name, never the ID
    number; the console shows whose it is without the number in full."""
    number = personas.applicant.id_number
    fail(LIMIT, username=number, ip="198.51.100.7")
    assert not AccessAttempt.objects.filter(username=number).exists()
    security = Client()
    security.force_login(personas.security)
    html = security.get("/accounts/security/").content.decode()
    assert f"张伟（{mask_id_number(number)}）" in html and number not in html


@pytest.mark.parametrize("name", ["admin", "supervisor", "auditor"])
def test_other_staff_cannot_see_the_attempts(personas: Personas, name: str) -> None:
    client = Client()
    client.force_login(personas.get(name))
    assert client.get("/admin/axes/accessattempt/").status_code in (302, 403, 404)
    assert client.get("/accounts/security/").status_code == 404


def test_the_cli_unlocks_an_account_or_an_address(personas: Personas, capsys: Any) -> None:
    fail(LIMIT)
    assert cli_main(["unlock", "--username", "reviewer_a"]) == 0
    assert "reviewer_a" in capsys.readouterr().out
    assert page_login(Client(), "reviewer_a", PASSWORD, ip="203.0.113.1").status_code == 302
    fail(LIMIT, username="nobody", ip="198.51.100.99")
    assert cli_main(["unlock", "--ip", "198.51.100.99"]) == 0
    assert page_login(Client(), "reviewer_b", PASSWORD, ip="198.51.100.99").status_code == 302


def test_the_cli_needs_an_account_or_an_address(personas: Personas) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["unlock"])
    assert exit_info.value.code == 2


def test_a_success_in_between_does_not_reset_the_address_count(personas: Personas) -> None:
    """Four guesses at other accounts, one sign-in to the caller's own, one more guess: locked."""
    ip = "198.51.100.60"
    for name in ["reviewer_b", "handler_a", "clerk", "approver_a"]:
        page_login(Client(), name, "wrong-pass-123", ip=ip)
    assert page_login(Client(), "reviewer_a", PASSWORD, ip=ip).status_code == 302
    assert page_login(Client(), "chief_a", "wrong-pass-123", ip=ip).status_code == 429


def test_the_security_administrator_unlocks_through_the_api(personas: Personas) -> None:
    fail(LIMIT)
    admin = Client()
    admin.force_login(personas.security)
    url = "/api/v1/auth/lockouts/unlock"
    bad = admin.post(url, {}, content_type="application/json")
    assert bad.status_code == 400
    assert "请填写要解锁的账号或地址" in bad.json()["message"] + str(bad.json().get("errors"))
    response = admin.post(url, {"username": "reviewer_a"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["removed"] >= 1
    assert page_login(Client(), "reviewer_a", PASSWORD, ip="203.0.113.3").status_code == 302


@pytest.mark.parametrize("name", ["admin", "auditor", "supervisor", "clerk", "applicant"])
def test_nobody_else_unlocks_through_the_api(personas: Personas, name: str) -> None:
    from onewindow.core.models import AccessDenied

    fail(LIMIT)
    client = Client()
    client.force_login(personas.get(name))
    response = client.post(
        "/api/v1/auth/lockouts/unlock", {"username": "reviewer_a"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert AccessDenied.objects.filter(target="lockouts").exists()
    assert AccessAttempt.objects.filter(username="reviewer_a").exists()
