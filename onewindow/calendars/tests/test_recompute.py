"""docs/rules/workdays.md §A6: loading a year's arrangement recomputes the stored deadlines
(docs/rules/workdays.md §A4).

chinesecalendar 1.11 carries 2004–2026, so 2027 is unloaded: its dates are counted on the
provisional calendar (weekends + 元旦 Fri 2027-01-01, 春节 Feb 5–8, …) and marked provisional.
The made-up 2027 arrangement below also gives Mon 2027-01-04 off (a bridge day after 元旦), which
moves every deadline whose counting crosses it by one working day. 2026 facts used (A3): no
holiday from Dec 17 to Dec 31 (Mon–Fri working, weekends off).

Every case is built through the real services with a frozen clock; the arrangement is loaded on
Mon 2026-12-28 11:00 (Shanghai).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.calendars import services
from onewindow.calendars.tests.data import ARRANGEMENT_2027_CSV
from onewindow.calendars.tests.test_admin import LOAD_URL
from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseEvent, Commitment
from onewindow.cases.tests.conftest import make_version, pdf
from onewindow.cases.uploads import case_file_add
from onewindow.catalog.models import ToleranceCategory, ToleranceSetting
from onewindow.cli import main
from onewindow.notifications.models import OutboxMessage
from onewindow.notifications.texts import compose
from onewindow.review.models import Decision, Task
from onewindow.review.services.decisions import decision_make
from onewindow.review.tests.decision_world import (
    DecisionWorld,
    at,
    case_in_review,
    give_opinion,
    make_world,
)

D = dt.date
LOAD_AT = at("2026-12-28", 11)
MADE_UP_2027 = {
    "holidays": {
        D(2027, 1, 1): "元旦",
        D(2027, 1, 2): "元旦",
        D(2027, 1, 3): "元旦",
        D(2027, 1, 4): "元旦",  # made up: the day that moves the due dates below
        **{D(2027, 2, d): "春节" for d in range(5, 12)},
        **{D(2027, 10, d): "国庆节" for d in range(1, 8)},
    },
    "workdays": {D(2027, 2, 20): "春节调休"},
}


def load_made_up_2027() -> None:
    with time_machine.travel(LOAD_AT, tick=False):
        services.calendar_year_load(year=2027, source="测试安排", **MADE_UP_2027)


@pytest.fixture
def dworld(personas) -> DecisionWorld:
    return make_world(personas)


def in_review(w: DecisionWorld) -> Case:
    """Accepted Thu 2026-12-17; lead A 19 working days, co B 15, consolidation 1, limits 20.

    Provisional 2027 (only Jan 1 off): 12-18 = 1, 12-21..25 = 2–6, 12-28..31 = 7–10,
    2027-01-04..08 = 11–15, 01-11..14 = 16–19 → task A 2027-01-14, task B (15) 2027-01-08,
    case 20 → 2027-01-15 (critical path 01-14 + 1 = 01-15 = committed = statutory).
    """
    case = case_in_review(w, accepted="2026-12-17")
    assert (case.decision_due, case.statutory_due) == (D(2027, 1, 15), D(2027, 1, 15))
    assert case.due_provisional
    return case


def awaiting_intake(w: DecisionWorld) -> Case:
    """Submitted Mon 2026-12-28 09:00 → received that day; 5 working days: 12-29, 30, 31,
    2027-01-04, 01-05 → intake due 2027-01-05 (provisional)."""
    case = case_services.case_create_draft(
        item_version=w.version, applicant=w.p.applicant, created_by=w.p.applicant, region=w.region
    )
    for line in case.materials.all():
        case_file_add(case_material=line, upload=pdf(), actor=w.p.applicant)
    with time_machine.travel(at("2026-12-28", 9), tick=False):
        case_services.case_submit(case=case, actor=w.p.applicant)
    case.refresh_from_db()
    assert case.intake_due == D(2027, 1, 5) and case.due_provisional
    return case


def granted(w: DecisionWorld) -> Decision:
    """Accepted 2026-11-02, both departments agree on 12-21, granted Thu 2026-12-24.

    ALL Art. 44: 10 working days after 12-24: 12-25 = 1, 12-28..31 = 2–5, 2027-01-04..08 = 6–10
    → certificate due 2027-01-08.
    """
    case = case_in_review(w, accepted="2026-11-02")
    all_agree_on(w, case, "2026-12-21")
    with time_machine.travel(at("2026-12-24"), tick=False):
        decision = decision_make(
            case=case, actor=w.p.approver_a, kind="grant", now=at("2026-12-24")
        )
    assert decision.certificate_due == D(2027, 1, 8)
    return decision


def all_agree_on(w: DecisionWorld, case: Case, day: str) -> None:
    give_opinion(w, case, w.p.dept_a, day=day)
    give_opinion(w, case, w.p.dept_b, day=day)


def tolerated(w: DecisionWorld) -> Case:
    """容缺受理 on Thu 2026-12-24 of an item with committed 10 / statutory 20 working days.

    10 after 12-24: 12-25 = 1, 12-28..31 = 2–5, 2027-01-04..08 = 6–10 → decision due and
    supplement due 2027-01-08; 20: 01-11..15 = 11–15, 01-18..22 = 16–20 → statutory 01-22.
    """
    ToleranceSetting.objects.update_or_create(category="encouraged", defaults={"max_missing": 2})
    version, _core, non_core = make_version(
        w.p.dept_a, code="REC-TOL", category=ToleranceCategory.ENCOURAGED, non_core=1
    )
    case = case_services.case_create_draft(
        item_version=version, applicant=w.p.applicant, created_by=w.p.applicant, region=w.region
    )
    lines = list(case.materials.select_related("material"))
    for line in lines:
        if line.material != non_core[0]:
            case_file_add(case_material=line, upload=pdf(), actor=w.p.applicant)
    missing = case.materials.get(material=non_core[0])
    with time_machine.travel(at("2026-12-24", 9), tick=False):
        case_services.case_submit(case=case, actor=w.p.applicant)
    with time_machine.travel(at("2026-12-24", 10), tick=False):
        case.refresh_from_db()
        case_services.case_accept(case=case, actor=w.p.clerk, tolerated_material_ids=[missing.pk])
    case.refresh_from_db()
    assert case.decision_due == D(2027, 1, 8) and case.statutory_due == D(2027, 1, 22)
    assert Commitment.objects.get(case=case).due_on == D(2027, 1, 8)
    return case


def recomputed_events(case: Case) -> list[CaseEvent]:
    return list(case.events.filter(action="deadline_recomputed").order_by("pk"))


def test_loading_2027_moves_every_open_deadline_crossing_the_new_holiday(dworld):
    """With Mon 2027-01-04 off, each count crossing it ends one working day later:

    * in review (accepted 12-17): task A 19 → 01-05..08 = 11–14, 01-11..15 = 15–19 → 01-15;
      task B 15 → 01-11; case 20 → 01-18 (Mon), statutory likewise 01-18;
    * awaiting intake (received 12-28): 12-29, 30, 31, 01-05, 01-06 → intake due 01-06;
    * granted 12-24: certificate due 01-05..08 = 6–9, 01-11 = 10 → 01-11;
    * 容缺 (accepted 12-24): decision and supplement due 01-11, statutory 01-25.
    Every mark is cleared; one event per changed case, each public and notified.
    """
    review = in_review(dworld)
    intake = awaiting_intake(dworld)
    decision = granted(dworld)
    tolerance = tolerated(dworld)
    outbox_before = OutboxMessage.objects.count()

    load_made_up_2027()

    review.refresh_from_db()
    assert (review.decision_due, review.statutory_due) == (D(2027, 1, 18), D(2027, 1, 18))
    assert not review.due_provisional
    tasks = {t.department_id: t for t in Task.objects.filter(case=review)}
    assert tasks[dworld.p.dept_a.pk].due == D(2027, 1, 15)
    assert tasks[dworld.p.dept_b.pk].due == D(2027, 1, 11)
    assert not any(t.due_provisional for t in tasks.values())
    intake.refresh_from_db()
    assert intake.intake_due == D(2027, 1, 6) and not intake.due_provisional
    decision.refresh_from_db()
    assert decision.certificate_due == D(2027, 1, 11)
    tolerance.refresh_from_db()
    assert tolerance.decision_due == D(2027, 1, 11)
    assert tolerance.statutory_due == D(2027, 1, 25)
    commitment = Commitment.objects.get(case=tolerance)
    assert commitment.due_on == D(2027, 1, 11) and not commitment.due_provisional

    # One event per case, old → new per date, public (the applicant was told these dates).
    [event] = recomputed_events(review)
    assert event.public and event.at == LOAD_AT
    assert event.data["changes"] == [
        {
            "field": "decision_due",
            "label": "承诺办结期限",
            "old": "2027-01-15",
            "new": "2027-01-18",
        },
        {
            "field": "statutory_due",
            "label": "法定办结期限",
            "old": "2027-01-15",
            "new": "2027-01-18",
        },
    ]
    assert "2027 年节假日安排已载入" in event.reason
    task_events = review.events.filter(action="task_due_recomputed")
    assert task_events.count() == 2 and not task_events.filter(public=True).exists()
    assert [c["new"] for c in recomputed_events(intake)[0].data["changes"]] == ["2027-01-06"]
    [cert_event] = recomputed_events(decision.case)
    assert cert_event.data["changes"][0]["field"] == "certificate_due"
    [tol_event] = recomputed_events(tolerance)
    fields = [c["field"] for c in tol_event.data["changes"]]
    assert fields == ["decision_due", "statutory_due", f"commitment:{commitment.pk}"]

    # The applicant is notified of each (SMS to the persona's phone), in words naming the dates.
    assert OutboxMessage.objects.count() - outbox_before == 4
    assert OutboxMessage.objects.filter(event=event).exists()
    body = compose(event).body
    assert "承诺办结期限由 2027年1月15日 调整为 2027年1月18日" in body


def test_a_second_load_of_the_same_arrangement_changes_nothing_and_writes_no_event(dworld):
    """Idempotent: the calendar does not change, so no date, mark, event or message does."""
    review = in_review(dworld)
    load_made_up_2027()
    review.refresh_from_db()
    state = (review.decision_due, review.statutory_due, review.due_provisional, review.revision)
    events, outbox = CaseEvent.objects.count(), OutboxMessage.objects.count()
    load_made_up_2027()
    review.refresh_from_db()
    assert (review.decision_due, review.statutory_due, review.due_provisional, review.revision) == (
        state
    )
    assert (CaseEvent.objects.count(), OutboxMessage.objects.count()) == (events, outbox)


def test_an_arrangement_keeping_the_dates_only_clears_the_mark_without_telling_anyone(dworld):
    """The test file's 2027 arrangement gives Jan 1–3 off like the provisional calendar: the
    case's dates stay 2027-01-15 but stop being provisional. The event records it (not public,
    no date the applicant was told changed), and no message is queued."""
    review = in_review(dworld)
    outbox = OutboxMessage.objects.count()
    with time_machine.travel(LOAD_AT, tick=False):
        services.calendar_file_load(name="2027.csv", content=ARRANGEMENT_2027_CSV.encode())
    review.refresh_from_db()
    assert (review.decision_due, review.due_provisional) == (D(2027, 1, 15), False)
    [event] = recomputed_events(review)
    assert not event.public and event.data["changes"] == []
    assert "不再为临时计算" in event.reason
    assert OutboxMessage.objects.count() == outbox
    assert not Task.objects.filter(case=review, due_provisional=True).exists()


def test_unloading_the_year_restores_the_provisional_dates_and_marks(dworld):
    """Unloading 2027 returns to the provisional calendar: Jan 4 works again, so the case is due
    2027-01-15 again (provisional), and the intake due 2027-01-05."""
    review = in_review(dworld)
    intake = awaiting_intake(dworld)
    load_made_up_2027()
    with time_machine.travel(at("2026-12-28", 12), tick=False):
        assert services.calendar_year_unload(year=2027)
    review.refresh_from_db()
    intake.refresh_from_db()
    assert (review.decision_due, review.due_provisional) == (D(2027, 1, 15), True)
    assert (intake.intake_due, intake.due_provisional) == (D(2027, 1, 5), True)
    assert len(recomputed_events(review)) == 2


def test_one_override_day_moves_only_the_deadlines_whose_counting_crosses_it(dworld):
    """Declaring Fri 2026-12-25 a holiday (a test override) moves the case accepted 12-17 —
    its count crosses 12-25 — by one working day to 2027-01-18 (still provisional: 2027 is not
    loaded); a case received 12-28 counts from after 12-25 and keeps 2027-01-05. Removing the
    override day moves the first back to 2027-01-15."""
    review = in_review(dworld)
    intake = awaiting_intake(dworld)
    with time_machine.travel(LOAD_AT, tick=False):
        services.calendar_day_set(day=D(2026, 12, 25), kind="holiday", name="测试")
    review.refresh_from_db()
    intake.refresh_from_db()
    assert (review.decision_due, review.due_provisional) == (D(2027, 1, 18), True)
    assert intake.intake_due == D(2027, 1, 5) and not recomputed_events(intake)
    with time_machine.travel(LOAD_AT, tick=False):
        services.calendar_day_delete(day=D(2026, 12, 25))
    review.refresh_from_db()
    assert review.decision_due == D(2027, 1, 15)


def test_closed_cases_and_dates_before_the_change_are_left_alone(dworld):
    """A case accepted 2026-11-02 and decided is not open: its 2026 dates and events stay."""
    decision = granted(dworld)
    case = decision.case
    case.refresh_from_db()
    before = (case.decision_due, case.statutory_due, case.revision)
    load_made_up_2027()
    case.refresh_from_db()
    assert (case.decision_due, case.statutory_due) == before[:2]
    assert [e.data["changes"][0]["field"] for e in recomputed_events(case)] == ["certificate_due"]


def _made_up_csv() -> bytes:
    rows = ["date,kind,name"]
    rows += [f"{d.isoformat()},休,{n}" for d, n in MADE_UP_2027["holidays"].items()]
    rows += [f"{d.isoformat()},班,{n}" for d, n in MADE_UP_2027["workdays"].items()]
    return "\n".join(rows).encode()


def test_the_cli_load_recomputes_and_says_how_many(dworld, capsys, tmp_path):
    """``onewindow calendar load``: the case accepted 2026-12-17 moves to 2027-01-18 and its two
    tasks to 01-15 / 01-11 (counted in the first test); the command prints the count."""
    review = in_review(dworld)
    path = tmp_path / "2027.csv"
    path.write_bytes(_made_up_csv())
    with time_machine.travel(LOAD_AT, tick=False):
        status = main(["calendar", "load", str(path)])
    out = capsys.readouterr().out
    assert status == 0
    assert "已重新计算受影响的期限：3 项 (deadlines recomputed: 3; cases 1, review_tasks 2)" in out
    review.refresh_from_db()
    assert review.decision_due == D(2027, 1, 18)


def test_the_admin_upload_recomputes_and_tells_the_administrator(dworld, admin_client):
    """The admin's upload page goes through the same service: same dates as the CLI's."""
    review = in_review(dworld)
    upload = SimpleUploadedFile("2027.csv", _made_up_csv(), content_type="text/csv")
    # (the admin session is signed in on the real clock: no travel here; no date depends on it)
    response = admin_client.post(LOAD_URL, {"file": upload, "source": "测试安排"})
    assert response.status_code == 302
    page = admin_client.get(response["Location"]).content.decode()
    assert "已按新的节假日安排重新计算 3 项受影响的期限；日期有变化的，已通知申请人。" in page
    log = admin_client.get("/admin/calendars/deadlinerecompute/").content.decode()
    assert "2027 年节假日安排已载入" in log
    review.refresh_from_db()
    assert (review.decision_due, review.due_provisional) == (D(2027, 1, 18), False)


def test_the_public_progress_page_and_api_show_the_recomputation(dworld, client):
    """docs/product.md §C9 progress query after the load: the step and its old → new dates, and the
    new due dates (2027-01-18, counted in the first test), on the page and in the API."""
    cache.clear()  # the per-address progress-query counters
    review = in_review(dworld)
    load_made_up_2027()
    review.refresh_from_db()
    query = {"number": review.number, "code": review.query_code}
    note = "承诺办结期限由 2027-01-15 调整为 2027-01-18"
    report = client.get("/progress/", query).context["report"]
    step = report.steps[-1]
    assert step.label == "节假日安排调整，期限重新计算" and note in step.note
    body = client.get("/api/v1/progress/", query).json()
    assert body["timeline"][-1]["label"] == "节假日安排调整，期限重新计算"
    assert {d["label"]: d["date"] for d in body["due_dates"]}["法定办结期限"] == "2027-01-18"


def test_a_recomputation_stopped_half_way_is_resumed_without_moving_a_row_twice(
    dworld, monkeypatch
):
    """Batches of one; the second case's batch fails. The calendar change stands, the first
    case is moved (its batch committed) and the rest is left to the background job, which
    resumes at the cursor: both cases end at 2027-01-18 (counted in the first test), one event
    each, and the tasks are moved too."""
    from onewindow.calendars import jobs, recompute
    from onewindow.calendars.models import DeadlineRecompute
    from onewindow.cases import recompute as case_recompute

    first, second = in_review(dworld), case_in_review(dworld, accepted="2026-12-17")
    real = case_recompute._case_recompute
    calls = {"n": 0}

    def failing_once(case, change):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(case, change)

    monkeypatch.setattr(recompute, "BATCH", 1)
    monkeypatch.setattr(case_recompute, "_case_recompute", failing_once)
    load_made_up_2027()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.decision_due == D(2027, 1, 18) and second.decision_due == D(2027, 1, 15)
    record = DeadlineRecompute.objects.get()
    assert record.finished_at is None and record.cursors == {"cases": first.pk}

    with time_machine.travel(at("2026-12-28", 12), tick=False):
        jobs.resume_deadline_recomputes()
    for case in (first, second):
        case.refresh_from_db()
        assert (case.decision_due, case.due_provisional) == (D(2027, 1, 18), False)
        assert len(recomputed_events(case)) == 1
    assert set(Task.objects.values_list("due", flat=True)) == {D(2027, 1, 15), D(2027, 1, 11)}
    record.refresh_from_db()
    assert record.finished_at is not None
    assert record.counts == {"cases": 2, "review_tasks": 4}
    # Finished: the job finds nothing more to do.
    assert jobs.resume_deadline_recomputes() == {}


def test_a_submission_on_a_day_that_becomes_a_holiday_is_received_on_the_next_working_day(
    dworld,
):
    """Submitted Mon 2027-01-04 while 2027 is unloaded: a working day on the provisional
    calendar, so received 01-04 and intake due 5 working days on: 01-05, 06, 07, 08, 11 →
    2027-01-11 (provisional). The arrangement loaded that afternoon makes 01-04 a holiday: A2
    deems the submission received Tue 01-05, and the intake is due 01-06, 07, 08, 11, 12 →
    2027-01-12, no longer provisional. The applicant is told both new dates."""
    case = case_services.case_create_draft(
        item_version=dworld.version,
        applicant=dworld.p.applicant,
        created_by=dworld.p.applicant,
        region=dworld.region,
    )
    for line in case.materials.all():
        case_file_add(case_material=line, upload=pdf(), actor=dworld.p.applicant)
    with time_machine.travel(at("2027-01-04", 10), tick=False):
        case_services.case_submit(case=case, actor=dworld.p.applicant)
    case.refresh_from_db()
    assert (case.received_on, case.intake_due, case.due_provisional) == (
        D(2027, 1, 4),
        D(2027, 1, 11),
        True,
    )
    with time_machine.travel(at("2027-01-04", 15), tick=False):
        services.calendar_year_load(year=2027, source="测试安排", **MADE_UP_2027)
    case.refresh_from_db()
    assert (case.received_on, case.intake_due, case.due_provisional) == (
        D(2027, 1, 5),
        D(2027, 1, 12),
        False,
    )
    [event] = recomputed_events(case)
    assert [(c["field"], c["old"], c["new"]) for c in event.data["changes"]] == [
        ("received_on", "2027-01-04", "2027-01-05"),
        ("intake_due", "2027-01-11", "2027-01-12"),
    ]
    assert event.public and OutboxMessage.objects.filter(event=event).exists()
