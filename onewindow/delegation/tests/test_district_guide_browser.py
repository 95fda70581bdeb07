"""The guide's "各区实施差异" section in a real browser: shown, reachable from the page's
contents and free of axe violations (docs/decisions.md §U3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from onewindow.delegation.tests.test_district_lists import EXTRA, deviate
from onewindow.portal.tests.test_accessibility import violations_of

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sync_api = pytest.importorskip("playwright.sync_api")
    pytest.importorskip("axe_playwright_python")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        yield context.new_page()
        browser.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_district_section_of_the_guide_is_reachable_and_accessible(live_server, page, town):
    from axe_playwright_python.sync_playwright import Axe

    deviate(town)
    response = page.goto(f"{live_server.url}/guides/{town.version.item.code}/")
    assert response is not None and response.status == 200
    page.get_by_role("link", name="各区实施差异").click()
    section = page.locator("#district-deviations")
    assert section.is_visible()
    text = section.inner_text()
    assert EXTRA in text and "鄂城区市场监督管理局" in text and "第十二条" in text
    assert violations_of(Axe(), page, "guide with district deviations") == []
