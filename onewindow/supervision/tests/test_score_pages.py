"""The performance score pages (绩效考核): the ranking for every staff role with the weights in
use and "暂无评价数据" instead of a satisfaction number, grades as text, recompute for
supervisors and administrators, a subject's history, the scheme page (administrators edit,
supervisors read); applicants and anonymous visitors 404 and logged."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from onewindow.core.models import AccessDenied
from onewindow.review.tests.task_world import at
from onewindow.supervision.models import PerformanceScore, ScoreScheme
from onewindow.supervision.services.scores import scheme_get, scores_compute
from onewindow.supervision.tests.score_world import decided_case, make_score_world
from onewindow.supervision.tests.world import D

pytestmark = pytest.mark.django_db
AFTER_Q4 = at("2026-01-05", 9)


@pytest.fixture
def scored(personas):
    w = make_score_world(personas)
    decided_case(w, "2025-10-13")
    with time_machine.travel(AFTER_Q4, tick=False):
        scores_compute(kind="quarter", period_start="2025-10-01")
        scores_compute(kind="month", period_start="2025-10-01")
    return w


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(user, url=None, **params):
    with time_machine.travel(AFTER_Q4, tick=False):
        return _client(user).get(url or reverse("supervision:scores"), params)


def test_the_ranking_defaults_to_the_latest_quarter_and_shows_the_weights(scored, personas):
    page = _get(personas.supervisor).content.decode()
    assert "2025年第4季度" in page and "部门排名" in page and "窗口排名" in page
    assert "91.1%" in page  # compression 56 → 5 days
    assert "100.0%" in page  # on time
    assert "暂无评价数据" in page  # no satisfaction number invented
    assert "按时办结率 40，提前办结率 20，满意率 20，时限压缩率 20" in page
    assert "按其余指标的权重比例分配" in page
    # (40×1 + 20×1 + 20×0.9107) ÷ 80 × 100 = 97.7675 → 97.77: 优秀, as text with its colour.
    assert "97.77" in page
    assert 'status-badge status-green">优秀</span>' in page
    assert "不参与排名" in page and "本期无办结件" in page  # department B
    assert 'aria-current="page">绩效考核' in page  # the supervision tab


def test_a_month_has_no_grade_column(scored, personas):
    page = _get(personas.supervisor, kind="month").content.decode()
    assert "2025年10月" in page and "97.77" in page
    assert "等次" not in page.split("部门排名")[2].split("</table>")[0]


def test_every_staff_role_reads_the_ranking_and_sees_its_own_department(scored, personas):
    for user in (personas.handler_a, personas.reviewer_b, personas.clerk, personas.auditor):
        response = _get(user)
        assert response.status_code == 200, user.role
    page = _get(personas.chief_a).content.decode()
    assert "（本部门）" in page and "重新计算" not in page
    assert "（本窗口）" in _get(personas.clerk).content.decode()


def test_applicants_and_anonymous_visitors_are_refused(scored, personas):
    url = reverse("supervision:scores")
    assert _get(personas.applicant).status_code == 404
    assert _get(personas.applicant, reverse("supervision:score_scheme")).status_code == 404
    dept = reverse("supervision:score_department", args=[personas.dept_a.pk])
    assert _get(personas.applicant, dept).status_code == 404
    assert AccessDenied.objects.filter(user=personas.applicant).count() == 3
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_a_supervisor_recomputes_a_period(scored, personas):
    ScoreScheme.objects.filter(pk=scheme_get().pk).update(yellow_penalty=2)
    PerformanceScore.objects.filter(period_kind="quarter").update(score=Decimal(1))
    with time_machine.travel(AFTER_Q4, tick=False):
        response = _client(personas.supervisor).post(
            reverse("supervision:score_recompute"),
            {"kind": "quarter", "period": "2025-10-01"},
            follow=True,
        )
    page = response.content.decode()
    assert "已重新计算2025年第4季度的绩效得分" in page
    assert PerformanceScore.objects.get(
        period_kind="quarter", department=personas.dept_a
    ).score == Decimal("97.77")


def test_a_bad_recompute_request_says_why_and_others_may_not(scored, personas):
    with time_machine.travel(AFTER_Q4, tick=False):
        admin = _client(personas.admin)
        url = reverse("supervision:score_recompute")
        bad = admin.post(url, {"kind": "quarter", "period": "2025-11-01"}, follow=True)
        assert "季度的第一天" in bad.content.decode()
        future = admin.post(url, {"kind": "month", "period": "2026-03-01"}, follow=True)
        assert "尚未开始" in future.content.decode()
        refused = _client(personas.chief_a).post(url, {"kind": "quarter", "period": "2025-10-01"})
    assert refused.status_code == 404
    assert AccessDenied.objects.filter(user=personas.chief_a).exists()
    assert not PerformanceScore.objects.filter(period_start=D("2025-11-01")).exists()


def test_a_departments_history_lists_its_periods(scored, personas):
    url = reverse("supervision:score_department", args=[personas.dept_a.pk])
    page = _get(personas.handler_a, url).content.decode()
    assert "鄂州市市场监督管理局的绩效考核" in page
    assert page.index("季度 2025-10-01") < page.index("月度 2025-10-01")
    window = reverse("supervision:score_window", args=[personas.window.pk])
    assert "97.77" not in _get(personas.handler_a, window).content.decode()
    missing = reverse("supervision:score_department", args=[9999])
    assert _get(personas.handler_a, missing).status_code == 404


def test_an_administrator_edits_the_scheme(personas):
    client = _client(personas.admin)
    url = reverse("supervision:score_scheme")
    form = client.get(url).content.decode()
    assert 'name="weight_on_time"' in form and "保存方案" in form
    data = {
        "weight_on_time": "50",
        "weight_early": "10",
        "weight_satisfaction": "20",
        "weight_compression": "20",
        "yellow_penalty": "1",
        "red_penalty": "3",
        "letter_penalty": "5",
        "grade_excellent": "90",
        "grade_good": "80",
        "grade_pass": "60",
    }
    response = client.post(url, data, follow=True)
    assert "绩效考核方案已保存" in response.content.decode()
    assert scheme_get().weight_on_time == Decimal(50)


def test_a_bad_scheme_is_shown_in_chinese_and_nothing_is_saved(personas):
    client = _client(personas.admin)
    url = reverse("supervision:score_scheme")
    before = ScoreScheme.objects.filter(pk=scheme_get().pk).values().get()
    data = {
        "weight_on_time": "60",
        "weight_early": "-5",
        "weight_satisfaction": "20",
        "weight_compression": "20",
        "yellow_penalty": "1",
        "red_penalty": "3",
        "letter_penalty": "5",
        "grade_excellent": "90",
        "grade_good": "80",
        "grade_pass": "60",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "提前办结率权重不能为负数" in response.content.decode()
    data |= {"weight_early": "10", "grade_good": "95"}
    page = client.post(url, data).content.decode()
    assert "四项指标权重之和须为 100，当前为 110" in page and "等次分数线须从高到低" in page
    assert ScoreScheme.objects.filter(pk=1).values().get() == before


def test_supervisors_read_the_scheme_but_cannot_change_it(personas):
    client = _client(personas.supervisor)
    url = reverse("supervision:score_scheme")
    page = client.get(url).content.decode()
    assert "只有中心管理员可以修改考核方案" in page and "保存方案" not in page
    assert "disabled" in page
    assert client.post(url, {"weight_on_time": "100"}).status_code == 404
    assert scheme_get().weight_on_time == Decimal(40)
    assert _client(personas.chief_a).get(url).status_code == 404
