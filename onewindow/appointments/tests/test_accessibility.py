"""Zero axe violations on the appointment pages, for the applicant, the clerk and the centre
(the journey of portal/tests/test_accessibility.py, over the demo data)."""

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


def _stops() -> list[tuple[str, list[str]]]:
    from onewindow.appointments.models import Appointment, ServiceRequest
    from onewindow.calendars.selectors import get_calendar
    from onewindow.core import clock

    appointment = Appointment.objects.order_by("pk").first()
    request = ServiceRequest.objects.order_by("pk").first()
    assert appointment is not None and request is not None and appointment.item is not None
    day = get_calendar().next_working_day(clock.today()).date
    return [
        (
            "applicant",
            [
                "/appointments/",
                f"/appointments/book/?item={appointment.item.code}&day={day.isoformat()}",
                f"/appointments/{appointment.pk}/",
                "/appointments/services/new/",
                f"/appointments/services/{request.pk}/",
            ],
        ),
        ("clerk", ["/appointments/desk/", "/appointments/services/new/"]),
        (
            "admin",
            [
                "/appointments/hall/",
                "/appointments/services/",
                f"/appointments/services/{request.pk}/",
            ],
        ),
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_appointment_pages_have_no_axe_violations(
    live_server: Any,
    browser: Any,  # noqa: F811  (the imported fixture)
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    from onewindow.demo.catalog import load_demo

    load_demo(cases=8)
    axe = Axe()
    found: list[str] = []
    for username, paths in _stops():
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        sign_in(page, live_server.url, username)
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, (path, username)
            found += violations_of(axe, page, f"[{username}] {path}")
        context.close()
    assert found == [], "axe violations:\n" + "\n".join(found)
