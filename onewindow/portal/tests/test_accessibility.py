"""Zero axe violations on a journey through every role (docs/decisions.md §U3).

The demo city (catalog, personas and a few dozen generated cases, all through the real services)
is loaded into the test database; then a real browser signs in as each demo persona and visits
the pages that role works with: the public guide pages, the applicant's application (whose start
leaves a flash message) and dashboard, the clerk's intake queues and a case, the reviewer's and
approver's tasks and decision pages, the supervisor's console, cards and letters, the delivery
and certificate pages, and the admin. axe-core (bundled with axe-playwright-python, no CDN) runs
on each page; every violation of any impact fails the test, listed page by page.

At 1280 px the workbench's navigation of the role with the most columns (the chief) is one
row; screenshots of a few pages are left in /tmp for a look (``SHOTS``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from onewindow.accounts.models import User
from onewindow.testing import browser_sign_in

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/ow-axe")
DEMO_PASSWORD = "demo-2015"
DEMO_CASES = 40
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


@dataclass(frozen=True)
class Stop:
    """One page of the journey: its path, or a step that leaves the browser on it."""

    name: str
    path: str = ""
    act: Callable[[Any, str], None] | None = None  # (page, base URL) → on the page
    shot: bool = False


def demo_ids() -> dict[str, Any]:
    """Objects of the demo data each role's pages are about (the first that fits)."""
    from onewindow.accounts.models import User
    from onewindow.cases.models import Case, CaseStatus
    from onewindow.catalog.models import Item
    from onewindow.certificates.models import Certificate
    from onewindow.consult.models import Complaint, Question
    from onewindow.ratings.models import Appeal, BadReview
    from onewindow.review.models import Task
    from onewindow.supervision.models import Card, SupervisionLetter

    approver = User.objects.get(username="approver")
    dept = approver.department_id
    assert dept is not None
    lead = Task.objects.filter(is_lead=True, department_id=dept)
    # The clerk may read the results of their own department's cases only.
    certificate = (
        Certificate.objects.select_related("case")
        .filter(case__department_id=dept)
        .order_by("-pk")
        .first()
    )
    return {
        "item": Item.objects.filter(published_version__isnull=False, department_id=dept)
        .order_by("code")
        .values_list("code", flat=True)
        .first(),
        "intake_case": Case.objects.filter(department_id=dept)
        .exclude(status=CaseStatus.DRAFT)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first(),
        "task": Task.objects.filter(department_id=dept)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first(),
        "decision_case": lead.order_by("-pk").values_list("case_id", flat=True).first(),
        # A decided case: its page shows the whole history (steps, opinions, decision).
        "decided_case": lead.filter(case__decision__isnull=False)
        .order_by("-pk")
        .values_list("case_id", flat=True)
        .first(),
        "certificate_case": certificate.case_id if certificate else None,
        "verify_token": certificate.token if certificate else None,
        "card": Card.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "letter": SupervisionLetter.objects.order_by("-pk").values_list("pk", flat=True).first(),
        # Consultation (onewindow.demo.consult): a published FAQ, the applicant's question and
        # complaint, a question to the demo department, the clerk's staff record.
        "faq": Question.objects.filter(published=True).values_list("pk", flat=True).first(),
        "my_question": Question.objects.filter(asker__username="applicant")
        .order_by("pk")
        .values_list("pk", flat=True)
        .first(),
        "dept_question": Question.objects.filter(department_id=dept, published=True)
        .values_list("pk", flat=True)
        .first(),
        "complaint": Complaint.objects.filter(complainant__username="applicant")
        .order_by("pk")
        .values_list("pk", flat=True)
        .first(),
        "clerk": User.objects.get(username="clerk").pk,
        # The reviewer's department's bad reviews (docs/rules/satisfaction.md §E5).
        "bad_review": BadReview.objects.filter(department__staff__username="reviewer")
        .order_by("pk")
        .values_list("pk", flat=True)
        .first(),
        "appeal": Appeal.objects.order_by("pk").values_list("pk", flat=True).first(),
    }


def _start_application(page: Any, base: str, code: str) -> None:
    """The applicant opens a draft: the application page shows the flash message."""
    page.goto(f"{base}/apply/{code}/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/application/")
    assert page.locator(".messages .message").count() >= 1, "no flash message shown"


def journey(ids: dict[str, Any]) -> list[tuple[str | None, list[Stop]]]:
    """Who (a demo username, None for the public, "admin" through the admin login) sees what."""
    return [
        (
            None,
            [
                Stop("home", "/", shot=True),
                Stop("guide list", "/guides/"),
                Stop("guide", f"/guides/{ids['item']}/"),
                Stop("forms", "/forms/"),
                Stop("power list", "/power-list/"),
                Stop("fee list", "/fee-list/"),
                Stop("lists", "/lists/"),
                Stop("responsibility list", "/lists/responsibilities/"),
                Stop("department responsibilities", "/lists/responsibilities/departments/"),
                Stop("supervision list", "/lists/supervision/?method=double_random"),
                Stop("clean-up record", "/lists/cleanup/", shot=True),
                Stop("clean-up search, nothing found", "/lists/cleanup/?q=zzqx"),
                Stop("clean-up, page number refused", "/lists/cleanup/?page=abc"),
                Stop("progress query", "/progress/"),
                Stop("verify", "/verify/"),
                Stop("consultation", "/consult/"),
                Stop("faq", f"/consult/faq/{ids['faq']}/"),
                Stop("satisfaction", "/satisfaction/"),
                Stop("window ranking", "/satisfaction/ranking/"),
                *(
                    [Stop("verify result", f"/verify/{ids['verify_token']}/")]
                    if ids["verify_token"]
                    else []
                ),
                Stop("login", "/accounts/login/"),
                Stop("register", "/accounts/register/"),
                Stop("register person", "/accounts/register/person/"),
            ],
        ),
        (
            "applicant",
            [
                Stop("dashboard", "/my/cases/"),
                Stop("apply home", "/apply/"),
                Stop("apply start", f"/apply/{ids['item']}/"),
                Stop(
                    "application with a flash message",
                    act=lambda page, base: _start_application(page, base, ids["item"]),
                    shot=True,
                ),
                Stop("mandates", "/my/mandates/"),
                Stop("my ratings", "/my/ratings/"),
                Stop("password change", "/accounts/password/"),
                Stop("my questions and complaints", "/consult/mine/"),
                Stop("ask", f"/consult/ask/?item={ids['item']}"),
                Stop("my question", f"/consult/questions/{ids['my_question']}/"),
                Stop("complain", "/consult/complaints/new/"),
                Stop("my complaint", f"/consult/complaints/{ids['complaint']}/"),
            ],
        ),
        (
            "clerk",
            [
                Stop("intake queue", "/intake/", shot=True),
                Stop("corrections", "/intake/corrections/"),
                Stop("commitments", "/intake/commitments/"),
                Stop("material requests", "/intake/material-requests/"),
                Stop("walk-in items", "/intake/new/"),
                Stop("intake case", f"/intake/{ids['intake_case']}/"),
                Stop("deliveries", "/deliveries/"),
                Stop("rating pads", "/ratings/pads/"),
                *(
                    [Stop("certificate", f"/cases/{ids['certificate_case']}/certificate/")]
                    if ids["certificate_case"]
                    else []
                ),
            ],
        ),
        (
            "reviewer",
            [
                Stop("inbox", "/review/"),
                Stop("questions", "/consult/inbox/"),
                Stop("question", f"/consult/questions/{ids['dept_question']}/"),
                Stop("bad reviews", "/ratings/bad-reviews/"),
                *(
                    [Stop("bad review", f"/ratings/bad-reviews/{ids['bad_review']}/")]
                    if ids["bad_review"]
                    else []
                ),
                Stop("task", f"/review/tasks/{ids['task']}/", shot=True),
                Stop("letters (department)", "/supervision/letters/"),
                Stop("reports (department)", "/supervision/reports/"),
                Stop("scores (department)", "/supervision/scores/"),
            ],
        ),
        (
            "approver",
            [
                Stop("decisions", "/review/decisions/"),
                Stop("publish faq", f"/consult/questions/{ids['dept_question']}/publish/"),
                Stop("decision", f"/review/decisions/{ids['decision_case']}/"),
                Stop("decided", f"/review/decisions/{ids['decided_case']}/", shot=True),
            ],
        ),
        # ALL Art. 42 (docs/rules/licensing.md §B2): extensions are the agency head's (joint
        # handling: the government head's) to approve, not the approver's.
        ("head", [Stop("extensions", "/review/extensions/")]),
        ("gov_head", [Stop("extensions (joint handling)", "/review/extensions/")]),
        (
            "supervisor",
            [
                Stop("console", "/supervision/cases/", shot=True),
                Stop("console case", f"/supervision/cases/{ids['decision_case']}/"),
                Stop("feed", "/supervision/feed/"),
                Stop("cards", "/supervision/cards/"),
                Stop("card", f"/supervision/cards/{ids['card']}/"),
                Stop("letters", "/supervision/letters/"),
                Stop("letter", f"/supervision/letters/{ids['letter']}/"),
                Stop("new letter", "/supervision/letters/new/"),
                Stop("reports", "/supervision/reports/"),
                Stop("risks", "/supervision/risks/"),
                Stop("scores", "/supervision/scores/"),
                Stop("score scheme", "/supervision/scores/scheme/"),
                Stop("complaints", "/consult/complaints/"),
                Stop("complaint", f"/consult/complaints/{ids['complaint']}/"),
                Stop("staff record", f"/consult/staff/{ids['clerk']}/"),
                Stop("appeals", "/ratings/appeals/"),
                *([Stop("appeal", f"/ratings/appeals/{ids['appeal']}/")] if ids["appeal"] else []),
            ],
        ),
        (
            "admin",
            [
                Stop("admin index", "/admin/", shot=True),
                Stop("admin holiday years", "/admin/calendars/holidayyear/"),
                Stop("admin items", "/admin/catalog/item/"),
                Stop("admin users", "/admin/accounts/user/"),
            ],
        ),
    ]


def sign_in(page: Any, base: str, username: str) -> None:
    """The demo user's password, then (staff) the code of the demo's published secret."""
    login = "/admin/login/" if username == "admin" else "/accounts/login/"
    user = User.objects.get(username=username)
    browser_sign_in(page, base, user, DEMO_PASSWORD, login=login)


def violations_of(axe: Any, page: Any, where: str) -> list[str]:
    results = axe.run(page)
    found = []
    for v in results.response["violations"]:
        targets = "; ".join(",".join(node["target"]) for node in v["nodes"][:5])
        found.append(f"{where}: {v['id']} ({v['impact']}, {len(v['nodes'])}×) {targets}")
    return found


def walk(browser: Any, base: str, ids: dict[str, Any], *, shots: Path | None = None) -> list[str]:
    """Every stop of the journey, each role in its own browser context; the violations found."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found: list[str] = []
    for username, stops in journey(ids):
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        if username:
            sign_in(page, base, username)
        for stop in stops:
            if stop.act is not None:
                stop.act(page, base)
            else:
                response = page.goto(f"{base}{stop.path}")
                assert response is not None and response.status == 200, (stop.path, username)
            where = f"[{username or 'public'}] {stop.name} {page.url.removeprefix(base)}"
            found += violations_of(axe, page, where)
            if shots is not None and stop.shot:
                shots.mkdir(parents=True, exist_ok=True)
                name = f"{username or 'public'}-{stop.name.replace(' ', '-')}.png"
                page.screenshot(path=str(shots / name), full_page=True)
        context.close()
    return found


def nav_rows(page: Any, selector: str = ".site-nav .nav-list > li") -> int:
    """How many rows the navigation's items take (distinct top offsets)."""
    return int(
        page.evaluate(
            f"new Set([...document.querySelectorAll({selector!r})]"
            ".map(li => Math.round(li.getBoundingClientRect().top))).size"
        )
    )


@pytest.fixture(autouse=True)
def _async_unsafe_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here are still
    # synchronous and safe. Set for these tests only: set at import, it leaked into every later
    # test and the subprocesses they start (check --deploy reports it as async.E001).
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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_role_s_pages_have_no_axe_violations(live_server, browser):
    from onewindow.demo.catalog import load_demo

    load_demo(cases=DEMO_CASES)
    ids = demo_ids()
    needed: tuple[str, ...] = (
        "item",
        "intake_case",
        "task",
        "decision_case",
        "decided_case",
        "card",
        "letter",
    )
    needed += ("faq", "my_question", "dept_question", "complaint")
    assert all(ids[k] for k in needed), ids
    found = walk(browser, live_server.url, ids, shots=SHOTS)
    assert found == [], "axe violations:\n" + "\n".join(found)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_workbench_navigation_is_one_row_at_1280_px(live_server, browser, personas):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    browser_sign_in(page, live_server.url, personas.chief_a)
    for path in ["/review/", "/review/decisions/", "/guides/"]:
        page.goto(f"{live_server.url}{path}")
        assert nav_rows(page) == 1, path
    page.goto(f"{live_server.url}/review/")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chief-workbench-1280.png"))
    context.close()
