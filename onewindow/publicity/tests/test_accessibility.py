"""Zero axe violations on the announcement, publicity, help and site pages, public and staff
(the journey of portal/tests/test_accessibility.py, on these pages, over the demo data)."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.portal.tests.test_accessibility import (  # noqa: F401  (fixtures)
    CHROMIUM,
    _async_unsafe_allowed,
    browser,
    sign_in,
    violations_of,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]


def _stops() -> list[tuple[str | None, list[str]]]:
    from onewindow.accounts.models import User
    from onewindow.publicity.models import Announcement, Objection, Publicity, PublicityStatus
    from onewindow.sitehelp.services import error_report_submit

    error_report_submit(page_url="/guides/", description="<b>电话号码有误</b>")
    announcement = Announcement.objects.order_by("-pk").first()
    open_ = Publicity.objects.filter(status=PublicityStatus.OPEN).order_by("-pk").first()
    archived = Publicity.objects.filter(status=PublicityStatus.ARCHIVED).order_by("-pk").first()
    assert announcement and open_ and archived
    objection = Objection.objects.order_by("pk").first()
    assert objection is not None
    answerer = (
        User.objects.filter(department_id=objection.department_id, role="reviewer")
        .order_by("pk")
        .first()
    )
    assert answerer is not None
    answerer.set_password("demo-2015")
    answerer.save()
    return [
        (
            None,
            [
                "/announcements/",
                f"/announcements/{announcement.pk}/",
                "/publicity/",
                "/publicity/archive/?q=许可",
                f"/publicity/{open_.pk}/",
                f"/publicity/{archived.pk}/",
                "/help/",
                "/help/register/",
                "/links/",
                "/report-error/?page=/guides/",
                "/sitemap/",
            ],
        ),
        ("applicant", [f"/publicity/{open_.pk}/", f"/publicity/{objection.publicity_id}/"]),
        (
            answerer.username,
            ["/publicity/objections/?status=all", f"/publicity/objections/{objection.pk}/"],
        ),
        (
            "admin",
            [
                "/announcements/manage/",
                "/announcements/manage/new/",
                f"/announcements/manage/{announcement.pk}/",
                "/site-admin/error-reports/",
                "/admin/publicity/publicityrule/",
                "/admin/sitehelp/link/",
            ],
        ),
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_publicity_and_help_pages_have_no_axe_violations(
    live_server: Any,
    browser: Any,  # noqa: F811  (the imported fixture)
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    from onewindow.demo.catalog import load_demo

    load_demo(cases=60)
    axe = Axe()
    found: list[str] = []
    for username, paths in _stops():
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        if username:
            sign_in(page, live_server.url, username)
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, (path, username)
            found += violations_of(axe, page, f"[{username or 'public'}] {path}")
        context.close()
    assert found == [], "axe violations:\n" + "\n".join(found)
