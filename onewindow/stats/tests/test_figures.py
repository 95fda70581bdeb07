"""The docs/rules/statistics.md §M1 figures on a hand-made data set (tests/world.py), worked out
by hand, and their agreement with the supervision scores (docs/rules/supervision.md §D4)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from onewindow.stats import services
from onewindow.stats.export import table_csv, table_xlsx
from onewindow.stats.figures import p90
from onewindow.stats.filters import filters_parse
from onewindow.stats.models import MonthlyRollup
from onewindow.stats.recount import figures_from_cases
from onewindow.stats.selectors import figures_from_rollups, public_figures
from onewindow.stats.services import stats_recompute
from onewindow.stats.tables import Table, item_table, percent, summary_table
from onewindow.stats.tests.world import make_world
from onewindow.supervision.selectors.score_figures import department_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    w = make_world(personas)
    services.rebuild()
    return w


def test_march_figures_match_the_hand_count(world):
    stats = public_figures(year=2025, month=3, department=world.p.dept_a.pk)
    t = stats.figures.total
    # received in February, not March: 0; accepted in March: a–e = 5
    assert (t.received, t.accepted) == (0, 5)
    # decided in March: a, b, c, d = 4; on time a, b, d = 3; early a, d = 2
    assert (t.closed, t.on_time, t.early) == (4, 3, 2)
    assert t.on_time_rate == Decimal("0.7500")  # 3 ÷ 4
    assert t.early_rate == Decimal("0.5000")  # 2 ÷ 4
    # working days 2 + 5 + 7 + 4 = 18 over 4 cases = 4.5
    assert (t.days_sum, t.measured, t.mean_days) == (18, 4, Decimal("4.5"))
    # p90: sorted 2, 4, 5, 7; rank ⌈0.9 × 4⌉ = 4 → 7
    assert stats.figures.histogram == {2: 1, 4: 1, 5: 1, 7: 1}
    assert stats.figures.p90_days == 7
    # status now of the cases received in the period: none received in March
    assert stats.figures.by_status == {}


def test_compression_of_the_seed_item_is_91_1_percent(world):
    stats = public_figures(department=world.p.dept_a.pk)
    limit = stats.limits[world.item.pk]
    # (56 − 5) ÷ 56 = 0.910714… → 0.9107 → 91.1 %
    assert limit.compression == Decimal("0.9107")
    assert percent(stats.compression) == "91.1%"
    row = next(r for r in item_table(stats).rows if r[0] == "建设工程规划许可（压缩）")
    # received 5, closed 4, on time 75.0 %, mean 4.5, p90 7, committed 5, statutory 56
    assert row == ["建设工程规划许可（压缩）", 5, 4, "75.0%", Decimal("4.5"), "7", 5, 56, "91.1%"]


def test_whole_year_by_status_month_and_region(world):
    stats = public_figures(year=2025)
    f = stats.figures
    # February: 5 received; March: 5 accepted + f received and accepted; April: f decided
    assert f.by_month[dt.date(2025, 2, 1)].received == 5
    assert (f.by_month[dt.date(2025, 3, 1)].received, f.by_month[dt.date(2025, 3, 1)].accepted) == (
        1,
        6,
    )
    assert f.by_month[dt.date(2025, 4, 1)].closed == 1
    assert f.by_status == {"granted": 5, "in_review": 1}
    # f: accepted 03-21, decided 04-02: 03-24..28 (5), 03-31, 04-01, 04-02 = 8 working days
    assert world.cases["f"].pk and f.item_histograms[world.other_item.pk] == {8: 1}
    # the district filter takes its own cases only; the city filter the city and everything under it
    district = public_figures(year=2025, region=world.district.pk).figures.total
    city = public_figures(year=2025, region=world.city.pk).figures.total
    assert (district.received, district.closed) == (1, 1)
    assert (city.received, city.closed) == (6, 5)


def test_rollups_agree_with_the_raw_scan_and_the_supervision_scores(world):
    for filters in ({}, {"year": 2025, "month": 3}, {"department": world.p.dept_b.pk}):
        assert (
            figures_from_rollups(filters_parse(**filters)).comparable()
            == figures_from_cases(**filters).comparable()
        )
    scores = department_figures(dt.date(2025, 3, 1), dt.date(2025, 3, 31))[world.p.dept_a.pk]
    ours = public_figures(year=2025, month=3, department=world.p.dept_a.pk).figures.total
    assert (scores.closed, scores.on_time, scores.early) == (ours.closed, ours.on_time, ours.early)
    assert scores.on_time_rate == ours.on_time_rate and scores.early_rate == ours.early_rate


def test_p90_by_nearest_rank():
    assert p90({}) is None
    assert p90({3: 1}) == 3
    # ten values 1..10: rank 9 → 9
    assert p90({v: 1 for v in range(1, 11)}) == 9
    # eleven values: rank ⌈9.9⌉ = 10 → 10
    assert p90({v: 1 for v in range(1, 12)}) == 10
    # 60 stands for "60 or more"
    assert p90({1: 1, 60: 9}) == 60


def test_the_summary_table_says_what_the_figures_are(world):
    rows = dict((r[0], r[1]) for r in summary_table(public_figures(year=2025, month=3)).rows)
    assert rows["按时办结率"] == "75.0%" and rows["提前办结率"] == "50.0%"
    assert rows["办理用时 P90（工作日）"] == "7"


def test_exports_never_turn_a_name_into_a_formula():
    table = Table("t", "标题", ["名称", "数"], [["=1+2", 3], ["正常", Decimal("4.5")]])
    assert table_csv(table).decode("utf-8") == "\ufeff名称,数\r\n'=1+2,3\r\n正常,4.5\r\n"
    sheet = load_workbook(io.BytesIO(table_xlsx(table))).active
    cell = sheet["A3"]
    assert cell.value == "=1+2" and cell.data_type == "s"
    assert sheet["B4"].value == 4.5


def test_a_calendar_change_recounts_the_rollups(world):
    MonthlyRollup.objects.all().delete()  # stale after the change
    # a change in 2030 reaches only open cases: case e is still in review → recount
    assert stats_recompute(SimpleNamespace(first=dt.date(2030, 1, 1))) == 0
    assert MonthlyRollup.objects.exists()
    assert public_figures(year=2025, month=3).figures.total.closed == 4
