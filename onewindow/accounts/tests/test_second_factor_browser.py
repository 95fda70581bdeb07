"""A staff member's first sign-in in a real browser: password, enrolment with the QR code's
secret, the recovery codes, then the desk (docs/decisions.md §S6); no axe violation on the way."""

from __future__ import annotations

import base64
import re
import time
from typing import Any

import pytest
from django_otp.oath import hotp

from onewindow.accounts import services
from onewindow.accounts.roles import Role
from onewindow.portal.tests.test_accessibility import CHROMIUM, SHOTS, violations_of
from onewindow.testing import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]


@pytest.fixture(autouse=True)
def _async_unsafe_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def app_code(secret: str) -> str:
    """What an authenticator app shows for ``secret`` now (RFC 6238)."""
    padded = secret + "=" * (-len(secret) % 8)
    return f"{hotp(base64.b32decode(padded), int(time.time()) // 30, digits=6):06d}"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_staff_member_enrols_and_reaches_their_desk(live_server, browser, personas):
    from axe_playwright_python.sync_playwright import Axe

    services.user_create(
        username="new_supervisor", password=PASSWORD, role=Role.SUPERVISOR, full_name="新监察员"
    )
    axe, base = Axe(), live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/supervision/cards/")
    page.fill("input[name=username]", "new_supervisor")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/accounts/2fa/" in page.url
    found: list[Any] = violations_of(axe, page, "enrolment")
    assert page.locator("figure.qr img").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "second-factor-enrolment.png"), full_page=True)
    secret = page.locator("[data-secret]").inner_text().replace(" ", "")
    page.fill("input[name=code]", "000000")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "动态口令不正确" in page.inner_text("main")
    found += violations_of(axe, page, "wrong code")
    time.sleep(1.1)  # django-otp's throttle: one second after the first wrong code
    page.fill("input[name=code]", app_code(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    found += violations_of(axe, page, "recovery codes")
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_load_state()
    assert page.url.endswith("/supervision/cards/")
    assert "/accounts/2fa/" not in page.url
    context.close()
    assert found == [], "axe violations:\n" + "\n".join(found)
