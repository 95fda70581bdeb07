"""The item detail of the catalog API carries the process template (docs/product.md §C5)."""

from __future__ import annotations

import pytest

from onewindow.catalog import process, services
from onewindow.catalog.tests import builders as b

pytestmark = pytest.mark.django_db


def test_the_item_detail_lists_the_departments_their_steps_and_the_critical_path(client):
    market = b.department()
    fire = b.department("XFZD", "鄂州市消防救援支队")
    draft = b.checklist(b.draft(market))
    process.process_branch_add(version=draft, department=fire, allotted_days=3)
    process.process_branch_add(
        version=draft,
        department=market,
        allotted_days=4,
        is_lead=True,
        steps=[{"kind": "handle", "role": "handler"}, {"kind": "approve", "role": "chief"}],
    )
    services.item_version_publish(version=draft, now=b.NOW)

    body = client.get("/api/v1/items/SP-001/").json()

    assert body["process"] == {
        "branches": [
            {
                "department": {"code": "SCJG", "name": "鄂州市市场监督管理局"},
                "is_lead": True,
                "allotted_days": 4,
                "steps": [
                    {
                        "kind": "handle",
                        "kind_label": "承办",
                        "role": "handler",
                        "role_label": "承办人",
                    },
                    {
                        "kind": "approve",
                        "kind_label": "批准",
                        "role": "chief",
                        "role_label": "首席代表",
                    },
                ],
            },
            {
                "department": {"code": "XFZD", "name": "鄂州市消防救援支队"},
                "is_lead": False,
                "allotted_days": 3,
                "steps": [
                    {
                        "kind": "handle",
                        "kind_label": "承办",
                        "role": "handler",
                        "role_label": "承办人",
                    },
                    {
                        "kind": "review",
                        "kind_label": "审核",
                        "role": "reviewer",
                        "role_label": "审核人",
                    },
                    {
                        "kind": "approve",
                        "kind_label": "批准",
                        "role": "approver",
                        "role_label": "批准人",
                    },
                ],
            },
        ],
        "consolidation_days": 1,
        "critical_path_days": 5,
        "material_request_pauses": True,
        "is_default": False,
        "flowchart_url": "http://testserver/guides/SP-001/flowchart.svg",
    }


def test_an_item_without_a_template_shows_the_fallback(client):
    b.published(b.department())
    body = client.get("/api/v1/items/SP-001/").json()["process"]
    assert body["is_default"] is True
    assert [
        (x["department"]["code"], x["is_lead"], x["allotted_days"]) for x in body["branches"]
    ] == [("SCJG", True, 4)]
    assert body["critical_path_days"] == 5
