"""The published satisfaction and the monthly window ranking, page and API, on a small data set
worked out by hand (docs/rules/satisfaction.md §E7, §E8)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onewindow.catalog.models import Window
from onewindow.portal.navigation import hall_columns, workbench_nav
from onewindow.ratings.models import RatingConfig, RatingTally
from onewindow.ratings.selectors import window_ranking

pytestmark = pytest.mark.django_db
NOV = dt.date(2025, 11, 1)


def counts(window: Window | None, dept, levels: dict[int, int], month=NOV) -> None:
    for level, count in levels.items():
        RatingTally.objects.create(
            month=month, department=dept, window=window, level=level, count=count
        )


@pytest.fixture
def windows(world):
    a = world.p.window  # A01
    b = Window.objects.create(number="A02", name="税务窗口")
    c = Window.objects.create(number="A03", name="社保窗口")
    d = Window.objects.create(number="A04", name="公积金窗口")
    dept = world.p.dept_a
    counts(a, dept, {5: 8, 3: 2})  # 8 / 10 = 80 %
    counts(b, dept, {5: 4, 4: 4, 1: 2})  # 8 / 10 = 80 %, same rate and count: by number
    counts(c, dept, {5: 3, 2: 3})  # 3 / 6 = 50 %
    counts(d, dept, {5: 4})  # 4 ratings: fewer than 5, not ranked
    counts(a, dept, {1: 9}, month=dt.date(2025, 10, 1))  # another month
    return a, b, c, d


def test_the_ranking_worked_out_by_hand(windows):
    a, b, c, d = windows
    ranking = window_ranking(dt.date(2025, 11, 17))
    assert [(row.id, row.rank, str(row.figures.rate)) for row in ranking.ranked] == [
        (a.pk, 1, "0.8000"),
        (b.pk, 2, "0.8000"),
        (c.pk, 3, "0.5000"),
    ]
    assert [row.id for row in ranking.red_flag] == [a.pk]
    assert [row.id for row in ranking.bottom] == [c.pk]
    assert [row.id for row in ranking.unranked] == [d.pk]


def test_ties_go_to_the_window_with_more_ratings(world, windows):
    a, b, c, _d = windows
    RatingTally.objects.filter(window=b, level=5).update(count=8)
    counts(b, world.p.dept_a, {3: 1})  # b: 12 / 15 = 80 % with 15 ratings
    ranking = window_ranking(NOV)
    assert [row.id for row in ranking.ranked] == [b.pk, a.pk, c.pk]


def test_the_settings_change_the_threshold_and_the_size(windows):
    a, b, c, d = windows
    RatingConfig.objects.create(pk=1, ranking_min_ratings=4, ranking_size=2)
    ranking = window_ranking(NOV)
    assert [row.id for row in ranking.ranked] == [d.pk, a.pk, b.pk, c.pk]  # d: 100 %
    assert [row.id for row in ranking.red_flag] == [d.pk, a.pk]
    assert [row.id for row in ranking.bottom] == [b.pk, c.pk]


def test_the_ranking_page_and_api(client, windows):
    a, _b, c, _d = windows
    page = client.get(reverse("ratings:ranking"), {"month": "2025-11"})
    text = page.content.decode()
    assert page.status_code == 200 and "红旗窗口" in text and "末位窗口" in text
    assert "A01 市场准入综合窗口" in text and "80.0%" in text and "50.0%" in text
    api = client.get(reverse("api:ratings-ranking"), {"month": "2025-11"}).json()
    assert [row["id"] for row in api["red_flag"]] == [a.pk]
    assert [row["id"] for row in api["bottom"]] == [c.pk]
    assert api["ranked"][0]["rate"] == "0.8000" and api["ranked"][0]["levels"]["5"] == 8
    bad = client.get(reverse("api:ratings-ranking"), {"month": "十一月"})
    assert bad.status_code == 400 and "年-月" in str(bad.json())


def test_the_published_page_and_api(client, world, windows):
    page = client.get(reverse("ratings:published"), {"month": "2025-11"})
    text = page.content.decode()
    assert page.status_code == 200 and "如何评价" in text
    # November: 8+2 + 4+4+2 + 3+3 + 4 = 30 ratings, 8+8+3+4 = 23 satisfied → 76.7 %
    assert "共 30 条评价，满意率 76.7%" in text
    everything = client.get(reverse("ratings:published")).content.decode()
    assert "共 39 条评价" in everything  # October's nine 非常不满意 as well
    api = client.get(reverse("api:ratings-satisfaction"), {"month": "2025-11"}).json()
    assert api == {"ratings": 30, "satisfied": 23, "rate": "0.7667"}
    one = client.get(
        reverse("api:ratings-satisfaction"), {"window": world.p.window.pk, "month": "2025-10"}
    ).json()
    assert one == {"ratings": 9, "satisfied": 0, "rate": "0.0000"}
    rows = client.get(reverse("api:ratings-satisfaction-departments")).json()
    assert [(r["name"], r["ratings"], r["satisfied"]) for r in rows] == [
        (world.p.dept_a.name, 39, 23)
    ]
    windows_rows = client.get(reverse("api:ratings-satisfaction-windows")).json()
    assert len(windows_rows) == 4
    assert client.get(reverse("api:ratings-satisfaction"), {"window": "x"}).status_code == 400


def test_the_columns(world):
    public = [link.label for link in hall_columns(path="/satisfaction/")]
    assert "满意度评价" in public
    current = [link for link in hall_columns(path="/satisfaction/ranking/") if link.current]
    assert [link.label for link in current] == ["满意度评价"]
    assert "差评整改" in [link.label for link in workbench_nav(path="/", user=world.p.handler_a)]
    assert "评价器" in [link.label for link in workbench_nav(path="/", user=world.p.clerk)]
    assert "差评申诉" in [link.label for link in workbench_nav(path="/", user=world.p.supervisor)]
    assert "差评整改" not in [
        link.label for link in workbench_nav(path="/", user=world.p.supervisor)
    ]
    assert "差评整改" not in [link.label for link in hall_columns(path="/", user=world.p.applicant)]
