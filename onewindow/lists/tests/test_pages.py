"""The public list pages (docs/rules/lists.md §Q1–§Q6): search, filters, paging, bad input,
exports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onewindow.lists.models import CleanupAction, CleanupRecord
from onewindow.lists.tests.helpers import csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db

PAGES = (
    "lists:responsibilities",
    "lists:department_responsibilities",
    "lists:supervision",
    "lists:cleanup",
)


def html_of(client, name: str, **params: str) -> str:
    response = client.get(reverse(name), params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_index_leads_to_all_five_lists_and_shows_the_summary(client, world):
    html = html_of(client, "lists:index")
    for name in ("portal:power_list", "portal:fee_list", *PAGES[0:1], *PAGES[2:]):
        assert f'href="{reverse(name)}"' in html
    assert "9 项 → 3 项" in html


def test_the_responsibility_list_finds_a_known_row_and_filters_by_department(client, world):
    html = html_of(client, "lists:responsibilities", q="不予受理")
    assert "对符合法定条件的申请不予受理的。" in html
    assert "不依法履行监督职责" not in html
    assert "共 1 条" in html
    html = html_of(client, "lists:responsibilities", department="WJW")
    assert "不依法履行监督职责" in html and "不予受理" not in html
    # The item's name and code are searchable too.
    assert "共 1 条" in html_of(client, "lists:responsibilities", q="食品经营")
    assert "共 1 条" in html_of(client, "lists:responsibilities", q="420700-wjw")


def test_the_department_responsibilities(client, world):
    html = html_of(client, "lists:department_responsibilities", department="SCJG")
    assert "负责市场主体登记和食品经营许可。" in html and "共 2 条" in html
    assert "卫生监督执法" not in html
    html = html_of(client, "lists:department_responsibilities", q="卫生健康")  # department name
    assert "卫生监督执法" in html and "共 1 条" in html


def test_the_supervision_list_filters_by_method_and_either_department(client, world):
    html = html_of(client, "lists:supervision", method="routine")
    assert "游泳场所经营者" in html and "取得食品经营许可证的经营者" not in html
    html = html_of(client, "lists:supervision", q="水质")
    assert "游泳场所经营者" in html and "共 1 条" in html
    html = html_of(client, "lists:supervision", department="SCJG")
    assert "取得食品经营许可证的经营者" in html and "游泳" not in html


def test_the_clean_up_list_filters_by_action_and_shows_the_computed_summary(client, world):
    html = html_of(client, "lists:cleanup")
    assert "9 项 → 3 项" in html
    assert "减少 6 项" in html and "审减率 66.7%" in html
    html = html_of(client, "lists:cleanup", action="cancelled")
    assert "企业年度检验" in html and "医疗机构校验" in html and "共 3 条" in html
    assert "食品生产加工小作坊登记" not in html
    html = html_of(client, "lists:cleanup", q="小作坊")
    assert "食品生产加工小作坊登记" in html and "共 1 条" in html
    # A merged item names the current item it went into, with a link to its guide.
    html = html_of(client, "lists:cleanup", action="merged")
    assert "食品经营许可变更" in html
    assert reverse("portal:guide_detail", args=["420700-SCJG-001"]) in html


def test_a_new_record_changes_the_summary(client, world):
    CleanupRecord.objects.create(
        item_code="OLD-WJW-003",
        item_name="医师执业注册（乡镇）",
        department=world.health,
        action=CleanupAction.DELEGATED,
        decided_on=dt.date(2015, 2, 27),
        legal_basis="示例",
    )
    assert "10 项 → 3 项" in html_of(client, "lists:cleanup")


@pytest.mark.parametrize("name", PAGES)
def test_a_nonsense_query_finds_nothing_and_says_so(client, world, name):
    html = html_of(client, name, q="zzqx没有这样的记录")
    assert "共 0 条" in html
    assert "没有找到符合条件的记录。" in html
    assert "导出" not in html.split("共 0 条")[1].split("</div>")[0]  # no export of nothing


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    "params, message",
    [
        ({"q": "食" * 1000}, "关键词不能超过 100 个字。"),
        ({"department": "NOPE"}, "没有编码为“NOPE”的部门。"),
        ({"department": "9" * 40}, "的部门。"),
    ],
)
def test_bad_filters_are_refused_with_a_message(client, world, name, params, message):
    response = client.get(reverse(name), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "查询条件有误，未列出记录。" in html


def test_an_unknown_action_or_method_is_refused(client, world):
    response = client.get(reverse("lists:cleanup"), {"action": "abolished"})
    assert response.status_code == 400
    assert "处理方式只能是：" in response.content.decode()
    response = client.get(reverse("lists:supervision"), {"method": "x" * 500})
    assert response.status_code == 400
    assert "监管方式只能是：" in response.content.decode()


def test_paging(client, world):
    for n in range(45):
        CleanupRecord.objects.create(
            item_code=f"OLD-X-{n:03d}",
            item_name=f"清理事项{n:03d}",
            department=world.market,
            action=CleanupAction.CANCELLED,
            decided_on=dt.date(2014, 3, 28),
            legal_basis="示例",
            sort=100 + n,
        )
    # 54 rows: three pages of 20.
    html = html_of(client, "lists:cleanup", page="2")
    assert "第 2 页，共 3 页" in html
    for bad in ("abc", "-1", "0", "²", "1.5"):
        html = html_of(client, "lists:cleanup", page=bad)
        assert "第 1 页，共 3 页" in html
        assert "无效，已显示第 1 页。" in html
    for huge in ("4", "99999999999999999999999999999"):
        html = html_of(client, "lists:cleanup", page=huge)
        assert "第 3 页，共 3 页" in html
        assert "页码超出范围：共 3 页，已显示最后一页。" in html


def test_export_links_carry_the_filters_but_not_the_page(client, world):
    html = html_of(client, "lists:cleanup", action="cancelled", page="1")
    url = reverse("lists:cleanup_export", args=["csv"])
    assert f'href="{url}?action=cancelled"' in html


def test_the_clean_up_exports_as_csv_with_a_bom(client, world):
    response = client.get(reverse("lists:cleanup_export", args=["csv"]), {"action": "cancelled"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert ".csv" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:4] == ["原事项编码", "原事项名称", "原实施部门", "处理方式"]
    assert rows[1][:4] == ["OLD-SCJG-001", "企业年度检验", "鄂州市市场监督管理局", "取消"]
    assert len(rows) == 4  # the header and the three cancelled items
    # A cell that a spreadsheet would run as a formula is written as text.
    assert any(row[-1] == "'=SUM(A1:A2)" for row in rows)


def test_the_clean_up_exports_as_xlsx(client, world):
    response = client.get(reverse("lists:cleanup_export", args=["xlsx"]))
    assert response.status_code == 200
    rows, sheet = xlsx_rows(response)
    assert rows[0][:3] == ["原事项编码", "原事项名称", "原实施部门"]
    assert len(rows) == 10
    merged = next(row for row in rows if row[0] == "OLD-SCJG-003")
    assert merged[3:6] == ["合并", "420700-SCJG-001", "食品经营许可"]
    assert merged[6] == dt.datetime(2014, 9, 26)  # a real date cell
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["B"].width == 40


@pytest.mark.parametrize(
    "name, header, needle",
    [
        ("lists:responsibilities_export", "责任事项", "对符合法定条件的申请不予受理的。"),
        ("lists:department_responsibilities_export", "职责内容", "负责食品安全的监督检查。"),
        ("lists:supervision_export", "监管方式", "双随机一公开抽查"),
    ],
)
def test_every_list_exports_in_both_formats(client, world, name, header, needle):
    rows = csv_rows(client.get(reverse(name, args=["csv"])))
    assert header in rows[0]
    assert any(needle in row for row in rows[1:])
    rows, _sheet = xlsx_rows(client.get(reverse(name, args=["xlsx"])))
    assert header in rows[0]
    assert any(needle in row for row in rows[1:])


def test_an_export_with_a_bad_filter_is_refused(client, world):
    response = client.get(reverse("lists:cleanup_export", args=["xlsx"]), {"action": "nope"})
    assert response.status_code == 400
    assert "处理方式只能是：" in response.content.decode()
    assert client.get("/lists/cleanup/export.pdf").status_code == 404


def test_the_pages_cost_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for name in PAGES:
        with django_assert_max_num_queries(8):
            client.get(reverse(name))
