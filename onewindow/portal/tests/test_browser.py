"""The portal in a real browser: keyboard search, the guide, a download, English, print."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the fixtures
# are still synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path("/tmp/ow-portal-shot.png")
SCREENSHOT_EN = Path("/tmp/ow-portal-shot-en.png")
SCREENSHOT_HOME = Path("/tmp/ow-portal-home.png")
SCREENSHOT_LIST = Path("/tmp/ow-portal-list.png")
SCREENSHOT_MOBILE = Path("/tmp/ow-portal-mobile.png")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]


@pytest.fixture
def page() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        context = browser.new_context(
            locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        yield context.new_page()
        browser.close()


def tab_to(page: Any, test: str, limit: int = 60) -> None:
    """Press Tab until the focused element satisfies the JS predicate ``test`` (on ``el``)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {test}; }})()"):
            return
    raise AssertionError(f"keyboard focus never reached: {test}")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_search_with_the_keyboard_open_the_guide_download_and_switch_to_english(
    live_server, catalog, page
):
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "鄂州市政务服务网上办事大厅"
    page.screenshot(path=str(SCREENSHOT_HOME), full_page=True)

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    tab_to(page, "el.id === 'home-q'")
    page.keyboard.type("食品")
    page.keyboard.press("Enter")
    page.wait_for_url("**/guides/?q=*")
    results = page.locator("ol.results h2 a").all_inner_texts()
    assert sorted(results) == ["食品小经营许可", "食品经营许可"]
    page.screenshot(path=str(SCREENSHOT_LIST), full_page=True)

    tab_to(page, "el.textContent.trim() === '食品经营许可'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/guides/SP-JY-001/")
    rows = page.locator("table.materials tbody tr")
    assert rows.count() == 3
    assert "食品经营许可申请书" in rows.nth(0).inner_text()
    assert "营业执照" in rows.nth(1).inner_text()
    assert page.locator("[data-print]").is_visible()  # the script un-hid the print button

    with page.expect_download() as download:
        page.locator("table.materials a", has_text="空白表格").first.click()
    assert download.value.suggested_filename == "食品经营许可申请书.docx"

    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.emulate_media(media="print")
    assert page.locator(".site-nav").is_hidden()
    assert page.locator(".lang-switch").is_hidden()
    page.emulate_media(media="screen")

    page.locator(".lang-switch button[value='en']").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.endswith("/guides/SP-JY-001/")
    assert page.locator("#materials-title").inner_text() == "Application materials"
    page.screenshot(path=str(SCREENSHOT_EN), full_page=False)

    # On a phone nothing but the wide tables' own scroll areas may scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ["/guides/?q=%E9%A3%9F%E5%93%81", "/guides/SP-JY-001/", "/power-list/", "/forms/"]:
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    page.goto(f"{live_server.url}/guides/?q=%E9%A3%9F%E5%93%81")
    page.screenshot(path=str(SCREENSHOT_MOBILE), full_page=True)
