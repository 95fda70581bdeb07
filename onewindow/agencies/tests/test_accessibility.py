"""Zero axe violations on the market's pages, public, applicant, agency and administrator (the
journey of portal/tests/test_accessibility.py, on these pages, over the demo data)."""

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
    from onewindow.agencies import services
    from onewindow.agencies.models import Agency, ServiceRequirement, ServiceType
    from onewindow.cases.models import Case

    applicant = User.objects.get(username="applicant")
    case = (
        Case.objects.filter(applicant=applicant)
        .exclude(status__in=services.CLOSED_CASE)
        .order_by("pk")
        .first()
    )
    assert case is not None
    survey = ServiceType.objects.get(code="survey")
    requirement, _created = ServiceRequirement.objects.get_or_create(
        item_id=case.item_version.item_id,
        service_type=survey,
        defaults={"qualification_name": "测绘资质", "legal_basis": "《测绘法》第二十七条"},
    )
    selection = services.select_draw(case=case, requirement=requirement, actor=applicant)
    agency = Agency.objects.order_by("pk").first()
    assert agency is not None
    return [
        (None, ["/agencies/", "/agencies/?q=测绘", f"/agencies/{agency.pk}/"]),
        (
            "applicant",
            [
                "/agencies/mine/",
                f"/agencies/cases/{case.pk}/",
                f"/agencies/selections/{selection.pk}/",
            ],
        ),
        ("agency", ["/agencies/desk/"]),
        ("admin", ["/agencies/manage/", "/admin/agencies/agency/"]),
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_market_pages_have_no_axe_violations(
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
