"""The theme application page in a real browser: the signboard item and its material appear only
when "是否设置户外招牌？" is answered 是 (the page script; the server decides on its own,
docs/rules/bundles.md §R4), each shared field is one input, one submission files the bundle."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from onewindow.bundles.models import Bundle
from onewindow.bundles.tests.world import cases_of, make_world
from onewindow.cases.tests.conftest import PDF_BYTES
from onewindow.testing import PASSWORD

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path("/tmp/ow-bundle-apply.png")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

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
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        yield context.new_page()
        browser.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_signboard_answer_shows_and_hides_the_conditional_item(
    live_server, personas, page, tmp_path
):
    w = make_world(personas)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF_BYTES)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", w.p.enterprise.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action$='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/themes/{w.theme.code}/apply/")
    signboard = page.locator("li[data-when='signboard:yes']")
    assert signboard.is_hidden()
    page.check("input[name=answer-signboard][value=yes]")
    assert signboard.is_visible()
    page.check("input[name=answer-signboard][value=no]")
    assert signboard.is_hidden()
    assert page.locator("input[name=form-project_name]").count() == 1
    page.fill("input[name=form-project_name]", "鄂州市示范餐饮店")
    for part, value in (("province", "湖北省"), ("city", "鄂州市"), ("district", "鄂城区")):
        page.fill(f"input[name=form-premises_address_{part}]", value)
    page.fill("input[name=form-premises_address_detail]", "古楼街道滨湖南路 8 号")
    page.fill("input[name=form-contact_name]", "孙强")
    page.fill("input[name=form-contact_phone]", "13907110002")
    page.fill("input[name=form-application_date]", "2025-09-29")
    page.select_option("select[name=form-application_type]", "新办")
    for upload in page.locator("input[type=file]").all():
        if upload.is_visible():
            upload.set_input_files(str(scan))
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.click("#bundle-form button[type=submit]")
    page.wait_for_url("**/bundles/*/")
    assert "各事项办理进度" in page.content()
    bundle = Bundle.objects.get()
    assert [c.department for c in cases_of(bundle)] == w.departments[:3]
