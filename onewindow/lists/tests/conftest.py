"""A small world for the list tests: two departments, three published items and a row or more
of every list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from onewindow.catalog.models import Department, ItemType, ItemVersion
from onewindow.lists.models import (
    CleanupAction,
    CleanupRecord,
    DepartmentResponsibility,
    ItemAccountability,
    SupervisionMeasure,
    SupervisionMethod,
)
from onewindow.portal.tests import factories as f


@dataclass
class World:
    market: Department
    health: Department
    food: ItemVersion
    hygiene: ItemVersion
    filing: ItemVersion


@pytest.fixture
def world(db) -> World:
    market = f.department("鄂州市市场监督管理局", "SCJG", sort=1)
    health = f.department("鄂州市卫生健康委员会", "WJW", sort=2)
    food = f.guide("食品经营许可", dept=market, code="420700-SCJG-001")
    hygiene = f.guide("公共场所卫生许可", dept=health, code="420700-WJW-001")
    filing_item = f.item(market, "420700-SCJG-007", item_type=ItemType.FILING)
    filing = f.version(filing_item, "第二类医疗器械经营备案")

    DepartmentResponsibility.objects.create(
        department=market, text="负责市场主体登记和食品经营许可。", sort=1
    )
    DepartmentResponsibility.objects.create(
        department=market, text="负责食品安全的监督检查。", sort=2
    )
    DepartmentResponsibility.objects.create(
        department=health, text="负责公共场所卫生许可和卫生监督执法。", sort=1
    )
    ItemAccountability.objects.create(
        item=food.item,
        duty="受理责任：一次性告知需要补正的全部内容。",
        accountability="对符合法定条件的申请不予受理的。",
        basis="《中华人民共和国行政许可法》第七十二条",
        sort=1,
    )
    ItemAccountability.objects.create(
        item=hygiene.item,
        duty="事后监管责任：对被许可人实施监督检查。",
        accountability="不依法履行监督职责或者监督不力，造成严重后果的。",
        basis="《中华人民共和国行政许可法》第七十七条",
        sort=1,
    )
    SupervisionMeasure.objects.create(
        item=food.item,
        target="取得食品经营许可证的经营者",
        content="是否持续符合许可条件",
        method=SupervisionMethod.DOUBLE_RANDOM,
        department=market,
        frequency="每年随机抽查比例不低于5%",
        legal_basis="国办发〔2015〕58号",
    )
    SupervisionMeasure.objects.create(
        item=hygiene.item,
        target="游泳场所经营者",
        content="水质卫生状况",
        method=SupervisionMethod.ROUTINE,
        department=health,
        frequency="开放期间每月1次",
        legal_basis="《公共场所卫生管理条例》",
    )
    records = [
        ("OLD-SCJG-001", "企业年度检验", market, CleanupAction.CANCELLED, None),
        ("OLD-SCJG-002", "广告经营许可证核发", market, CleanupAction.CANCELLED, None),
        ("OLD-SCJG-003", "食品经营许可变更", market, CleanupAction.MERGED, food.item),
        ("OLD-SCJG-004", "食品经营许可", market, CleanupAction.RETAINED, food.item),
        ("OLD-SCJG-005", "食品生产加工小作坊登记", market, CleanupAction.DELEGATED, None),
        ("OLD-SCJG-006", "第二类医疗器械经营许可", market, CleanupAction.TO_FILING, None),
        ("OLD-SCJG-007", "第二类医疗器械经营备案", market, CleanupAction.RETAINED, filing.item),
        ("OLD-WJW-001", "公共场所卫生许可", health, CleanupAction.RETAINED, hygiene.item),
        ("OLD-WJW-002", "医疗机构校验", health, CleanupAction.CANCELLED, None),
    ]
    for n, (code, name, dept, action, target) in enumerate(records, start=1):
        CleanupRecord.objects.create(
            item_code=code,
            item_name=name,
            department=dept,
            action=action,
            target_item=target,
            decided_on=dt.date(2014, 9, 26),
            legal_basis="《鄂州市人民政府关于取消和调整一批市级行政审批项目的决定》（示例）",
            note="=SUM(A1:A2)" if code == "OLD-WJW-002" else "",
            sort=n,
        )
    return World(market, health, food, hygiene, filing)
