"""The generated demo cases: loaded once for the module (the demo catalog, then 60 cases over
100 days ending on a fixed Monday, the clock frozen there) and removed afterwards; each test
runs in its own transaction on top of it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.accounts.models import User
from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseFlag,
    CaseStatus,
    Commitment,
    Mandate,
    StoredFile,
)
from onewindow.catalog.models import Item
from onewindow.certificates.models import Renewal
from onewindow.cli import build_parser
from onewindow.demo import catalog as demo
from onewindow.demo.cases import DEFAULT_COUNT, demo_cases_load, demo_cases_reset
from onewindow.demo.cases.people import GENERATED_DOMAIN, generated_users
from onewindow.lib.idnumbers import check_citizen_id, check_credit_code
from onewindow.notifications.models import OutboxMessage
from onewindow.review.models import Decision, Task
from onewindow.supervision.models import Card, SupervisionLetter

TODAY = dt.date(2026, 6, 15)  # a Monday
DAYS = 100
COUNT = 60
SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2026, 6, 15, 7, 30, tzinfo=SHANGHAI)


def load() -> object:
    # How long this takes is measured by the benchmarks, not asserted here (README, Benchmarks).
    return demo_cases_load(today=TODAY, count=COUNT, days=DAYS)


def statuses() -> dict[str, int]:
    return dict(Counter(Case.objects.values_list("status", flat=True)))


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.test import override_settings

    media = tmp_path_factory.mktemp("demo-case-files")
    fast_hashing = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast_hashing),
        time_machine.travel(MORNING, tick=False),
    ):
        demo.load_demo(progress=False, cases=0)
        yield {"media": media, "result": load()}
        demo.demo_reset()


@pytest.fixture
def year(loaded, db, settings):
    settings.MEDIA_ROOT = loaded["media"]
    with time_machine.travel(MORNING, tick=False):
        yield loaded


def test_the_year_loads_through_the_services_without_a_refused_step(year):
    result = year["result"]
    assert result.skipped == Counter()
    # The stories' cases, plus the renewal a demo persona files at the end (onewindow.demo.cases.renewals).
    assert Renewal.objects.filter(case__status=CaseStatus.SUBMITTED).count() == 1
    assert result.cases == Case.objects.count() == COUNT + 1


def test_every_stage_an_evaluator_looks_for_is_there(year):
    counts = statuses()
    for status in (
        "completed",
        "refused",
        "rejected",
        "withdrawn",
        "correction",
        "submitted",
        "in_review",
        "granted",
        "suspended",
    ):
        assert counts.get(status), status
    flags = set(CaseFlag.objects.values_list("kind", flat=True))
    assert {"deemed_acceptance", "deemed_consent", "tolerated_acceptance"} <= flags
    # 容缺 acceptances whose commitment is still open.
    assert Commitment.objects.filter(kind="tolerated", status="open").exists()
    # The demo department's staff have an inbox, the clerk has pickups.
    assert Task.objects.filter(department__code="SCJG", status="open").exists()
    assert Case.objects.filter(status="granted", department__code="SCJG").exists() or (
        Case.objects.filter(status="granted").exists()
    )
    # Both intake deadlines near today: due today or on the next working day.
    assert Case.objects.filter(status="submitted", intake_due__lte=dt.date(2026, 6, 16)).exists()
    # Intake decisions name the clerk's window.
    decided = Case.objects.exclude(status__in=("submitted",)).exclude(deemed_accepted=True)
    assert not decided.filter(intake_window__isnull=True).exists()
    # Online, window and agent cases; several departments.
    assert set(Case.objects.values_list("channel", flat=True)) == {"online", "window"}
    assert Case.objects.filter(agent__username="agent").exists()
    assert Case.objects.values("department").distinct().count() >= 5


def test_the_demo_shows_a_case_mandate_and_a_pending_paper_mandate(year):
    """docs/rules/mandates.md §T1, §T3: the newer kinds of mandate, for the demo agent."""
    case_mandate = Mandate.objects.get(agent__username="agent", case__isnull=False)
    assert case_mandate.applicant.username == "applicant"
    named = case_mandate.case
    assert named is not None and named.applicant == case_mandate.applicant
    paper = Mandate.objects.get(agent__username="agent", channel="paper")
    assert paper.pending and paper.recorded_by.username == "clerk" and paper.scan is not None
    assert paper.applicant.email.endswith(f"@{GENERATED_DOMAIN}")


def test_the_demo_personas_have_cases_in_several_states(year):
    for username in ("applicant", "enterprise"):
        own = set(
            Case.objects.filter(applicant__username=username).values_list("status", flat=True)
        )
        assert len(own) >= 3, (username, own)


def test_generated_applicants_have_valid_identity_numbers(year):
    people = User.objects.filter(email__endswith=f"@{GENERATED_DOMAIN}", role="applicant")
    assert people.count() >= 20
    for user in people:
        if user.applicant_kind == "person":
            assert check_citizen_id(user.id_number).ok
        else:
            assert check_credit_code(user.credit_code).ok and user.legal_representative


def day(value: dt.date | dt.datetime | None) -> dt.date:
    """A stored date (or the local date of a moment) that the history must have set."""
    assert value is not None
    return value.astimezone(SHANGHAI).date() if isinstance(value, dt.datetime) else value


def test_deadlines_are_consistent(year):
    decisions = list(Decision.objects.select_related("case"))
    assert decisions
    on_time = [d for d in decisions if d.decided_on <= day(d.case.decision_due)]
    late = [d for d in decisions if d.decided_on > day(d.case.decision_due)]
    assert late and len(on_time) >= 0.8 * len(decisions)
    for decision in decisions:
        assert day(decision.case.accepted_on) <= decision.decided_on
    # A late decision was seen by the sweep: a red card on the case's committed limit.
    for decision in late:
        assert Card.objects.filter(
            case=decision.case, rule__code="case_decision_due", level="red"
        ).exists()
    # Completed on time: delivered by the certificate due date, or flagged when not.
    for case in Case.objects.filter(status="completed").select_related("decision"):
        overdue = CaseFlag.objects.filter(case=case, kind="certificate_overdue").exists()
        assert (day(case.closed_at) > day(case.decision.certificate_due)) == overdue
    # This morning's jobs ran: nothing waits at intake or in review past its due date.
    assert not Case.objects.filter(status="submitted", intake_due__lt=TODAY).exists()
    # (a suspended case's tasks wait: their due dates move when the procedure ends)
    assert not Task.objects.filter(status="open", due__lt=TODAY, case__status="in_review").exists()


def test_cards_carry_the_day_of_the_sweep_that_issued_them(year):
    cards = list(Card.objects.select_related("rule"))
    assert {c.level for c in cards} == {"yellow", "red"}
    for card in cards:
        issued = card.issued_at.astimezone(SHANGHAI)
        assert issued.time() == dt.time(7, 0)
        if card.level == "red" and card.rule.kind == "deadline":
            assert issued.date() > day(card.due)
        # (a suspension card's date is the day the procedure started)
        if card.level == "yellow" and card.rule.code != "suspension_overdue":
            assert issued.date() <= day(card.due)
    worked = Counter(Card.objects.values_list("status", flat=True))
    assert {"issued", "cancelled", "rectified"} <= set(worked)
    letters = Counter(SupervisionLetter.objects.values_list("status", flat=True))
    assert letters["closed"] and letters["escalated"] == 1 and letters["issued"] == 1
    assert Card.objects.filter(rule__code="letter_overdue").exists()


def test_the_history_is_dated_in_the_past_and_leaves_nothing_to_send(year):
    cutoff = MORNING
    assert not CaseEvent.objects.filter(at__gt=cutoff).exists()
    assert not Case.objects.filter(created_at__gt=cutoff).exists()
    assert not StoredFile.objects.filter(created_at__gt=cutoff).exists()
    for created, submitted in Case.objects.values_list("created_at", "submitted_at"):
        assert submitted is not None and created <= submitted
    assert not OutboxMessage.objects.exists()
    stored = StoredFile.objects.first()
    assert stored is not None and (Path(year["media"]) / stored.path).is_file()


def test_the_command_line_takes_a_case_count_or_none(year):
    parser = build_parser()
    assert parser.parse_args(["demo"]).cases == DEFAULT_COUNT
    assert parser.parse_args(["demo", "--cases", "25"]).cases == 25
    assert parser.parse_args(["demo", "--no-cases"]).cases == 0
    with pytest.raises(SystemExit):
        parser.parse_args(["demo", "--cases", "-3"])


def test_reset_removes_the_cases_and_a_second_load_gives_the_same_year(
    year, django_capture_on_commit_callbacks
):
    first = year["result"]
    paths = list(StoredFile.objects.values_list("path", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        demo_cases_reset()
    assert not Case.objects.exists() and not Card.objects.exists()
    assert not generated_users().exists()
    assert not any((Path(year["media"]) / p).exists() for p in paths)
    again = demo_cases_load(today=TODAY, count=COUNT, days=DAYS)
    assert again.statuses == first.statuses
    assert (again.cards, again.letters) == (first.cards, first.letters)
    assert again.skipped == Counter()


def test_the_catalog_reset_works_once_cases_exist(year):
    demo.demo_reset()
    assert not Case.objects.exists()
    assert not Item.objects.exists()
    assert not User.objects.filter(username__in=demo.DEMO_USERNAMES).exists()
    assert not generated_users().exists()


def test_every_staff_persona_finds_real_work_in_their_queue_today(year):
    """docs/decisions.md §O2: on the demo's "today" each demo staff persona has something to do,
    and a handler's, reviewer's or approver's inbox holds only tasks at their own step."""
    from onewindow.accounts.roles import Perm, has_perm
    from onewindow.cases.selectors import intake_queue
    from onewindow.certificates.selectors import deliveries_pending
    from onewindow.review.selectors import tasks_for_inbox
    from onewindow.review.selectors.decisions import decisions_pending, extensions_pending
    from onewindow.supervision.models import CardStatus

    staff = {u.username: u for u in User.objects.filter(username__in=demo.DEMO_USERNAMES)}
    assert intake_queue(staff["clerk"]).exists()
    assert deliveries_pending(staff["clerk"]).exists()  # pickups at the window
    for name in ("handler", "reviewer", "approver"):
        tasks = list(tasks_for_inbox(staff[name]))
        assert tasks, name
        at_step = {t.steps[t.step]["role"] for t in tasks}
        assert at_step == {staff[name].role}, (name, at_step)
    assert decisions_pending(staff["approver"]).exists()  # a decision to sign
    # The supervisor has explained cards to confirm or cancel.
    assert Card.objects.filter(status=CardStatus.EXPLAINED).exists()
    # Whoever approves extensions in the demo department (the agency head) has one waiting.
    heads = [
        u
        for u in staff.values()
        if u.department_id == staff["handler"].department_id and has_perm(u, Perm.EXTENSION_APPROVE)
    ]
    assert heads
    for head in heads:
        assert extensions_pending(head).exists(), head.username


def test_a_situation_report_of_the_demo_is_generated_by_the_next_tick_of_the_worker(year):
    """docs/rules/supervision.md §D9: a report requested by the supervisor is made by the worker's
    job at once (how long it takes is a benchmark figure: `make bench-reports`)."""
    from onewindow.supervision import jobs
    from onewindow.supervision.models import PeriodKind, ReportStatus
    from onewindow.supervision.services.reports import report_request

    supervisor = User.objects.get(username="supervisor")
    report = report_request(kind=PeriodKind.QUARTER, period_start=TODAY, actor=supervisor)
    assert jobs.reports() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.data["headline"]["received"] > 0
