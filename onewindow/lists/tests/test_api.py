"""``/api/v1/lists/``: the same lists, filters and exports as the pages, with the API's paging
(docs/rules/lists.md §Q1–§Q6)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from onewindow.lists.tests.helpers import csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db

BASE = "/api/v1/lists/"
LISTS = ("responsibilities/", "accountabilities/", "supervision-measures/", "cleanup/")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_the_accountabilities_find_a_known_row(api, world):
    data = api.get(BASE + "accountabilities/", {"q": "不予受理"}).json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["item"] == {"code": "420700-SCJG-001", "name": "食品经营许可"}
    assert row["department"] == {"code": "SCJG", "name": "鄂州市市场监督管理局"}
    assert row["basis"] == "《中华人民共和国行政许可法》第七十二条"


def test_the_responsibilities_by_department(api, world):
    data = api.get(BASE + "responsibilities/", {"department": "SCJG"}).json()
    assert [r["text"] for r in data["results"]] == [
        "负责市场主体登记和食品经营许可。",
        "负责食品安全的监督检查。",
    ]


def test_the_supervision_measures_by_method(api, world):
    data = api.get(BASE + "supervision-measures/", {"method": "double_random"}).json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["method_label"] == "双随机一公开抽查"
    assert row["department"]["code"] == "SCJG"


def test_the_clean_up_by_action_and_query(api, world):
    data = api.get(BASE + "cleanup/", {"action": "merged"}).json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["item_name"] == "食品经营许可变更"
    assert row["action_label"] == "合并"
    assert row["target_item"] == {"code": "420700-SCJG-001", "name": "食品经营许可"}
    assert row["decided_on"] == "2014-09-26"
    data = api.get(BASE + "cleanup/", {"q": "医疗机构 校验"}).json()
    assert [r["item_code"] for r in data["results"]] == ["OLD-WJW-002"]
    assert data["results"][0]["target_item"] is None


def test_the_clean_up_summary_is_counted_from_the_records(api, world):
    data = api.get(BASE + "cleanup/summary/").json()
    assert (data["before"], data["after"], data["removed"]) == (9, 3, 6)
    assert data["reduction_percent"] == "66.7"
    counts = {entry["action"]: entry["count"] for entry in data["by_action"]}
    assert counts == {
        "cancelled": 3,
        "merged": 1,
        "delegated": 1,
        "to_filing": 1,
        "retained": 3,
    }


@pytest.mark.parametrize("path", LISTS)
def test_a_nonsense_query_is_an_empty_page(api, world, path):
    response = api.get(BASE + path, {"q": "zzqx没有这样的记录"})
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "params, field, status",
    [
        ({"page": "abc"}, "page", 400),
        ({"page": "-1"}, "page", 400),
        ({"page_size": "0"}, "page_size", 400),
        ({"q": "食" * 1000}, "q", 400),
        ({"department": "NOPE"}, "department", 400),
        ({"format": "pdf"}, "format", 400),
    ],
)
def test_bad_parameters_are_a_400_naming_them(api, world, path, params, field, status):
    response = api.get(BASE + path, params)
    assert response.status_code == status
    body = response.json()
    assert field in str(body), body


@pytest.mark.parametrize("path", LISTS)
def test_a_page_past_the_end_is_a_404_saying_how_many_there_are(api, world, path):
    for page in ("9", "9" * 40):
        response = api.get(BASE + path, {"page": page})
        assert response.status_code == 404
        assert "页码超出范围：共 1 页。" in str(response.json())


def test_unknown_action_and_method(api, world):
    response = api.get(BASE + "cleanup/", {"action": "abolished"})
    assert response.status_code == 400
    assert "处理方式只能是" in str(response.json())
    response = api.get(BASE + "supervision-measures/", {"method": "weekly"})
    assert response.status_code == 400
    assert "监管方式只能是" in str(response.json())


def test_the_lists_export_as_csv_and_xlsx(api, world):
    response = api.get(BASE + "cleanup/", {"format": "csv", "action": "cancelled"})
    assert response.status_code == 200
    rows = csv_rows(response)
    assert rows[0][0] == "原事项编码"
    assert {row[0] for row in rows[1:]} == {"OLD-SCJG-001", "OLD-SCJG-002", "OLD-WJW-002"}
    response = api.get(BASE + "supervision-measures/", {"format": "xlsx"})
    assert response.status_code == 200
    rows, _sheet = xlsx_rows(response)
    assert rows[0][:3] == ["实施部门", "事项编码", "事项名称"]
    assert len(rows) == 3
    # The Accept header chooses the file too.
    response = api.get(BASE + "responsibilities/", HTTP_ACCEPT="text/csv")
    assert csv_rows(response)[0] == ["部门", "序号", "职责内容"]


def test_an_export_with_a_bad_filter_is_a_json_400(api, world):
    response = api.get(BASE + "cleanup/", {"format": "xlsx", "department": "NOPE"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "department" in response.json()["errors"] or "department" in str(response.json())


def test_the_openapi_document_describes_the_lists(api, db):
    schema = api.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in LISTS:
        operation = paths[f"/api/v1/lists/{path}"]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert {"q", "department", "format", "page", "page_size"} <= names
        content = operation["responses"]["200"]["content"]
        assert {"application/json", "text/csv"} <= set(content)
    cleanup = paths["/api/v1/lists/cleanup/"]["get"]
    assert "action" in {p["name"] for p in cleanup["parameters"]}
    assert "/api/v1/lists/cleanup/summary/" in paths
