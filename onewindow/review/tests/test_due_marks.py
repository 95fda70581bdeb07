"""docs/rules/workdays.md §A5: one due-date value (date, provisional, paused) on every page and API.

The item of ``decision_world``: lead department A 19 working days, co-department B 15, one day of
consolidation, committed and statutory limit 20. chinesecalendar carries 2026; 2027 has no
arrangement loaded, so its provisional calendar (weekends, 元旦 Jan 1, …) applies (A4).

Counted by hand (A2: the start day is not counted):

* FAR, submitted and accepted Wed 2026-12-16. Intake 5 days: Dec 17, 18, 21, 22, 23 →
  **2026-12-23** (inside 2026: never marked). 15 days: Dec 17–31 holds 11 working days, Jan 1
  is 元旦, then Jan 4, 5, 6, 7 → **2027-01-07** (B's task); 19 → Jan 8, 11, 12, 13 →
  **2027-01-13** (A's task); 20 → **2027-01-14** (the case, committed and statutory). The three
  reach 2027: marked 临时.
* NEAR, accepted Mon 2026-11-02: 15 → **2026-11-23**, 19 → **2026-11-27**, 20 → **2026-11-30**
  (Nov 3–6, 9–13, 16–20, 23–27, 30): inside 2026, never marked.
* PAUSED, NEAR's dates, testing (检验检测) started Fri 2026-11-20 and still running on Tue
  2026-12-01: B's 2026-11-23, A's 2026-11-27 and the case's 2026-11-30 have passed, but the
  clock stands still (B4), so every page shows 暂停计时 and no 已逾期.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.uploads import case_file_add
from onewindow.review.models import Task
from onewindow.review.services.decisions import suspension_start
from onewindow.review.tests.decision_world import at, case_in_review, make_world

FAR_MARKED = {"2027-01-07", "2027-01-13", "2027-01-14"}
FAR_UNMARKED = "2026-12-23"
NEAR_DATES = {"2026-11-23", "2026-11-27", "2026-11-30"}
DUE_TIME = re.compile(
    r'<time datetime="(\d{4}-\d\d-\d\d)">[^<]*</time>(<span class="due-provisional")?'
)


@pytest.fixture
def dworld(personas):
    return make_world(personas)


def _task(case: Case, department: Any) -> Task:
    return Task.objects.get(case=case, department=department)


def _pages(w: Any, case: Case) -> list[tuple[Any, str]]:
    """(who, URL) of every page showing this case's due dates, one or more per role."""
    p = w.p
    lead, co = _task(case, p.dept_a), _task(case, p.dept_b)
    return [
        (None, f"/progress/?number={case.number}&code={case.query_code}"),
        (p.applicant, "/my/cases/"),
        (p.clerk, f"/intake/{case.pk}/"),
        (p.handler_a, "/review/"),
        (p.handler_a, f"/review/tasks/{lead.pk}/"),
        # B's task is at its handle step, which the reviewer's pending inbox leaves out (the
        # inbox holds the tasks at the user's own step, docs/decisions.md §O2): the whole list has
        # it.
        (p.reviewer_b, "/review/?status=all"),
        (p.reviewer_b, f"/review/tasks/{co.pk}/"),
        (p.approver_a, f"/review/decisions/{case.pk}/"),
        (p.supervisor, "/supervision/cases/"),
        (p.supervisor, f"/supervision/cases/{case.pk}/"),
    ]


def _apis(w: Any, case: Case) -> list[tuple[Any, str]]:
    p = w.p
    lead, co = _task(case, p.dept_a), _task(case, p.dept_b)
    return [
        (None, f"/api/v1/progress/?number={case.number}&code={case.query_code}"),
        (p.applicant, f"/api/v1/cases/{case.pk}/"),
        (p.clerk, f"/api/v1/intake/cases/{case.pk}/"),
        (p.handler_a, "/api/v1/review/inbox/"),
        (p.handler_a, f"/api/v1/review/tasks/{lead.pk}/"),
        (p.reviewer_b, f"/api/v1/review/tasks/{co.pk}/"),
        (p.approver_a, f"/api/v1/review/cases/{case.pk}/summary/"),
        (p.supervisor, "/api/v1/supervision/cases/"),
        (p.supervisor, f"/api/v1/supervision/cases/{case.pk}/"),
    ]


def _html(user: Any, url: str) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _json(user: Any, url: str) -> Any:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return response.json()


def _marks(html: str) -> dict[str, bool]:
    """Each due date shown (ISO) → whether it carries the provisional mark."""
    found: dict[str, bool] = {}
    for day, mark in DUE_TIME.findall(html):
        found[day] = found.get(day, False) or bool(mark)
    return found


def _dues(data: Any) -> list[dict[str, Any]]:
    """Every DueDate object ({date, provisional, paused}) anywhere in an API answer."""
    if isinstance(data, list):
        return [d for item in data for d in _dues(item)]
    if not isinstance(data, dict):
        return []
    own = [data] if {"date", "provisional", "paused"} <= data.keys() else []
    return own + [d for value in data.values() for d in _dues(value)]


@pytest.fixture
def two_cases(dworld):
    far = case_in_review(dworld, accepted="2026-12-16")
    near = case_in_review(dworld, accepted="2026-11-02")
    assert (str(far.decision_due), str(near.decision_due)) == ("2027-01-14", "2026-11-30")
    with time_machine.travel(at("2026-12-17"), tick=False):
        yield far, near


def test_every_page_marks_exactly_the_dates_reaching_an_unloaded_year(dworld, two_cases):
    far, near = two_cases
    for user, url in _pages(dworld, far):
        marks = _marks(_html(user, url))
        shown = {day for day in marks if day in FAR_MARKED}
        assert shown, (url, "shows no due date of the case")
        assert all(marks[day] for day in shown), (url, marks)
        assert not marks.get(FAR_UNMARKED, False), (url, "intake date inside 2026 marked")
    for user, url in _pages(dworld, near):
        html = _html(user, url)
        marks = _marks(html)
        assert NEAR_DATES & marks.keys(), (url, "shows no due date of the case")
        # List pages show the FAR case too: no date inside 2026 is ever marked.
        assert not any(mark for day, mark in marks.items() if day < "2027"), (url, marks)
        assert "暂定" not in html and "badge-provisional" not in html, url


def test_every_api_answer_marks_exactly_the_dates_reaching_an_unloaded_year(dworld, two_cases):
    far, near = two_cases
    for user, url in _apis(dworld, far):
        dues = _dues(_json(user, url))
        assert any(d["date"] in FAR_MARKED for d in dues), (url, dues)
        for due in dues:
            assert due["provisional"] is due["date"].startswith("2027"), (url, due)
            assert due["paused"] is False, (url, due)
    for user, url in _apis(dworld, near):
        dues = _dues(_json(user, url))
        assert any(d["date"] in NEAR_DATES for d in dues), (url, dues)
        # Lists hold the FAR case too: no date inside 2026 is ever provisional.
        assert not any(d["provisional"] for d in dues if d["date"] < "2027"), (url, dues)


def test_the_openapi_document_describes_the_one_due_date_shape(client):
    schema = client.get("/api/v1/openapi.json").json()
    due = schema["components"]["schemas"]["DueDate"]
    assert set(due["properties"]) == {"date", "provisional", "paused"}
    uses = re.findall(r"#/components/schemas/DueDate\b", str(schema))
    assert len(uses) >= 8  # intake, cases, progress, tasks, summary, supervision …


@pytest.fixture
def paused_case(dworld):
    case = case_in_review(dworld, accepted="2026-11-02")
    with time_machine.travel(at("2026-11-20"), tick=False):
        suspension_start(
            case=case,
            actor=dworld.p.handler_a,
            kind="testing",
            reason="委托检验样品",
            expected_days=3,
        )
    case.refresh_from_db()
    with time_machine.travel(at("2026-12-01"), tick=False):
        yield case


def test_a_paused_case_shows_paused_instead_of_overdue_on_every_page(dworld, paused_case):
    for user, url in _pages(dworld, paused_case):
        html = _html(user, url)
        assert "暂停计时" in html, url
        assert "已逾期</span>" not in html and "badge-due-overdue" not in html, url
        assert "row-due-overdue" not in html, url


def test_a_paused_case_is_paused_in_every_api_answer(dworld, paused_case):
    for user, url in _apis(dworld, paused_case):
        dues = {d["date"]: d for d in _dues(_json(user, url))}
        paused = [dues[day] for day in NEAR_DATES if day in dues]
        assert paused, (url, dues)
        assert all(d["paused"] for d in paused), (url, paused)
        assert not _overdue_anywhere(_json(user, url)), url


def _overdue_anywhere(data: Any) -> bool:
    """Whether an answer says overdue: an ``overdue: true`` or an ``"overdue"`` value."""
    if isinstance(data, list):
        return any(_overdue_anywhere(item) for item in data)
    if isinstance(data, dict):
        if data.get("overdue") is True:
            return True
        return any(_overdue_anywhere(value) for value in data.values())
    return data == "overdue"


def test_a_letters_reply_deadline_is_marked_exactly_when_it_reaches_2027(dworld):
    """督办函 of 5 working days: issued Mon 2026-12-28 → Dec 29, 30, 31, (Jan 1 元旦, 2–3
    weekend) Jan 4, 5 → **2027-01-05**, provisional; issued Mon 2026-12-14 → Dec 15–18, 21 →
    **2026-12-21**, not."""
    case = case_in_review(dworld, accepted="2026-11-02")
    ids = {}
    for day in ("2026-12-28", "2026-12-14"):
        with time_machine.travel(at(day, 9), tick=False):
            body = {"department": dworld.p.dept_a.pk, "case": case.pk, "subject": "审查超时"}
            answer = _api_post(dworld.p.supervisor, "/api/v1/supervision/letters/", body)
            ids[day] = answer["id"]
            assert answer["response_due"]["provisional"] is (day == "2026-12-28"), answer
    late, early = ids["2026-12-28"], ids["2026-12-14"]
    assert _json(dworld.p.handler_a, f"/api/v1/supervision/letters/{late}/")["response_due"] == {
        "date": "2027-01-05",
        "provisional": True,
        "paused": False,
    }
    for user, url in ((dworld.p.supervisor, "/supervision/letters/"),):
        marks = _marks(_html(user, url))
        assert marks["2027-01-05"] is True and marks["2026-12-21"] is False, marks
    assert _marks(_html(dworld.p.supervisor, f"/supervision/letters/{early}/")) == {
        "2026-12-21": False
    }
    assert _marks(_html(dworld.p.supervisor, f"/supervision/letters/{late}/"))["2027-01-05"]


def _api_post(user: Any, url: str, body: dict[str, Any]) -> Any:
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(url, {"text": "请说明原因。", **body}, format="json")
    assert response.status_code == 201, response.content[:300]
    return response.json()


def _submitted(w: Any, day: str) -> Case:
    """A case submitted online on ``day`` (10:00), waiting for intake."""
    case = case_services.case_create_draft(
        item_version=w.version, applicant=w.p.applicant, created_by=w.p.applicant, region=w.region
    )
    for line in case.materials.all():
        case_file_add(case_material=line, upload=pdf(), actor=w.p.applicant)
    with time_machine.travel(at(day), tick=False):
        case_services.case_submit(case=case, actor=w.p.applicant)
    case.refresh_from_db()
    return case


def test_an_intake_deadline_reaching_2027_is_marked_on_intake_pages_and_api(dworld):
    """Submitted Mon 2026-12-28: 5 working days Dec 29, 30, 31, (Jan 1 元旦, 2–3 weekend) Jan 4,
    5 → **2027-01-05**, provisional; submitted Mon 2026-12-14: Dec 15, 16, 17, 18, 21 →
    **2026-12-21**, not."""
    late, early = _submitted(dworld, "2026-12-28"), _submitted(dworld, "2026-12-14")
    assert (str(late.intake_due), str(early.intake_due)) == ("2027-01-05", "2026-12-21")
    p = dworld.p
    with time_machine.travel(at("2026-12-28", 11), tick=False):
        for user, url in (
            (p.clerk, "/intake/"),
            (p.clerk, f"/intake/{late.pk}/"),
            (p.applicant, "/my/cases/"),
            (None, f"/progress/?number={late.number}&code={late.query_code}"),
            (p.applicant, f"/cases/{late.pk}/application/"),
        ):
            marks = _marks(_html(user, url))
            assert marks.get("2027-01-05") is True, (url, marks)
            assert marks.get("2026-12-21", False) is False, (url, marks)
        for user, url in (
            (p.clerk, "/api/v1/intake/queue/"),
            (p.clerk, f"/api/v1/intake/cases/{late.pk}/"),
            (p.applicant, f"/api/v1/cases/{late.pk}/"),
            (None, f"/api/v1/progress/?number={late.number}&code={late.query_code}"),
        ):
            dues = {d["date"]: d["provisional"] for d in _dues(_json(user, url))}
            assert dues.get("2027-01-05") is True, (url, dues)
            assert dues.get("2026-12-21", False) is False, (url, dues)
