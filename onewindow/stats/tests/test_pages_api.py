"""The statistics pages, exports and API: figures shown, bad filters answered in Chinese
(never a 500), department staff held to their department (logged 404 otherwise)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from onewindow.core.models import AccessDenied
from onewindow.stats import services
from onewindow.stats.tests.world import make_world

pytestmark = pytest.mark.django_db

PUBLIC = "/api/v1/stats/public/"
DASHBOARD = "/api/v1/stats/dashboard/"


@pytest.fixture
def world(personas):
    w = make_world(personas)
    services.rebuild()
    return w


def test_the_url_names_resolve():
    assert reverse("stats:public") == "/stats/"
    assert reverse("stats:dashboard") == "/stats/dashboard/"
    assert reverse("stats:item_stages", args=[7]) == "/stats/items/7/stages/"


def test_the_public_page_shows_each_chart_with_its_table(client, world):
    response = client.get("/stats/", {"year": 2025, "month": 3})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>总体情况</caption>" in html
    assert '<th scope="col">按时办结率</th>' in html
    assert "75.0%" in html and "50.0%" in html  # March: 3 of 4 on time, 2 of 4 early
    # charts: server-side SVG, hidden from screen readers (the table is the accessible version),
    # no script, the style element carrying the response's CSP nonce
    assert html.count('<svg aria-hidden="true" focusable="false"') >= 3
    assert "<script" not in html.split("<main", 1)[1].split("</main>")[0]
    header = response["Content-Security-Policy"]
    nonce = header.split("style-src", 1)[1].split("'nonce-", 1)[1].split("'", 1)[0]
    assert f'<style nonce="{nonce}"' in html
    # each table's downloads keep the filters
    assert "?start=2025-03&amp;end=2025-03&amp;export=csv&amp;table=by_department" in html
    assert "?start=2025-03&amp;end=2025-03&amp;export=xlsx&amp;table=by_department" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": 2025, "month": 13}, "月份应为 1–12 之间的数字。"),
        ({"year": "abc"}, "年份应为 2004–2099 之间的四位数字。"),
        ({"month": 3}, "选择月份时请同时选择年份。"),
        ({"department": 999999}, "所选部门不存在。"),
        ({"department": "x1"}, "所选部门不存在。"),
        ({"item": 999999}, "所选事项不存在。"),
        ({"region": 99999999999999999999}, "所选区域不存在。"),
        ({"start": "2025-05", "end": "2025-02"}, "结束月份不能早于开始月份。"),
        ({"start": "2025-5"}, "月份应写成 YYYY-MM，例如 2026-03。"),
        (
            {"year": 2025, "start": "2025-01"},
            "请选择“年份和月份”或“起止月份”其中一种，不要同时使用。",
        ),
    ],
)
def test_bad_filters_are_refused_with_a_message_on_page_and_api(client, world, params, message):
    page = client.get("/stats/", params)
    assert page.status_code == 400
    assert message in page.content.decode()
    assert "<caption>" not in page.content.decode()
    api = client.get(PUBLIC, params)
    assert api.status_code == 400
    assert api.json()["message"] == message


def test_an_item_of_another_department_than_the_one_chosen_is_refused(client, world):
    params = {"department": world.p.dept_b.pk, "item": world.item.pk}
    assert client.get("/stats/", params).status_code == 400
    assert client.get(PUBLIC, params).json()["errors"]["item"] == ["所选事项不属于所选部门。"]


def test_every_public_table_exports_as_csv_and_excel(client, world):
    names = [t["name"] for t in client.get(PUBLIC).json()["tables"]]
    assert names == [
        "summary",
        "by_month",
        "by_status",
        "by_department",
        "by_item",
        "by_region",
        "durations",
    ]
    for name in names:
        for fmt in ("csv", "xlsx"):
            response = client.get("/stats/", {"export": fmt, "table": name})
            assert response.status_code == 200, (name, fmt)
            assert f"stats-{name}-" in response["Content-Disposition"]
    body = client.get("/stats/", {"year": 2025, "month": 3, "export": "csv", "table": "summary"})
    text = body.content.decode("utf-8")
    assert text.startswith("\ufeff指标,数值")
    rows = dict(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows["办结数"] == "4" and rows["按时办结率"] == "75.0%"
    xlsx = client.get(PUBLIC, {"export": "xlsx", "table": "by_item"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "按事项：办理用时与时限"
    assert values[1][0] == "事项" and values[1][-1] == "时限压缩率"
    row = next(v for v in values if v[0] == "建设工程规划许可（压缩）")
    assert row[1:3] == (5, 4) and row[-1] == "91.1%"


def test_bad_export_requests_are_refused(client, world):
    assert client.get("/stats/", {"export": "pdf", "table": "summary"}).status_code == 400
    assert client.get("/stats/", {"export": "csv", "table": "nope"}).status_code == 400
    api = client.get(PUBLIC, {"export": "csv"})
    assert api.status_code == 400 and "table" in api.json()["errors"]


def test_the_dashboard_needs_a_staff_role(client, world):
    assert client.get("/stats/dashboard/").status_code == 302  # to the sign-in page
    assert client.get(DASHBOARD).status_code in (401, 403)
    client.force_login(world.p.applicant)
    before = AccessDenied.objects.count()
    assert client.get("/stats/dashboard/").status_code == 404
    assert client.get(DASHBOARD).status_code == 404
    assert AccessDenied.objects.count() == before + 2


def test_department_staff_see_only_their_department(client, world):
    client.force_login(world.p.reviewer_b)
    body = client.get(DASHBOARD).json()
    assert body["filters"]["department"] == str(world.p.dept_b.pk)
    by_department = next(t for t in body["tables"] if t["name"] == "by_department")
    assert [row[0] for row in by_department["rows"]] == [world.p.dept_b.name]
    assert body["totals"]["received"] == 1  # case f only
    page = client.get("/stats/dashboard/").content.decode()
    assert world.p.dept_a.name not in page.split("<main", 1)[1]
    assert "施工许可" in page and "建设工程规划许可（压缩）" not in page


def test_naming_another_department_or_its_item_is_a_logged_404(client, world):
    client.force_login(world.p.reviewer_b)
    before = AccessDenied.objects.count()
    for params in ({"department": world.p.dept_a.pk}, {"item": world.item.pk}):
        assert client.get("/stats/dashboard/", params).status_code == 404
        assert client.get(DASHBOARD, params).status_code == 404
    assert client.get(f"/stats/items/{world.item.pk}/stages/").status_code == 404
    assert client.get(f"/api/v1/stats/items/{world.item.pk}/stages/").status_code == 404
    assert AccessDenied.objects.count() == before + 6
    assert AccessDenied.objects.filter(target=f"stats item {world.item.pk}").exists()


def test_supervisors_see_every_department_and_the_stage_view(client, world):
    client.force_login(world.p.supervisor)
    body = client.get(DASHBOARD, {"year": 2025}).json()
    assert body["totals"]["received"] == 6 and body["totals"]["closed"] == 5
    names = [t["name"] for t in body["tables"]]
    assert "stages" in names
    stages = next(t for t in body["tables"] if t["name"] == "stages")
    # the intake stage: five cases received Fri 02-28, accepted Mon 03-03 (1 working day each),
    # case f received 03-20, accepted 03-21 (1): 6 cases, 6 working days, mean 1.0
    assert stages["rows"] == [["窗口受理", 6, "1.0", 6]]
    page = client.get("/stats/dashboard/", {"year": 2025})
    assert page.status_code == 200 and "<caption>各环节用时</caption>" in page.content.decode()


def test_the_item_stage_page_and_api(client, world):
    client.force_login(world.p.approver_a)
    url = f"/stats/items/{world.item.pk}/stages/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "建设工程规划许可（压缩）：环节用时" in html and "法定时限 56 个工作日" in html
    body = client.get(f"/api/v1/stats/items/{world.item.pk}/stages/").json()
    stages = next(t for t in body["tables"] if t["name"] == "stages")
    assert stages["rows"] == [["窗口受理", 5, "1.0", 5]]
    export = client.get(url, {"export": "xlsx", "table": "stages"})
    assert export.status_code == 200
    assert client.get("/stats/items/999999/stages/").status_code == 404
    assert client.get(url, {"month": 13, "year": 2025}).status_code == 400
