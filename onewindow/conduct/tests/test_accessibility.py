"""The conduct pages have zero axe violations in a real browser: the public ranking, notices
and hall display, the supervisor's record form (with an error), records, evaluation and
rectifications, and the staff member's own record."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from onewindow.conduct import services
from onewindow.conduct.models import ConductConfig, DisciplineKind
from onewindow.portal.tests.test_accessibility import CHROMIUM, browser, violations_of
from onewindow.testing import browser_sign_in

from .world import NOV, TODAY, at, ratings, window

__all__ = ["browser"]  # the portal's fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]


@pytest.fixture(autouse=True)
def _async_unsafe_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _visit(
    browser: Any, base: str, steps: list[Any], *, user: Any = None, password: str = ""
) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    if user is not None:
        browser_sign_in(page, base, user, password)
    found: list[str] = []
    for step in steps:
        if isinstance(step, str):
            response = page.goto(f"{base}{step}")
            assert response is not None and response.status == 200, step
            found += violations_of(axe, page, step)
        else:
            found += step(page, axe)
    context.close()
    return found


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_conduct_pages_have_no_axe_violations(live_server, browser, personas):
    p = personas
    ConductConfig.objects.create(pk=1, ranking_size=1)
    b02 = window("B02")
    ratings(p.window, total=10, satisfied=9)
    ratings(b02, total=10, satisfied=5)
    record = services.discipline_record(
        actor=p.supervisor,
        staff=p.clerk,
        window_id=p.window.pk,
        kind=DisciplineKind.NOTICE,
        difficulty="door",
        reason="群众等候时不予理睬。",
        public_summary="窗口工作人员对等候群众不予理睬。",
        now=at("2025-11-20"),
    )
    with time_machine.travel(TODAY, tick=True):
        services.evaluation_compute(month=NOV)

    def refused_form(page: Any, axe: Any) -> list[str]:
        page.goto(f"{live_server.url}/conduct/records/new/")
        page.select_option("#staff", str(p.clerk.pk))
        page.select_option("#window", str(p.window.pk))
        page.select_option("#kind", DisciplineKind.WARNING)
        page.select_option("#difficulty", "face")
        page.fill("#reason", " ")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert "请填写处理的事实和理由。" in page.content()
        return violations_of(axe, page, "record_new (refused)")

    found = _visit(
        browser, live_server.url, ["/hall/red-flag/", "/hall/notices/", "/hall/display/red-flag/"]
    )
    found += _visit(
        browser,
        live_server.url,
        [
            "/conduct/records/",
            refused_form,
            f"/conduct/records/{record.pk}/",
            "/conduct/evaluation/?month=2025-11",
            "/conduct/rectifications/",
        ],
        user=p.supervisor,
        password=p.password,
    )
    found += _visit(
        browser,
        live_server.url,
        ["/my/conduct/", f"/conduct/records/{record.pk}/"],
        user=p.clerk,
        password=p.password,
    )
    found += _visit(
        browser, live_server.url, ["/conduct/settings/"], user=p.admin, password=p.password
    )
    assert found == [], "axe violations:\n" + "\n".join(found)
