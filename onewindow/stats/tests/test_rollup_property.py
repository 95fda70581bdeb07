"""Rollups equal a full recount after any sequence of events (docs/rules/statistics.md §M3).

Hypothesis draws sequences of real actions — submit, accept, correction notice, resubmission,
rejection, withdrawal, opinions, deemed consent, special procedure start and end, grant,
refusal — on a few cases, through the real services (each in its own savepoint, as a request
would be: a refused action leaves nothing). After each sequence the rollups kept by the event
subscription must equal the direct count from the cases and a full set-based ``rebuild``;
replaying any event (running the subscription again) must change nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseEvent, CaseStatus, MaterialStatus
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.uploads import case_file_add
from onewindow.certificates import services as certificate_services
from onewindow.core.errors import DomainError
from onewindow.review.models import (
    TASK_PENDING,
    DecisionKind,
    MaterialRequest,
    Suspension,
    Task,
    TaskStatus,
)
from onewindow.review.services import tasks_deem_consent
from onewindow.review.services.decisions import decision_make, suspension_end, suspension_start
from onewindow.review.services.materials import material_request_answer, task_material_request
from onewindow.review.tests.decision_world import at, give_opinion, make_world
from onewindow.stats import services
from onewindow.stats.events import stats_on_enter, stats_on_event
from onewindow.stats.filters import filters_parse
from onewindow.stats.models import (
    CaseFact,
    CaseStageFact,
    DurationRollup,
    MonthlyRollup,
    StageRollup,
    StatusRollup,
)
from onewindow.stats.recount import figures_from_cases
from onewindow.stats.selectors import figures_from_rollups

pytestmark = pytest.mark.django_db

ACTIONS = (
    "new",
    "accept",
    "correct",
    "resubmit",
    "reject",
    "withdraw",
    "opinion_a",
    "opinion_b",
    "deem",
    "suspend",
    "resume",
    "grant",
    "refuse",
    "ask",
    "answer",
    "deliver",
    "replay",
)
# The natural next step of the case, drawn more often so that sequences reach decisions.
FORWARD = ("forward",) * len(ACTIONS)
COUNTERS = {
    MonthlyRollup: (
        "received",
        "accepted",
        "closed",
        "closed_on_time",
        "closed_early",
        "days_sum",
        "measured",
    ),
    StatusRollup: ("n",),
    DurationRollup: ("n",),
    StageRollup: ("n", "days_sum"),
}


def assert_same(kept: dict[str, Any], counted: dict[str, Any]) -> None:
    """Equal figures; on a difference, name the entries that differ."""
    for name in counted:
        a, b = kept[name], counted[name]
        if isinstance(a, dict):
            diff = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
            assert not diff, f"{name}: rollups vs cases {diff}"
        else:
            assert a == b, f"{name}: rollups {a} vs cases {b}"


def snapshot() -> dict[str, set[tuple[Any, ...]]]:
    """Every rollup row with a non-zero counter, and the contribution records."""
    out: dict[str, set[tuple[Any, ...]]] = {}
    for model, counters in COUNTERS.items():
        rows = set()
        for row in model._default_manager.values():
            row.pop("id")
            if any(row[c] for c in counters):
                rows.add(tuple(sorted(row.items())))
        out[model.__name__] = rows
    out["facts"] = {tuple(sorted(r.items())) for r in CaseFact.objects.values()}
    out["stages"] = {
        tuple(sorted((k, v) for k, v in r.items() if k != "id"))
        for r in CaseStageFact.objects.values()
    }
    return out


class Driver:
    def __init__(self, w: Any) -> None:
        self.w = w
        self.p = w.p
        self.day = dt.date(2025, 3, 3)
        self.cases: list[Case] = []

    def today(self) -> str:
        return self.day.isoformat()

    def advance(self, days: int) -> None:
        self.day += dt.timedelta(days=days)

    def run(self, action: str, index: int) -> None:
        if action == "new" or not self.cases:
            self.new()
            return
        case = Case.objects.get(pk=self.cases[index % len(self.cases)].pk)
        if action == "replay":
            self.replay(case)
            return
        if action == "forward":
            action = self.forward(case, index)
            if action == "new":
                self.new()
                return
        try:
            with transaction.atomic(), time_machine.travel(at(self.today()), tick=False):
                self.act(action, case)
        except (
            DomainError,
            Task.DoesNotExist,
            Suspension.DoesNotExist,
            MaterialRequest.DoesNotExist,
        ):
            pass

    def new(self) -> None:
        p = self.p
        case = case_services.case_create_draft(
            item_version=self.w.version,
            applicant=p.applicant,
            created_by=p.applicant,
            region=self.w.region,
        )
        for line in case.materials.all():
            case_file_add(case_material=line, upload=pdf(), actor=p.applicant)
        with time_machine.travel(at(self.today(), 9), tick=False):
            case_services.case_submit(case=case, actor=p.applicant)
        self.cases.append(case)

    def forward(self, case: Case, index: int) -> str:
        """The action that moves ``case`` on along its usual path."""
        pending = Task.objects.filter(case=case, status__in=TASK_PENDING)
        steps: dict[str, str] = {
            CaseStatus.SUBMITTED: "accept",
            CaseStatus.CORRECTION: "resubmit",
            CaseStatus.SUSPENDED: "resume",
        }
        step = steps.get(case.status)
        if step:
            return step
        if case.status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW):
            if pending.filter(department=self.p.dept_b).exists():
                return "opinion_b"
            if pending.exists():
                return "opinion_a"
            return "grant" if index % 3 else "refuse"
        if case.status == CaseStatus.GRANTED:
            return "deliver"
        return "new"

    def act(self, action: str, case: Case) -> None:
        p = self.p
        if action == "accept":
            case_services.case_accept(case=case, actor=p.clerk)
        elif action == "correct":
            line = case.materials.get()
            finding = case_services.MaterialFinding(line.pk, MaterialStatus.MISSING, "缺少原件")
            case_services.case_request_correction(case=case, actor=p.clerk, findings=[finding])
        elif action == "resubmit":
            case_services.case_resubmit(case=case, actor=p.applicant)
        elif action == "reject":
            case_services.case_reject(case=case, actor=p.clerk, reasons="不属于本机关职权范围")
        elif action == "withdraw":
            case_services.case_withdraw(case=case, actor=p.applicant, reason="不再需要")
        elif action in ("opinion_a", "opinion_b"):
            department = p.dept_a if action == "opinion_a" else p.dept_b
            give_opinion(self.w, case, department, day=self.today())
        elif action == "deem":
            tasks_deem_consent(today=self.day)
        elif action == "suspend":
            suspension_start(
                case=case, actor=p.approver_a, kind="testing", reason="委托检验", expected_days=3
            )
        elif action == "resume":
            suspension = Suspension.objects.get(case=case, ended_on__isnull=True)
            suspension_end(suspension=suspension, actor=p.approver_a, result="检验合格")
        elif action in ("grant", "refuse"):
            fields: dict[str, Any] = (
                {}
                if action == "grant"
                else {
                    "reasons": "不符合法定条件",
                    "remedies": "可在六十日内申请行政复议或在六个月内提起行政诉讼",
                }
            )
            decision_make(
                case=case,
                actor=p.approver_a,
                kind=DecisionKind.GRANT if action == "grant" else DecisionKind.REFUSE,
                **fields,
            )
        elif action == "ask":
            self.ask(case)
        elif action == "answer":
            request = MaterialRequest.objects.get(task__case=case, answered_on__isnull=True)
            material_request_answer(request=request, actor=p.applicant, answer="已补充检验报告")
        elif action == "deliver":
            self.deliver(case)

    def ask(self, case: Case) -> None:
        """A reviewer asks for more material: the open task pauses (no figure moves)."""
        p = self.p
        task = Task.objects.filter(case=case, status=TaskStatus.OPEN).order_by("pk").first()
        if task is None:
            return
        reviewer = p.reviewer_a if task.department_id == p.dept_a.pk else p.reviewer_b
        task_material_request(task=task, actor=reviewer, text="请补充检验报告", revision=None)

    def deliver(self, case: Case) -> None:
        """The certificate is issued (if not yet) and handed over at the window: the delivery
        stage ends and the case completes."""
        if case.status != CaseStatus.GRANTED:
            return
        decision = case.decision
        if not certificate_services._has_certificate(case):
            certificate_services.certificate_issue(
                case=case, decision=decision, actor=decision.decided_by, now=at(self.today(), 10)
            )
        certificate_services.delivery_handover(
            case=case,
            actor=self.p.clerk,
            receiver_name="张伟",
            receiver_id_number="11010519491231002X",
            now=at(self.today(), 16),
        )

    def replay(self, case: Case) -> None:
        event = case.events.order_by("-pk").first()
        if event is None:
            return
        before = snapshot()
        stats_on_event(case, event, None)
        stats_on_enter(case, event, None)
        stats_on_event(case, event, None)
        assert snapshot() == before, "replaying an event changed the rollups"


@pytest.fixture
def dworld(personas):
    return make_world(personas)


@settings(
    max_examples=12,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no minutes-long shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(ACTIONS + FORWARD), st.integers(0, 5), st.integers(0, 9)),
        min_size=1,
        max_size=24,
    )
)
@example(
    # two cases through correction, review with a special procedure, a grant and a refusal,
    # across months, with replays on the way
    steps=[
        ("new", 0, 1),
        ("correct", 0, 3),
        ("resubmit", 0, 1),
        ("new", 1, 0),
        ("accept", 0, 2),
        ("accept", 1, 4),
        ("replay", 0, 0),
        ("opinion_b", 0, 2),
        ("suspend", 0, 6),
        ("resume", 0, 2),
        ("opinion_a", 0, 1),
        ("grant", 0, 30),
        ("deem", 1, 0),
        ("opinion_a", 1, 1),
        ("replay", 1, 0),
        ("refuse", 1, 0),
        ("replay", 1, 0),
        ("withdraw", 0, 0),
    ]
)
def test_rollups_equal_a_full_recount_after_random_events(dworld, steps):
    driver = Driver(dworld)
    for action, index, days in steps:
        driver.run(action, index)
        driver.advance(days)
    assert CaseEvent.objects.exists()
    for filters in ({}, {"year": 2025, "month": 3}, {"department": dworld.p.dept_a.pk}):
        assert_same(
            figures_from_rollups(filters_parse(**filters)).comparable(),
            figures_from_cases(**filters).comparable(),
        )
    incremental = snapshot()
    services.rebuild()
    assert snapshot() == incremental


STORY = [
    ("new", 0, 1),
    ("correct", 0, 3),
    ("resubmit", 0, 1),
    ("accept", 0, 2),
    ("ask", 0, 2),
    ("answer", 0, 1),
    ("opinion_b", 0, 2),
    ("opinion_a", 0, 1),
    ("grant", 0, 3),
    ("deliver", 0, 0),
]


def test_the_explicit_story_reaches_every_stage(dworld):
    """The actions are not vacuous: a material request asked and answered, and every stage
    counted, delivery included; the rollups equal the recount after it."""
    driver = Driver(dworld)
    for action, index, days in STORY:
        driver.run(action, index)
        driver.advance(days)
    assert MaterialRequest.objects.filter(answered_on__isnull=False).count() == 1
    stages = set(CaseStageFact.objects.values_list("stage", flat=True))
    assert stages == {"intake", "correction", "review", "decision", "delivery"}
    figures = figures_from_rollups(filters_parse())
    assert figures.total.closed == 1 and figures.by_status == {"completed": 1}
    assert_same(figures.comparable(), figures_from_cases().comparable())
    # the correction notice on Tue 03-04, answered Fri 03-07: 3 working days
    assert CaseStageFact.objects.get(stage="correction").days == 3
