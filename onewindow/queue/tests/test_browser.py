"""The kiosk, the ticket and the calling display in a real browser with zero axe violations
(docs/rules/hall.md §J13, §J15); the display picks up a new call by itself (static/queue/
display.js) and its sound starts muted until the button is pressed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]


@pytest.fixture(autouse=True)
def _async_unsafe_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def mid_morning() -> Iterator[None]:
    """The hall shows today's tickets and calls: at 23:59 a call made before midnight is gone
    from the display's poll after it (CI failed on exactly that), so these tests run at 10:00
    of today's date, the clock ticking for the live server and the browser's polls."""
    from onewindow.core import clock
    from onewindow.queue.tests.conftest import SHANGHAI

    moment = dt.datetime.combine(clock.today(), dt.time(10, 0), tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=True):
        yield


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    pytest.importorskip("axe_playwright_python")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        yield browser
        browser.close()


def violations(axe: Any, page: Any, where: str) -> list[str]:
    return [
        f"{where}: {v['id']} ({v['impact']}) "
        + "; ".join(",".join(n["target"]) for n in v["nodes"][:5])
        for v in axe.run(page).response["violations"]
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_kiosk_ticket_and_display_with_no_axe_violations(
    live_server, browser, personas, mid_morning
):
    from axe_playwright_python.sync_playwright import Axe

    from onewindow.queue import services
    from onewindow.queue.models import Ticket
    from onewindow.queue.tests.conftest import make_hall

    hall = make_hall(personas)
    axe = Axe()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()

    page.goto(f"{live_server.url}/queue/kiosk/")
    found = violations(axe, page, "kiosk")
    page.get_by_label("老年人").check()
    page.get_by_role("button", name="A 市场准入").click()
    page.wait_for_url("**/queue/ticket/**")
    assert page.locator("[data-ticket-number]").inner_text() == "V001"
    assert "前面还有 0 人" in page.locator("[data-ticket-ahead]").inner_text()
    assert page.get_by_role("button", name="打印号票").is_visible()  # shown by kiosk.js
    found += violations(axe, page, "ticket")

    page.goto(f"{live_server.url}/queue/kiosk/")
    page.get_by_role("button", name="预约取号").click()  # no code: refused with a message
    assert page.get_by_role("alert").inner_text().startswith("请选择办理事项或业务类别")
    found += violations(axe, page, "kiosk error")
    assert Ticket.objects.count() == 1

    page.goto(f"{live_server.url}/queue/display/")
    found += violations(axe, page, "display, nothing called")
    sound = page.get_by_role("button", name="开启提示音")
    assert sound.get_attribute("aria-pressed") == "false"  # muted until someone clicks
    sound.click()
    assert page.get_by_role("button", name="关闭提示音").get_attribute("aria-pressed") == "true"
    services.call_next(hall.a01, personas.clerk)
    # display.js polls every 5 s and announces the call
    page.locator("[data-latest-text]").filter(has_text="请 V001 号到 A01 号窗口办理").wait_for(
        timeout=15_000
    )
    assert "V001" in page.locator(".display-current").first.inner_text()
    found += violations(axe, page, "display, after a call")
    context.close()
    assert found == [], "axe violations:\n" + "\n".join(found)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_clerks_window_and_the_times_page_have_no_axe_violations(
    live_server, browser, personas, mid_morning
):
    from axe_playwright_python.sync_playwright import Axe
    from django.conf import settings
    from django.test import Client

    from onewindow.queue import services
    from onewindow.queue.services import IssueRequest
    from onewindow.queue.tests.conftest import make_hall

    hall = make_hall(personas)
    for priority in ("", "elderly", ""):
        services.issue(IssueRequest(line_id=hall.line_a.pk, priority=priority), source="kiosk")
    services.call_next(hall.a01, personas.clerk)
    services.issue(IssueRequest(line_id=hall.line_a.pk), source="kiosk")
    axe = Axe()
    found: list[str] = []
    for user, path, heading in (
        (personas.clerk, f"/queue/windows/{hall.a01.pk}/", "窗口叫号：A01 市场准入综合窗口"),
        (personas.supervisor, "/queue/times/", "等候和办理用时"),
    ):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        page = context.new_page()
        page.goto(f"{live_server.url}{path}")
        assert page.get_by_role("heading", level=1).inner_text() == heading
        found += violations(axe, page, path)
        context.close()
    assert found == [], "axe violations:\n" + "\n".join(found)
