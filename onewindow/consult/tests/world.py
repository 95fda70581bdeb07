"""The consultation tests' world: the shared personas and a published item of department A
(the ``world`` fixture; other apps' tests import it from here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from onewindow.api.tests.data import guide
from onewindow.catalog.models import Item
from onewindow.consult import services
from onewindow.consult.models import Question
from onewindow.testing import Personas, api_for, client_for  # noqa: F401 (used by the tests)

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date.fromisoformat


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@dataclass
class World:
    p: Personas
    item: Item


@pytest.fixture
def world(personas: Personas) -> World:
    version = guide("SCJG-ZX-001", "食品经营许可（咨询测试）", dept=personas.dept_a)
    return World(p=personas, item=version.item)


def ask(w: World, *, day: str = "2025-09-30", consent: bool = True, **kw) -> Question:
    values: dict[str, Any] = {
        "asker": w.p.applicant,
        "title": "食品经营许可需要哪些材料",
        "text": "我叫张伟，身份证420700198506150011，电话13907110001，想开一家小餐馆。",
        "item_code": w.item.code,
        "consent_publish": consent,
        "now": at(day),
    }
    values.update(kw)
    return services.question_ask(**values)
