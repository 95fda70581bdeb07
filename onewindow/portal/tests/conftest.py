"""A small published catalog shared by the portal tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from onewindow.catalog.models import Department, ItemVersion, ToleranceCategory
from onewindow.portal.tests import factories as f

FORM_BYTES = "食品经营许可申请书（空白）".encode()
SAMPLE_BYTES = "食品经营许可申请书（示例）".encode()


@dataclass
class Catalog:
    market: Department
    health: Department
    food: ItemVersion
    small_food: ItemVersion
    hygiene: ItemVersion


@pytest.fixture
def catalog(db) -> Catalog:
    market = f.department("鄂州市市场监督管理局", "SCJG", hall_location="市民中心二楼 B12 窗口")
    health = f.department("鄂州市卫生健康委员会", "WJW", phone="0711-0000000")
    food = f.guide(
        "食品经营许可",
        dept=market,
        code="SP-JY-001",
        conditions=["具有与经营的食品品种、数量相适应的经营场所", "有食品安全专业技术人员"],
        materials=[
            f.MaterialSpec(
                "食品经营许可申请书",
                source="申请人自备",
                note="法定代表人签字",
                form=("apply.docx", FORM_BYTES),
                sample=("apply-sample.pdf", SAMPLE_BYTES),
            ),
            f.MaterialSpec("营业执照", original_or_copy="copy", copies=2, is_core=False),
            f.MaterialSpec("健康证明", required=False, is_core=False),
        ],
        fields={
            "service_object": "企业法人",
            "tolerance_category": ToleranceCategory.ENCOURAGED,
            "commitment_allowed": True,
            "handling_place": "鄂州市市民中心一楼 A08 窗口",
            "handling_hours": "工作日 9:00-12:00, 13:30-17:00",
            "contact_phone": "0711-1234567",
            "supervision_phone": "0711-7654321",
            "process_summary": "网上申报或窗口递交\n窗口受理\n审查与现场核查\n作出决定",
            "legal_basis": "《中华人民共和国食品安全法》第三十五条",
            "result_name": "食品经营许可证",
            "statutory_days": 20,
            "committed_days": 5,
        },
    )
    small_food = f.guide(
        "食品小经营许可",
        dept=market,
        code="SP-XJY-002",
        fields={"on_the_spot": True, "statutory_days": 10, "committed_days": 0},
    )
    hygiene = f.guide(
        "公共场所卫生许可",
        dept=health,
        code="WS-GG-003",
        fees=[("卫生检测费", "120.00", "次", "《湖北省行政事业性收费目录》")],
    )
    return Catalog(market, health, food, small_food, hygiene)
