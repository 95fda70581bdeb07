"""docs/decisions.md §S3 in a real browser: the main pages of every role, the admin and the API docs
(Swagger UI, Redoc) run under the Content-Security-Policy without a single violation."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from onewindow.portal.tests.test_browser import ARGS, CHROMIUM
from onewindow.testing import PASSWORD, browser_sign_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]

# Every violation the page reports, kept on window for the test to read.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""

PUBLIC = [
    "/",
    "/guides/",
    "/power-list/",
    "/fee-list/",
    "/lists/",
    "/lists/cleanup/",
    "/progress/",
    "/verify/",
    "/accounts/login/",
]
BY_ROLE = {
    "applicant": ["/my/cases/", "/apply/"],
    "clerk": ["/intake/", "/intake/new/", "/deliveries/"],
    "reviewer_a": ["/review/"],
    "approver_a": ["/review/decisions/"],
    "supervisor": [
        "/supervision/cards/",
        "/supervision/feed/",
        "/supervision/reports/",
        "/supervision/scores/",
    ],
    "admin": [
        "/admin/",
        "/admin/catalog/region/",
        "/admin/catalog/itemversion/",
    ],
    "security": ["/accounts/security/", "/accounts/2fa/"],
}


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        yield launched
        launched.close()


def _visit(page: Any, url: str, console: list[str]) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    seen = page.evaluate("window.__csp")
    seen += [m for m in console if "Content Security Policy" in m]
    console.clear()
    return [f"{url}: {v}" for v in seen]


def _context(browser: Any) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    return context, page, console


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_page_reports_a_csp_violation(live_server, catalog, personas, browser):
    violations: list[str] = []
    context, page, console = _context(browser)
    for path in [*PUBLIC, f"/guides/{catalog.food.item.code}/", "/api/v1/docs/", "/api/v1/redoc/"]:
        violations += _visit(page, live_server.url + path, console)
    # The API readers really drew the document (scripts ran, styles applied).
    page.goto(live_server.url + "/api/v1/docs/")
    page.wait_for_selector(".opblock-tag", timeout=20000)
    page.goto(live_server.url + "/api/v1/redoc/")
    page.wait_for_selector("[role=search], .menu-content", timeout=20000)
    violations += _visit(page, live_server.url + "/api/v1/redoc/", console)
    context.close()

    for name, paths in BY_ROLE.items():
        context, page, console = _context(browser)
        browser_sign_in(page, live_server.url, personas.get(name), PASSWORD)
        page.wait_for_load_state("networkidle")
        for path in paths:
            violations += _visit(page, live_server.url + path, console)
        context.close()
    assert violations == [], "\n".join(violations)
