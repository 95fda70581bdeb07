"""The rating pad in a real browser: armed → one tap → thanks → back to waiting by itself (the
static script), with zero axe violations on each screen (docs/rules/satisfaction.md §E4)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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
def test_the_pad_rates_thanks_and_waits_with_no_axe_violations(live_server, browser, personas):
    from axe_playwright_python.sync_playwright import Axe

    from onewindow.ratings import services
    from onewindow.ratings.models import Rating

    window = personas.window
    token = services.pad_token_issue(window)
    services.pad_arm(window, personas.clerk, description="咨询营业执照办理", rater_name="赵先生")
    url = f"{live_server.url}/ratings/pad/{window.pk}/{token}/"
    axe = Axe()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.goto(url)
    found = violations(axe, page, "armed")
    assert page.locator("button.pad-button").count() == 5
    page.get_by_role("button", name="非常满意").click()
    page.wait_for_url("**?done=1")
    assert page.get_by_role("heading", name="感谢您的评价！").is_visible()
    found += violations(axe, page, "thanks")
    # pad.js returns to the waiting screen by itself.
    page.wait_for_url(url, timeout=10_000)
    page.get_by_role("heading", name="请评价", exact=True).wait_for(timeout=10_000)
    assert page.locator("button.pad-button").count() == 0
    found += violations(axe, page, "idle")
    context.close()
    assert found == [], "axe violations:\n" + "\n".join(found)
    rating = Rating.objects.get()
    assert (rating.channel, rating.level) == ("pad", 5)
