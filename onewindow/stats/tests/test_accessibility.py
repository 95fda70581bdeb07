"""The statistics pages have zero axe violations in a real browser (charts hidden from
assistive technology, each followed by its data table with caption and column headers)."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.portal.tests.test_accessibility import CHROMIUM, SHOTS, violations_of
from onewindow.stats import services
from onewindow.stats.tests.world import make_world
from onewindow.testing import browser_sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]


@pytest.fixture(autouse=True)
def _async_unsafe_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Playwright's sync API runs an event loop in this thread (as in the portal's axe test).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _visit(
    browser: Any, base: str, paths: list[str], *, user: Any = None, password: str = ""
) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    if user is not None:
        browser_sign_in(page, base, user, password)
    found: list[str] = []
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status in (200, 400), path
        # the charts are drawn (inline SVG) and hidden from assistive technology
        if response.status == 200:
            assert page.locator(".stats-chart svg[aria-hidden=true]").count() >= 1, path
        found += violations_of(axe, page, path)
        SHOTS.mkdir(parents=True, exist_ok=True)
        slug = "".join(c if c.isalnum() else "-" for c in path).strip("-")
        page.screenshot(path=str(SHOTS / f"{slug}.png"), full_page=True)  # for a look
    context.close()
    return found


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_statistics_pages_have_no_axe_violations(live_server, browser, personas):
    world = make_world(personas)
    services.rebuild()
    found = _visit(
        browser,
        live_server.url,
        ["/stats/", "/stats/?year=2025&month=3", "/stats/?year=2025&month=13"],
    )
    found += _visit(
        browser,
        live_server.url,
        ["/stats/dashboard/", f"/stats/items/{world.item.pk}/stages/"],
        user=personas.supervisor,
        password=personas.password,
    )
    assert found == [], "axe violations:\n" + "\n".join(found)
