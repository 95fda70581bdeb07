"""docs/rules/hall.md §J3, §J18: the monthly window score, its worked example, ties, the
settings' validation and the periodic job."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from onewindow.conduct import scoring, services
from onewindow.conduct.errors import Invalid
from onewindow.conduct.jobs import evaluate_previous_month
from onewindow.conduct.models import (
    ConductConfig,
    Designation,
    DisciplineKind,
    Rectification,
    WindowScore,
)
from onewindow.supervision.models import CardLevel, CardStatus

from .world import NOV, TODAY, at, card, closed, complaint, ratings, staff, window

D = Decimal


def _record(p, member, kind, day="2025-11-20"):
    return services.discipline_record(
        actor=p.supervisor,
        staff=member,
        window_id=member.windows.first().pk,
        kind=kind,
        difficulty="face",
        reason="对申请人态度生硬。",
        public_summary="窗口人员对群众态度生硬。" if kind == DisciplineKind.NOTICE else "",
        now=at(day),
    )


@pytest.fixture
def example(personas):
    """The worked example of docs/rules/hall.md §J3, written where the evaluation reads it."""
    p = personas
    ConductConfig.objects.create(pk=1, ranking_size=1)
    a01 = p.window  # the personas' window, department A alone
    b02, c03, d04, e05 = (window(n) for n in ("B02", "C03", "D04", "E05"))
    ratings(a01, total=50, satisfied=46)
    closed(a01, total=40, on_time=38)
    card(a01, CardLevel.YELLOW)
    ratings(b02, total=30, satisfied=24)
    closed(b02, total=20, on_time=15)
    complaint(b02, p.applicant)
    card(b02, CardLevel.RED)
    _record(p, staff(b02), DisciplineKind.INTERVIEW)
    ratings(c03, total=12, satisfied=11)
    _record(p, staff(c03), DisciplineKind.WARNING)
    ratings(d04, total=3, satisfied=3)
    closed(d04, total=10, on_time=10)
    ratings(e05, total=20, satisfied=19)
    closed(e05, total=100, on_time=91)
    _record(p, staff(e05), DisciplineKind.WARNING)
    # Not counted: a cancelled card, a card and a complaint of October, an unfounded complaint,
    # ratings of December.
    cancelled = card(a01, CardLevel.RED)
    cancelled.status = CardStatus.CANCELLED
    cancelled.save()
    card(a01, CardLevel.RED, issued_at=at("2025-10-31", 23))
    complaint(a01, p.applicant, closed_at=at("2025-10-20"))
    complaint(a01, p.applicant, result="unsubstantiated")
    ratings(a01, total=10, satisfied=0, month=dt.date(2025, 12, 1))
    return {w.number: w for w in (a01, b02, c03, d04, e05)}


def test_the_worked_example_is_reproduced_exactly(example, personas):
    with time_machine.travel(TODAY, tick=False):
        services.evaluation_compute(month=NOV, actor=personas.supervisor)
    rows = {
        r.window.number: r for r in WindowScore.objects.filter(month=NOV).select_related("window")
    }
    expected = {
        # number: satisfaction, on-time, complaints, cards, discipline, score, rank, designation
        "C03": (
            D("91.67"),
            D("100.00"),
            D("100.00"),
            D("100.00"),
            D("90.00"),
            D("95.67"),
            1,
            Designation.RED_FLAG,
        ),
        "E05": (D("95.00"), D("91.00"), D("100.00"), D("100.00"), D("90.00"), D("94.30"), 2, ""),
        "A01": (D("92.00"), D("95.00"), D("100.00"), D("90.00"), D("100.00"), D("94.30"), 3, ""),
        "B02": (
            D("80.00"),
            D("75.00"),
            D("80.00"),
            D("75.00"),
            D("80.00"),
            D("78.00"),
            4,
            Designation.BOTTOM,
        ),
        "D04": (None, D("100.00"), D("100.00"), D("100.00"), D("100.00"), None, None, ""),
    }
    for number, want in expected.items():
        row = rows[number]
        got = (
            row.satisfaction_points,
            row.on_time_points,
            row.complaint_points,
            row.card_points,
            row.discipline_points,
            row.score,
            row.rank,
            row.designation,
        )
        assert got == want, number
    a01 = rows["A01"]
    assert (a01.ratings, a01.satisfied, a01.cases_closed, a01.cases_on_time) == (50, 46, 40, 38)
    assert (a01.yellow_cards, a01.red_cards, a01.complaints_upheld) == (1, 0, 0)
    assert rows["B02"].interviews == 1 and rows["C03"].warnings == 1
    assert a01.settings_used["weight_satisfaction"] == 40 and a01.settings_used["ranking_size"] == 1


def test_ties_go_to_higher_satisfaction_then_on_time_then_window_number():
    assert sorted(
        [
            scoring.tie_key(D("94.30"), D("92.00"), D("95.00"), "A01"),
            scoring.tie_key(D("94.30"), D("95.00"), D("91.00"), "E05"),
            scoring.tie_key(D("94.30"), D("95.00"), D("91.00"), "B02"),
            scoring.tie_key(D("94.30"), D("95.00"), D("92.00"), "Z09"),
        ]
    ) == [
        scoring.tie_key(D("94.30"), D("95.00"), D("92.00"), "Z09"),
        scoring.tie_key(D("94.30"), D("95.00"), D("91.00"), "B02"),
        scoring.tie_key(D("94.30"), D("95.00"), D("91.00"), "E05"),
        scoring.tie_key(D("94.30"), D("92.00"), D("95.00"), "A01"),
    ]


def test_deductions_stop_at_zero_and_too_few_ratings_leave_no_score():
    settings_row = ConductConfig()
    many = scoring.Inputs(ratings=10, satisfied=10, complaints_upheld=9, removals=2, red_cards=5)
    p = scoring.points(many, settings_row)
    assert (p.complaints, p.discipline, p.cards) == (D("0.00"), D("0.00"), D("0.00"))
    assert p.score == D("70.00")  # 40 × 100 + 30 × 100 (no case closed), the rest 0
    assert scoring.points(scoring.Inputs(ratings=4, satisfied=4), settings_row).score is None


def test_red_flag_and_bottom_never_overlap():
    assert scoring.designations(1, 3) == (0, 0)
    assert scoring.designations(3, 3) == (1, 1)
    assert scoring.designations(10, 3) == (3, 3)


def test_recomputing_replaces_the_month_and_keeps_rectifications(example, personas):
    with time_machine.travel(TODAY, tick=False):
        services.evaluation_compute(month=NOV, actor=personas.supervisor)
        services.rectification_record(
            actor=personas.supervisor,
            window_id=example["B02"].pk,
            month=NOV,
            requirement="开展文明服务培训。",
            due_on=dt.date(2025, 12, 31),
        )
        ratings(example["B02"], total=30, satisfied=30)  # more ratings counted since
        services.evaluation_compute(month=NOV, actor=personas.supervisor)
    assert WindowScore.objects.filter(month=NOV).count() == 5
    assert WindowScore.objects.get(month=NOV, window=example["B02"]).ratings == 60
    assert Rectification.objects.get().window == example["B02"]


@pytest.mark.parametrize(
    ("month", "message"),
    [
        (dt.date(2026, 1, 1), "不能评价未来的月份。"),
        (dt.date(2025, 12, 1), "本月尚未结束，只能评价已经结束的月份。"),
        (None, "月份应写作“年-月”，例如 2025-11。"),
    ],
)
def test_a_month_not_yet_ended_is_refused_and_nothing_is_stored(personas, month, message):
    with time_machine.travel(TODAY, tick=False), pytest.raises(Invalid) as err:
        services.evaluation_compute(month=month, actor=personas.supervisor)
    assert err.value.errors["month"] == [message]
    assert not WindowScore.objects.exists()


def test_weights_must_add_up_to_100_and_nothing_changes_otherwise(personas):
    values = dict(services.settings_snapshot(services.config()), weight_satisfaction=50)
    with pytest.raises(Invalid) as err:
        services.config_update(actor=personas.admin, values=values)
    assert err.value.errors["__all__"] == ["五项权重之和应为 100，现为 110。"]
    assert not ConductConfig.objects.exists()
    with pytest.raises(Invalid) as err:
        services.config_update(actor=personas.admin, values={"weight_cards": "十"})
    assert err.value.errors["weight_cards"] == ["请填写整数。"]
    values |= {"weight_on_time": 20}
    row = services.config_update(actor=personas.admin, values=values)
    assert (row.weight_satisfaction, row.weight_on_time, row.updated_by) == (50, 20, personas.admin)


def test_the_job_computes_the_previous_month_once(example):
    with time_machine.travel(TODAY, tick=False):
        assert evaluate_previous_month() == 5
        assert evaluate_previous_month() == 0
    assert WindowScore.objects.filter(month=NOV, computed_by=None).count() == 5
