"""The power and fee lists download as CSV and Excel (docs/rules/lists.md §Q6), and sit with
the other public lists under one set of tabs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from onewindow.catalog.models import VersionStatus
from onewindow.lists.tests.helpers import csv_rows, xlsx_rows
from onewindow.portal.tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_power_list_exports_published_items(client, catalog):
    f.guide("食品生产许可", dept=catalog.market, status=VersionStatus.DRAFT)
    rows = csv_rows(client.get(reverse("portal:power_list_export", args=["csv"])))
    assert rows[0] == [
        "实施部门",
        "事项编码",
        "事项名称",
        "事项类型",
        "设定依据",
        "法定时限（工作日）",
        "承诺时限（工作日）",
    ]
    names = [row[2] for row in rows[1:]]
    assert "食品经营许可" in names and "食品生产许可" not in names
    food = next(row for row in rows if row[1] == "SP-JY-001")
    assert food[0] == "鄂州市市场监督管理局" and food[5:] == ["20", "5"]

    rows, sheet = xlsx_rows(client.get(reverse("portal:power_list_export", args=["xlsx"])))
    assert rows[0][0] == "实施部门"
    food = next(row for row in rows if row[1] == "SP-JY-001")
    assert food[5:] == [20, 5]  # numbers, not text
    assert len(rows) == len(names) + 1
    assert sheet.freeze_panes == "A2"


def test_the_fee_list_exports_each_fee(client, catalog):
    rows = csv_rows(client.get(reverse("portal:fee_list_export", args=["csv"])))
    assert rows[0][3:5] == ["收费项目", "收费标准（元）"]
    fee = next(row for row in rows[1:] if row[3] == "卫生检测费")
    assert fee[4] == "120.00" and fee[2] == "公共场所卫生许可"
    rows, _sheet = xlsx_rows(client.get(reverse("portal:fee_list_export", args=["xlsx"])))
    fee = next(row for row in rows[1:] if row[3] == "卫生检测费")
    assert Decimal(str(fee[4])) == Decimal("120")


def test_the_list_pages_link_their_exports_and_the_other_lists(client, catalog):
    html = client.get(reverse("portal:power_list")).content.decode()
    assert reverse("portal:power_list_export", args=["xlsx"]) in html
    for name in ("lists:responsibilities", "lists:supervision", "lists:cleanup"):
        assert f'href="{reverse(name)}"' in html
    html = client.get(reverse("portal:fee_list")).content.decode()
    assert reverse("portal:fee_list_export", args=["csv"]) in html
    assert client.get("/fee-list/export.doc").status_code == 404
