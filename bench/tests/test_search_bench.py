"""The search benchmark's figures and its query lists (no database: the bench itself runs on
the demo catalog)."""

from __future__ import annotations

import math

from bench.search_bench import ADVERSARIAL, TYPICAL, figures, timings


def test_figures_give_median_p95_and_max_in_milliseconds() -> None:
    seconds = [i / 1000 for i in range(1, 101)]  # 1 … 100 ms
    result = figures(seconds)
    assert result.count == 100
    assert math.isclose(result.p50_ms, 50.5)
    assert math.isclose(result.p95_ms, 96.0)
    assert math.isclose(result.max_ms, 100.0)


def test_figures_of_nothing_are_not_numbers() -> None:
    result = figures([])
    assert result.count == 0
    assert math.isnan(result.p50_ms) and math.isnan(result.p95_ms) and math.isnan(result.max_ms)


def test_timings_time_every_query_of_every_round() -> None:
    seen: list[str] = []
    spent = timings(seen.append, ["a", "b", "c"], rounds=2)
    assert seen == ["a", "b", "c", "a", "b", "c"]
    assert len(spent) == 6 and all(s >= 0 for s in spent)


def test_the_query_lists_cover_the_everyday_and_the_odd() -> None:
    assert {"办护照", "营业执照", "开饭店", "yyzz", "营业执昭"} <= set(TYPICAL)
    assert any(len(q) >= 1000 for q in ADVERSARIAL)
    assert any("<script>" in q for q in ADVERSARIAL)
    assert any("OR 1=1" in q for q in ADVERSARIAL)
    assert any(all(not c.isalnum() for c in q) for q in ADVERSARIAL)  # punctuation / emoji only
