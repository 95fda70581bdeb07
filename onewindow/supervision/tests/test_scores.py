"""Performance scores (绩效考核, docs/rules/supervision.md §D10): the D4 indicators, the score worked
out by hand, weights shared out when an indicator is unavailable, grades, dense ranks, idempotent
recompute, window scores from the intake window, the scheme's validation and the background job."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from onewindow.cases import services as case_services
from onewindow.cases.services import MaterialFinding
from onewindow.catalog.models import Window
from onewindow.core.jobs import JOBS
from onewindow.ratings.models import RatingTally
from onewindow.review.tests.task_world import at
from onewindow.supervision import jobs
from onewindow.supervision.models import (
    CardLevel,
    Grade,
    PerformanceScore,
    PeriodKind,
    ScoreScheme,
    SubjectKind,
)
from onewindow.supervision.selectors.score_figures import (
    Figures,
    department_figures,
    window_figures,
)
from onewindow.supervision.services.letters import letter_issue
from onewindow.supervision.services.scores import (
    SchemeInvalid,
    ScoreError,
    ScoreForbidden,
    dense_ranks,
    grade_of,
    period_check,
    period_label,
    scheme_get,
    scheme_update,
    score_of,
    scores_compute,
    scores_recompute,
    scores_refresh,
)
from onewindow.supervision.tests.score_world import (
    cancelled_card,
    card,
    decided_case,
    item_version,
    make_score_world,
)
from onewindow.supervision.tests.world import D, accept, submitted_case

pytestmark = pytest.mark.django_db

Q4 = D("2025-10-01")
AFTER_Q4 = at("2026-01-05", 9)


@pytest.fixture
def sworld(personas):
    return make_score_world(personas)


def compute(kind=PeriodKind.QUARTER, start=Q4, when=AFTER_Q4):
    with time_machine.travel(when, tick=False):
        return scores_compute(kind=kind, period_start=start)


def row(subject, kind=PeriodKind.QUARTER, start=Q4) -> PerformanceScore:
    field = "window" if isinstance(subject, Window) else "department"
    return PerformanceScore.objects.get(period_kind=kind, period_start=start, **{field: subject})


def test_a_department_score_worked_out_by_hand(sworld, personas):
    # Due 2025-10-14: decided 10-13 (early), 10-14 twice (on time), 10-16 (late).
    cases = [decided_case(sworld, day) for day in ("2025-10-13", "2025-10-14", "2025-10-14")]
    late = decided_case(sworld, "2025-10-16")
    assert cases[0].decision_due == D("2025-10-14")
    card(late, "case_decision_due", CardLevel.YELLOW, day="2025-10-13")
    card(late, "case_decision_due", CardLevel.RED, day="2025-10-15")
    cancelled_card(sworld, cases[0], "task_due")  # cancelled: does not count
    compute()
    a = row(personas.dept_a)
    assert (a.closed, a.closed_on_time, a.closed_early) == (4, 3, 1)
    assert (a.on_time_rate, a.early_rate) == (Decimal("0.7500"), Decimal("0.2500"))
    # No rating in the period (docs/rules/satisfaction.md §E7): no invented number
    assert a.ratings == 0 and a.satisfaction_rate is None
    assert a.compression_rate == Decimal("0.9107")  # (56 − 5) ÷ 56
    assert (a.yellow_cards, a.red_cards, a.letters) == (1, 1, 0)
    # Satisfaction's 20 shared out: (40×0.75 + 20×0.25 + 20×0.9107) ÷ 80 × 100 = 66.5175,
    # minus 1 (yellow) and 3 (red) = 62.5175 → 62.52: 合格 (≥ 60).
    assert a.score == Decimal("62.52")
    assert (a.grade, a.rank) == (Grade.PASS, 1)
    assert a.period_end == D("2025-12-31")


def test_a_letter_costs_five_points_when_the_period_is_recomputed(sworld, personas):
    decided_case(sworld, "2025-10-14")
    compute()
    # (40×1 + 20×0 + 20×0.9107) ÷ 80 × 100 = 72.7675 → 72.77.
    assert row(personas.dept_a).score == Decimal("72.77")
    with time_machine.travel(at("2025-11-03", 9), tick=False):
        letter_issue(
            actor=personas.supervisor,
            department=personas.dept_a,
            subject="审查超时",
            text="请说明原因。",
        )
    with time_machine.travel(AFTER_Q4, tick=False):
        assert scores_recompute(actor=personas.supervisor, kind="quarter", period_start=Q4) > 0
    a = row(personas.dept_a)
    assert (a.letters, a.score, a.grade) == (1, Decimal("67.77"), Grade.PASS)


def test_compression_is_the_plain_average_over_the_departments_published_items(sworld, personas):
    assert department_figures(Q4, D("2025-12-31"))[personas.dept_a.pk].compression == Decimal(
        "0.9107"
    )  # docs/rules/supervision.md §D4: 56 → 5 days is 91.1 %
    item_version(personas, code="SCORE-T-002", statutory=20, committed=12)  # 0.4
    item_version(personas, code="SCORE-T-003", statutory=0, committed=0)  # 即办件: no limit
    figures = department_figures(Q4, D("2025-12-31"))
    # (51/56 + 8/20) ÷ 2 = 0.655357…
    assert figures[personas.dept_a.pk].compression == Decimal("0.6554")
    assert figures[personas.dept_b.pk].compression is None  # no items


def test_an_unavailable_indicators_weight_is_shared_out_over_the_others():
    scheme = ScoreScheme()  # the defaults: 40 / 20 / 20 / 20, penalties 1 / 3 / 5
    busy = Figures(closed=4, on_time=4, early=0, compression=Decimal("0.5"))
    # No ratings: (40×1 + 20×0 + 20×0.5) ÷ 80 × 100 = 62.5 (not 40 + 0 + 10 = 50).
    assert score_of(busy, scheme) == Decimal("62.50")
    rated = Figures(closed=4, on_time=4, ratings=10, satisfied=5, compression=Decimal("0.5"))
    assert score_of(rated, scheme) == Decimal("60.00")  # all four: 40 + 0 + 10 + 10
    # A window: no compression either, (40×1 + 20×0.5) ÷ 60 × 100 = 83.333…
    window = Figures(closed=2, on_time=2, early=1, compression=Decimal("0.9"))
    assert score_of(window, scheme, compression_applies=False) == Decimal("83.33")
    # Nothing measurable: 100 minus the penalties, never below 0.
    assert score_of(Figures(yellow=2, red=1), scheme) == Decimal("95.00")
    assert score_of(Figures(letters=30), scheme) == Decimal("0.00")


def test_grade_bounds_are_inclusive_at_90_80_and_60():
    scheme = ScoreScheme()
    expected = {
        "100": Grade.EXCELLENT,
        "90.00": Grade.EXCELLENT,
        "89.99": Grade.GOOD,
        "80": Grade.GOOD,
        "79.99": Grade.PASS,
        "60": Grade.PASS,
        "59.99": Grade.FAIL,
        "0": Grade.FAIL,
    }
    assert {score: grade_of(Decimal(score), scheme) for score in expected} == expected


def test_equal_scores_share_a_rank():
    assert dense_ranks([Decimal(90), Decimal(80), Decimal(90), Decimal(70)]) == [1, 2, 1, 3]
    assert dense_ranks([]) == []


def test_a_department_without_closed_cases_is_listed_unranked_and_ungraded(sworld, personas):
    decided_case(sworld, "2025-10-20")  # late: a low score, still ranked first of one
    compute()
    a, b = row(personas.dept_a), row(personas.dept_b)
    assert a.rank == 1 and a.grade == Grade.FAIL
    # Department B closed nothing: 100 (nothing measured), but unranked (0) and no grade.
    assert (b.closed, b.score, b.rank, b.grade) == (0, Decimal("100.00"), 0, "")


def test_two_windows_with_equal_scores_share_first_place(sworld, personas):
    second = Window.objects.create(number="A02", name="市场准入综合二窗")
    second.departments.add(personas.dept_a)
    slow = Window.objects.create(number="A03", name="市场准入综合三窗")
    slow.departments.add(personas.dept_a)
    for window, day in (
        (personas.window, "2025-10-09"),
        (second, "2025-10-10"),
        (slow, "2025-10-15"),
    ):
        personas.clerk.windows.set([window])
        accept(sworld, submitted_case(sworld, day="2025-10-09"), day)
    compute()
    # The first two decided early: 100 each, both first; the third on the due date: second.
    assert [row(w).rank for w in (personas.window, second, slow)] == [1, 1, 2]
    assert row(personas.window).score == row(second).score == Decimal("100.00")
    assert row(slow).score == Decimal("66.67")  # (40×1 + 20×0) ÷ 60 × 100


def test_recomputing_replaces_the_periods_rows_and_gives_the_same_result(sworld, personas):
    decided_case(sworld, "2025-10-13")
    first = compute()
    before = list(
        PerformanceScore.objects.order_by("subject_kind", "department", "window").values(
            "subject_kind", "department", "window", "closed", "score", "grade", "rank"
        )
    )
    second = compute()
    after = list(
        PerformanceScore.objects.order_by("subject_kind", "department", "window").values(
            "subject_kind", "department", "window", "closed", "score", "grade", "rank"
        )
    )
    assert before == after and len(first) == len(second) == PerformanceScore.objects.count()
    # Another period is left alone; months get no grade.
    compute(PeriodKind.MONTH, D("2025-10-01"))
    assert PerformanceScore.objects.filter(period_kind="quarter").count() == len(first)
    assert row(personas.dept_a, PeriodKind.MONTH, D("2025-10-01")).grade == ""
    assert row(personas.dept_a, PeriodKind.MONTH, D("2025-10-01")).rank == 1


def test_window_scores_count_intake_decisions_at_the_window(sworld, personas):
    window = personas.window
    idle = Window.objects.create(number="99", name="空闲窗口")
    cases = [submitted_case(sworld, day="2025-10-09") for _ in range(6)]
    assert cases[0].intake_due == D("2025-10-15")
    accept(sworld, cases[0], "2025-10-09")  # early
    accept(sworld, cases[1], "2025-10-15")  # on the due date
    accept(sworld, cases[2], "2025-10-16")  # late
    # Correction notice at the window, answered, then deemed accepted: late, counted once.
    with time_machine.travel(at("2025-10-09", 11), tick=False):
        for case in (cases[3], cases[5]):
            line = case.materials.get()
            finding = MaterialFinding(
                case_material_id=line.pk, problem="defective", remark="不清晰"
            )
            case_services.case_request_correction(
                case=case, actor=personas.clerk, findings=[finding]
            )
    with time_machine.travel(at("2025-10-10", 9), tick=False):
        case_services.case_resubmit(case=cases[3], actor=personas.applicant)
    with time_machine.travel(at("2025-10-17", 1), tick=False):
        assert case_services.cases_accept_deemed() == 2  # cases[3] and cases[4]
    cases[3].refresh_from_db()
    assert cases[3].deemed_accepted and cases[3].intake_window == window
    # cases[4] was deemed accepted without any clerk's decision: no window to count it for.
    cases[4].refresh_from_db()
    assert cases[4].deemed_accepted and cases[4].intake_window is None
    # cases[5]: the applicant never answered the correction notice; rejected on 10-20, after
    # the intake due date, but its intake period was met by the notice: on time, not early.
    with time_machine.travel(at("2025-10-20", 10), tick=False):
        case_services.case_reject(case=cases[5], actor=personas.clerk, reasons="逾期未补正")
    card(cases[2], "case_intake_due", CardLevel.RED, day="2025-10-16")
    card(cases[0], "case_decision_due", CardLevel.YELLOW)  # not an intake rule: department only
    cancelled_card(sworld, cases[1], "case_intake_due")
    compute()
    w = row(window)
    assert (w.closed, w.closed_on_time, w.closed_early) == (5, 3, 1)
    assert (w.yellow_cards, w.red_cards, w.letters) == (0, 1, 0)
    assert w.compression_rate is None and w.satisfaction_rate is None
    # (40×0.6 + 20×0.2) ÷ 60 × 100 = 46.6667, minus 3 = 43.67: 不合格.
    assert (w.score, w.grade, w.rank) == (Decimal("43.67"), Grade.FAIL, 1)
    assert (row(idle).closed, row(idle).rank) == (0, 0)
    assert row(personas.dept_a).yellow_cards == 1  # the department carries every card


def test_a_period_must_be_a_real_month_or_quarter_that_has_begun():
    with time_machine.travel(at("2025-11-03", 9), tick=False):
        assert period_check("quarter", "2025-10-01") == D("2025-10-01")
        with pytest.raises(ScoreError, match="季度的第一天"):
            period_check("quarter", "2025-11-01")
        with pytest.raises(ScoreError, match="月份的第一天"):
            period_check("month", "2025-11-02")
        with pytest.raises(ScoreError, match="尚未开始"):
            period_check("month", "2025-12-01")
        with pytest.raises(ScoreError, match="月度"):
            period_check("year", "2025-01-01")
        with pytest.raises(ScoreError, match="YYYY-MM-DD"):
            period_check("month", "2025/11/01")


def test_only_supervisors_and_administrators_recompute(sworld, personas):
    with time_machine.travel(AFTER_Q4, tick=False):
        with pytest.raises(ScoreForbidden):
            scores_recompute(actor=personas.chief_a, kind="quarter", period_start=Q4)
        assert not PerformanceScore.objects.exists()
        assert scores_recompute(actor=personas.admin, kind="quarter", period_start=Q4) > 0


def test_an_administrator_changes_the_scheme(personas):
    scheme = scheme_update(
        actor=personas.admin,
        weight_on_time="50",
        weight_early=10,
        weight_satisfaction=Decimal("25.5"),
        weight_compression="14.5",
        red_penalty="4",
    )
    scheme.refresh_from_db()
    assert (scheme.weight_on_time, scheme.weight_satisfaction) == (Decimal(50), Decimal("25.5"))
    assert scheme.red_penalty == Decimal(4) and scheme.yellow_penalty == Decimal(1)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"weight_on_time": "50"}, "四项指标权重之和须为 100，当前为 110"),
        ({"weight_on_time": "-10", "weight_early": "70"}, "按时办结率权重不能为负数"),
        ({"red_penalty": "-1"}, "每张红牌扣分不能为负数"),
        ({"red_penalty": "abc"}, "每张红牌扣分须为数字"),
        ({"red_penalty": "1.005"}, "每张红牌扣分最多保留两位小数"),
        ({"grade_good": "95"}, "等次分数线须从高到低"),
        ({"grade_pass": "80"}, "等次分数线须从高到低"),
        ({"grade_excellent": "120"}, "优秀分数线不能超过 100"),
        ({"bonus": "1"}, "未知的方案项目"),
    ],
)
def test_a_bad_scheme_is_refused_in_chinese_and_nothing_changes(personas, values, message):
    before = ScoreScheme.objects.filter(pk=scheme_get().pk).values().get()
    with pytest.raises(SchemeInvalid) as err:
        scheme_update(actor=personas.admin, **values)
    assert message in " ".join(m for ms in err.value.errors.values() for m in ms)
    assert ScoreScheme.objects.filter(pk=1).values().get() == before


def test_only_administrators_change_the_scheme(personas):
    for user in (personas.supervisor, personas.chief_a):
        with pytest.raises(ScoreForbidden):
            scheme_update(actor=user, weight_on_time="40")


def test_the_job_computes_an_ended_period_once_and_the_current_one_hourly(sworld, personas):
    decided_case(sworld, "2025-10-14")
    now = at("2025-11-03", 10)
    assert JOBS["supervision.scores"].func is jobs.scores  # in the background loop
    with time_machine.travel(now, tick=False):
        assert jobs.scores() == 4  # Oct and Q3 (ended), Nov and Q4 (provisional)
        assert scores_refresh() == 0
    with time_machine.travel(now + dt.timedelta(minutes=30), tick=False):
        assert scores_refresh() == 0
    with time_machine.travel(now + dt.timedelta(minutes=61), tick=False):
        assert scores_refresh() == 2  # the current month and quarter again
    with time_machine.travel(at("2025-12-01", 0), tick=False):
        # November ended: once more with final figures; Dec new; Q4 stale; Q3 already final.
        assert scores_refresh() == 3
        assert scores_refresh() == 0
    kinds = set(PerformanceScore.objects.values_list("period_kind", "period_start"))
    assert kinds == {
        ("month", D("2025-10-01")),
        ("month", D("2025-11-01")),
        ("month", D("2025-12-01")),
        ("quarter", D("2025-07-01")),
        ("quarter", D("2025-10-01")),
    }
    assert row(personas.dept_a).subject_kind == SubjectKind.DEPARTMENT


@pytest.mark.parametrize(
    ("language", "month", "quarter"),
    [("zh-hans", "2026年9月", "2026年第3季度"), ("en", "September 2026", "Q3 2026")],
)
def test_period_labels_follow_the_language(language, month, quarter):
    with translation.override(language):
        assert period_label(PeriodKind.MONTH, dt.date(2026, 9, 1)) == month
        assert period_label(PeriodKind.QUARTER, dt.date(2026, 7, 1)) == quarter


def test_satisfaction_is_read_from_the_ratings_tally(sworld, personas):
    """docs/rules/satisfaction.md §E7, §E9: 3 非常满意, 4 满意, 2 基本满意, 1 不满意 in November → 7 ÷ 10
    for the department and the window; an October month of 1 非常不满意 for dept B only; a
    rating of January 2026 is outside Q4."""
    nov, window = D("2025-11-01"), personas.window
    for level, count in ((5, 3), (4, 4), (3, 2), (2, 1)):
        RatingTally.objects.create(
            month=nov, department=personas.dept_a, window=window, level=level, count=count
        )
    RatingTally.objects.create(month=D("2025-10-01"), department=personas.dept_b, level=1, count=1)
    RatingTally.objects.create(month=D("2026-01-01"), department=personas.dept_a, level=5, count=9)
    departments = department_figures(Q4, D("2025-12-31"))
    a, b = departments[personas.dept_a.pk], departments[personas.dept_b.pk]
    assert (a.ratings, a.satisfied, a.satisfaction_rate) == (10, 7, Decimal("0.7000"))
    assert (b.ratings, b.satisfied, b.satisfaction_rate) == (1, 0, Decimal("0.0000"))
    w = window_figures(Q4, D("2025-12-31"))[window.pk]
    assert (w.ratings, w.satisfied, w.satisfaction_rate) == (10, 7, Decimal("0.7000"))
    decided_case(sworld, "2025-10-14")
    compute()
    stored = row(personas.dept_a)
    assert (stored.ratings, stored.satisfied) == (10, 7)
    assert stored.satisfaction_rate == Decimal("0.7000")
    # (40×1 + 20×0 + 20×0.7 + 20×0.9107) ÷ 100 × 100 = 72.214 → 72.21
    assert stored.score == Decimal("72.21")
