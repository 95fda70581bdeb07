"""GET /api/v1/calendar/...: due dates, counts and a year's arrangement; errors as JSON 400."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from onewindow.calendars import services
from onewindow.calendars.models import CalendarDay, HolidayYear
from onewindow.calendars.selectors import current_revision
from onewindow.calendars.tests.data import ARRANGEMENT_2027_CSV

pytestmark = pytest.mark.django_db


def test_due(client: Client) -> None:
    response = client.get("/api/v1/calendar/due", {"start": "2025-09-30", "days": "5"})
    assert response.status_code == 200
    assert response.json() == {
        "start": "2025-09-30",
        "days": 5,
        "due": "2025-10-14",
        "provisional": False,
    }


def test_due_in_an_unloaded_year_is_provisional_until_loaded(client: Client) -> None:
    query = {"start": "2027-02-04", "days": "1"}
    assert client.get("/api/v1/calendar/due", query).json()["due"] == "2027-02-09"
    assert client.get("/api/v1/calendar/due", query).json()["provisional"] is True
    services.calendar_file_load(name="2027.csv", content=ARRANGEMENT_2027_CSV.encode())
    data = client.get("/api/v1/calendar/due", query).json()
    assert (data["due"], data["provisional"]) == ("2027-02-15", False)


def test_count(client: Client) -> None:
    response = client.get("/api/v1/calendar/count", {"start": "2025-09-30", "end": "2025-11-18"})
    assert response.json() == {
        "start": "2025-09-30",
        "end": "2025-11-18",
        "working_days": 30,
        "provisional": False,
    }
    late = client.get("/api/v1/calendar/count", {"start": "2026-12-01", "end": "2027-01-05"})
    assert late.json()["provisional"] is True


def test_a_year(client: Client) -> None:
    data = client.get("/api/v1/calendar/years/2025").json()
    assert (data["year"], data["loaded"], data["provisional"]) == (2025, True, False)
    assert {"date": "2025-10-06", "name": "中秋"} in data["holidays"]
    assert [d["date"] for d in data["workdays"]] == [
        "2025-01-26",
        "2025-02-08",
        "2025-04-27",
        "2025-09-28",
        "2025-10-11",
    ]
    provisional = client.get("/api/v1/calendar/years/2027").json()
    assert (provisional["loaded"], provisional["provisional"]) == (False, True)
    assert provisional["workdays"] == []
    assert {"date": "2027-02-05", "name": "春节"} in provisional["holidays"]


@pytest.mark.parametrize(
    ("path", "query", "code", "message"),
    [
        ("due", {"start": "2025-02-30", "days": "5"}, "invalid", "日期格式错误"),
        ("due", {"start": "2025-09-30", "days": "-1"}, "invalid", "请确保该值大于或者等于 0"),
        ("due", {"start": "2025-09-30", "days": "x"}, "invalid", "请填写合法的整数值"),
        ("due", {"start": "2025-09-30"}, "invalid", "该字段是必填项"),
        ("due", {"start": "2099-12-01", "days": "300"}, "out_of_range", "超出日历覆盖范围"),
        ("due", {"start": "1999-01-04", "days": "1"}, "out_of_range", "超出日历覆盖范围"),
        (
            "count",
            {"start": "2025-10-14", "end": "2025-09-30"},
            "invalid",
            "结束日期不能早于开始日期",
        ),
        ("count", {"start": "2025-10-14", "end": "tomorrow"}, "invalid", "日期格式错误"),
    ],
)
def test_bad_input_is_a_json_400_with_a_chinese_message(
    client: Client, path: str, query: dict[str, str], code: str, message: str
) -> None:
    revision = current_revision()
    response = client.get(f"/api/v1/calendar/{path}", query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["code"] == code
    assert message in data["message"]
    assert current_revision() == revision
    assert not HolidayYear.objects.exists()
    assert not CalendarDay.objects.exists()


def test_a_year_outside_the_span_is_not_found(client: Client) -> None:
    response = client.get("/api/v1/calendar/years/2100")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "超出日历覆盖范围" in response.json()["message"]


def test_the_endpoints_are_in_the_openapi_document(client: Client) -> None:
    response = client.get("/api/v1/openapi.json", {"format": "json"})
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    due = paths["/api/v1/calendar/due"]["get"]
    assert {p["name"] for p in due["parameters"]} == {"start", "days"}
    assert {"200", "400"} <= set(due["responses"])
    assert "/api/v1/calendar/count" in paths
    assert "/api/v1/calendar/years/{year}" in paths
