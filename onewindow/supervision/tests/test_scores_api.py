"""The performance score API (绩效考核): scores per period with filters, recompute for
supervisors and administrators, the scheme read by staff and written by administrators; bad
input a JSON 400 in Chinese with nothing changed; 403 / 404 logged; everything in OpenAPI."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from rest_framework.test import APIClient

from onewindow.core.models import AccessDenied
from onewindow.review.tests.task_world import at
from onewindow.supervision.models import PerformanceScore, ScoreScheme
from onewindow.supervision.services.scores import scheme_get, scores_compute
from onewindow.supervision.tests.score_world import decided_case, make_score_world

pytestmark = pytest.mark.django_db
BASE = "/api/v1/supervision/scores"
AFTER_Q4 = at("2026-01-05", 9)
SCHEME = {
    "weight_on_time": "40",
    "weight_early": "20",
    "weight_satisfaction": "20",
    "weight_compression": "20",
    "yellow_penalty": "1",
    "red_penalty": "3",
    "letter_penalty": "5",
    "grade_excellent": "90",
    "grade_good": "80",
    "grade_pass": "60",
}


@pytest.fixture
def scored(personas):
    w = make_score_world(personas)
    decided_case(w, "2025-10-14")
    with time_machine.travel(AFTER_Q4, tick=False):
        scores_compute(kind="quarter", period_start="2025-10-01")
    return w


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _call(user, method, url, data=None, **params):
    with time_machine.travel(AFTER_Q4, tick=False):
        client = _api(user)
        if method == "get":
            return client.get(url, params)
        return getattr(client, method)(url, data, format="json")


def test_scores_of_the_latest_quarter_by_default(scored, personas):
    r = _call(personas.reviewer_b, "get", f"{BASE}/")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert (body["period_kind"], body["period_start"], body["period_end"]) == (
        "quarter",
        "2025-10-01",
        "2025-12-31",
    )
    assert body["provisional"] is False
    first = body["results"][0]
    assert first["name"] == personas.dept_a.name and first["rank"] == 1
    # (40×1 + 20×0 + 20×0.9107) ÷ 80 × 100 = 72.77 → 合格.
    assert (first["score"], first["grade"], first["grade_label"]) == ("72.77", "pass", "合格")
    assert first["satisfaction_rate"] is None and first["compression_rate"] == "0.9107"
    kinds = {row["subject_kind"] for row in body["results"]}
    assert kinds == {"department", "window"}


def test_filters_by_subject_department_and_window(scored, personas):
    params = {"period_kind": "quarter", "period_start": "2025-10-01", "subject_kind": "window"}
    rows = _call(personas.supervisor, "get", f"{BASE}/", **params).json()["results"]
    assert [row["window_id"] for row in rows] == [personas.window.pk]
    rows = _call(personas.supervisor, "get", f"{BASE}/", department=personas.dept_b.pk).json()
    assert [row["department_id"] for row in rows["results"]] == [personas.dept_b.pk]
    assert rows["results"][0]["rank"] == 0  # closed nothing: not ranked
    empty = _call(personas.supervisor, "get", f"{BASE}/", period_kind="month").json()
    assert empty["period_start"] is None and empty["results"] == []
    for bad in ({"period_kind": "year"}, {"period_start": "2025-10-02"}, {"subject_kind": "x"}):
        r = _call(personas.supervisor, "get", f"{BASE}/", **bad)
        assert r.status_code == 400 and r.json()["code"] == "invalid", bad


def test_a_supervisor_recomputes_and_others_are_refused(scored, personas):
    body = {"period_kind": "quarter", "period_start": "2025-10-01"}
    PerformanceScore.objects.update(score=Decimal(1))
    r = _call(personas.supervisor, "post", f"{BASE}/recompute/", body)
    assert r.status_code == 200 and r.json()["count"] == PerformanceScore.objects.count()
    assert PerformanceScore.objects.get(department=personas.dept_a).score == Decimal("72.77")
    r = _call(personas.chief_a, "post", f"{BASE}/recompute/", body)
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert AccessDenied.objects.filter(user=personas.chief_a).exists()
    assert _call(personas.applicant, "post", f"{BASE}/recompute/", body).status_code == 404
    assert _call(personas.applicant, "get", f"{BASE}/").status_code == 404
    assert AccessDenied.objects.filter(user=personas.applicant).count() == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"period_kind": "year", "period_start": "2025-10-01"}, "考核周期只能是"),
        ({"period_kind": "quarter", "period_start": "2025-10"}, "YYYY-MM-DD"),
        ({"period_kind": "quarter", "period_start": "2025-11-01"}, "季度的第一天"),
        ({"period_kind": "month", "period_start": "2026-02-01"}, "尚未开始"),
    ],
)
def test_a_bad_recompute_is_a_400_in_chinese(personas, body, message):
    r = _call(personas.admin, "post", f"{BASE}/recompute/", body)
    assert r.status_code == 400 and message in r.json()["message"]
    assert not PerformanceScore.objects.exists()


def test_the_scheme_is_read_by_staff_and_written_by_administrators(personas):
    r = _call(personas.handler_a, "get", f"{BASE}/scheme/")
    assert r.status_code == 200
    assert {k: v for k, v in r.json().items() if k != "updated_at"} == SCHEME
    body = SCHEME | {"weight_on_time": 50, "weight_early": "10", "grade_pass": "65.5"}
    r = _call(personas.admin, "put", f"{BASE}/scheme/", body)
    assert r.status_code == 200, r.json()
    assert (r.json()["weight_on_time"], r.json()["grade_pass"]) == ("50", "65.5")
    assert scheme_get().grade_pass == Decimal("65.5")
    r = _call(personas.supervisor, "put", f"{BASE}/scheme/", SCHEME)
    assert r.status_code == 403 and scheme_get().weight_on_time == Decimal(50)
    assert _call(personas.applicant, "get", f"{BASE}/scheme/").status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"weight_on_time": "45"}, "non_field_errors", "四项指标权重之和须为 100，当前为 105"),
        ({"yellow_penalty": "-1"}, "yellow_penalty", "每张黄牌扣分不能为负数"),
        ({"red_penalty": "三"}, "red_penalty", "每张红牌扣分须为数字"),
        ({"grade_good": "90"}, "non_field_errors", "等次分数线须从高到低"),
        ({"grade_excellent": "100.5"}, "grade_excellent", "优秀分数线不能超过 100"),
    ],
)
def test_a_bad_scheme_is_a_400_and_nothing_changes(personas, change, field, message):
    before = ScoreScheme.objects.filter(pk=scheme_get().pk).values().get()
    r = _call(personas.admin, "put", f"{BASE}/scheme/", SCHEME | change)
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid" and message in body["message"]
    assert message in " ".join(body["errors"][field])
    assert ScoreScheme.objects.filter(pk=1).values().get() == before


def test_a_scheme_missing_a_field_is_refused(personas):
    body = {k: v for k, v in SCHEME.items() if k != "grade_pass"}
    r = _call(personas.admin, "put", f"{BASE}/scheme/", body)
    assert r.status_code == 400 and "grade_pass" in r.json()["errors"]


def test_every_score_endpoint_is_in_the_schema(personas):
    schema = _api(personas.supervisor).get("/api/v1/openapi.json").json()
    ops = {
        op["operationId"]
        for item in schema["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for name in ("list", "recompute", "scheme_retrieve", "scheme_update"):
        assert f"supervision_scores_{name}" in ops
    assert "PerformanceScore" in schema["components"]["schemas"]
