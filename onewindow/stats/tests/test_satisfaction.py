"""The statistics' satisfaction table reads the ratings' monthly tally
(docs/rules/satisfaction.md §E7, §E9): counts per level, the rate, the department and item
filters, and the export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from onewindow.ratings.models import RatingTally
from onewindow.stats import services
from onewindow.stats.tests.world import make_world

pytestmark = pytest.mark.django_db

MARCH = dt.date(2025, 3, 1)


@pytest.fixture
def world(personas):
    w = make_world(personas)
    services.rebuild()
    # Department A's item in March: 3 非常满意, 4 满意, 2 基本满意, 1 不满意 → (3 + 4) ÷ 10 = 70.0 %.
    for level, count in ((5, 3), (4, 4), (3, 2), (2, 1)):
        RatingTally.objects.create(
            month=MARCH, department=w.item.department, item=w.item, level=level, count=count
        )
    # Department B's item in March: 1 非常不满意 → 0 ÷ 1 = 0.0 %; in April 1 满意 (outside March).
    RatingTally.objects.create(
        month=MARCH, department=w.other_item.department, item=w.other_item, level=1, count=1
    )
    RatingTally.objects.create(
        month=dt.date(2025, 4, 1),
        department=w.other_item.department,
        item=w.other_item,
        level=4,
        count=1,
    )
    return w


def _table(body, name):
    """The named table with its rows as dicts keyed by the headers."""
    table = next(t for t in body["tables"] if t["name"] == name)
    return {
        **table,
        "rows": [dict(zip(table["headers"], row, strict=True)) for row in table["rows"]],
    }


def test_the_public_figures_carry_satisfaction_by_department(client, world):
    body = client.get("/api/v1/stats/public/", {"year": 2025, "month": 3}).json()
    rows = {row["部门"]: row for row in _table(body, "satisfaction")["rows"]}
    a = rows[world.item.department.name]
    assert (a["评价数"], a["非常满意"], a["满意"], a["基本满意"], a["不满意"]) == (10, 3, 4, 2, 1)
    assert a["满意率（%）"] == "70.0"
    assert rows[world.other_item.department.name]["满意率（%）"] == "0.0"
    summary = {row["指标"]: row["数值"] for row in _table(body, "summary")["rows"]}
    assert summary["满意率"] == "63.6%"  # (3 + 4) ÷ 11


def test_choosing_an_item_shows_that_item_only(client, world):
    body = client.get(
        "/api/v1/stats/public/", {"year": 2025, "month": 3, "item": world.other_item.pk}
    ).json()
    rows = _table(body, "satisfaction")["rows"]
    assert [(r["事项"], r["评价数"], r["非常不满意"]) for r in rows] == [(rows[0]["事项"], 1, 1)]
    summary = {row["指标"]: row["数值"] for row in _table(body, "summary")["rows"]}
    assert summary["满意率"] == "0.0%"


def test_the_page_shows_the_table_and_exports_it(client, world):
    html = client.get("/stats/", {"year": 2025, "month": 3}).content.decode()
    assert "满意度（好差评）" in html
    response = client.get(
        "/stats/", {"year": 2025, "month": 3, "export": "csv", "table": "satisfaction"}
    )
    assert response.status_code == 200
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    text = raw.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:3] == ["部门", "评价数", "非常满意"]
    assert [world.item.department.name, "10", "3", "4", "2", "1", "0", "70.0"] in lines
