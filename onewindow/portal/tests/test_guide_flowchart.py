"""The guide's 审批流程图: a section with its anchor in the table of contents, the chart inline
(escaped, accessible), a table of the departments, and the SVG as a download."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from onewindow.catalog import process, services
from onewindow.catalog.models import Department, ItemVersion
from onewindow.catalog.tests import builders as b

pytestmark = pytest.mark.django_db

CHIEF_CHAIN = [{"kind": "handle", "role": "handler"}, {"kind": "approve", "role": "chief"}]


@pytest.fixture
def parallel() -> ItemVersion:
    """食品经营许可: 市场监管 leads (4 days), 卫健 and 消防 (3 days), consolidation 1."""
    market = b.department()
    health = b.department("WJW", "鄂州市卫生健康委员会")
    fire = b.department("XFZD", "鄂州市消防救援支队")
    draft = b.checklist(b.draft(market))
    process.process_branch_add(version=draft, department=market, allotted_days=4, is_lead=True)
    process.process_branch_add(version=draft, department=health, allotted_days=3)
    process.process_branch_add(version=draft, department=fire, allotted_days=3, steps=CHIEF_CHAIN)
    return services.item_version_publish(version=draft, now=b.NOW)


def page(client, code: str) -> str:
    response = client.get(reverse("portal:guide_detail", args=[code]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_guide_has_a_flowchart_section_linked_from_its_contents(client, parallel):
    html = page(client, "SP-001")
    toc = re.search(r'<nav class="toc.*?</nav>', html, re.S)
    assert toc is not None and '<a href="#flowchart">审批流程图</a>' in toc.group(0)
    section = re.search(r'<section[^>]*id="flowchart".*?</section>', html, re.S)
    assert section is not None
    body = section.group(0)
    assert '<h2 id="flowchart-title">审批流程图</h2>' in body
    svg = re.search(r"<svg.*?</svg>", body, re.S)
    assert svg is not None
    root = ET.fromstring(svg.group(0))
    assert root.get("role") == "img"
    drawn = "".join(root.itertext())
    for name in ("鄂州市市场监督管理局", "鄂州市卫生健康委员会", "鄂州市消防救援支队", "牵头"):
        assert name in drawn
    assert "3 个部门同时审查" in body
    assert "承办（承办人） → 批准（首席代表）" in body
    assert "5 个工作日（最长的部门审查时限加牵头部门汇总时间" in body
    assert f'href="{reverse("portal:guide_flowchart", args=["SP-001"])}" download' in body


def test_the_flowchart_download_is_an_svg_file(client, parallel):
    response = client.get(reverse("portal:guide_flowchart", args=["SP-001"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''SP-001-")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "鄂州市消防救援支队" in "".join(root.itertext())


def test_a_guide_without_a_template_draws_its_own_department_alone(client):
    b.published(b.department("ZJJ", "鄂州市住房和城乡建设局"), code="ZJ-001", name="燃气经营许可")
    html = page(client, "ZJ-001")
    assert "本事项由实施部门单独审查" in html
    assert "承办（承办人） → 审核（审核人） → 批准（批准人）" in html
    svg = client.get(reverse("portal:guide_flowchart", args=["ZJ-001"])).content.decode()
    assert "鄂州市住房和城乡建设局" in svg


def test_a_department_name_with_markup_is_escaped_on_the_page_and_in_the_file(client, parallel):
    Department.objects.filter(code="WJW").update(name="<script>alert(1)</script>卫健委")
    html = page(client, "SP-001")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;卫健委" in html
    svg = client.get(reverse("portal:guide_flowchart", args=["SP-001"])).content.decode()
    assert "<script" not in svg
    ET.fromstring(svg)


@pytest.mark.parametrize("code", ["NOPE", "SP-002"])
def test_no_flowchart_for_an_unknown_or_unpublished_item(client, code):
    b.draft(b.department(), code="SP-002")
    assert client.get(reverse("portal:guide_flowchart", args=[code])).status_code == 404


def test_an_on_the_spot_item_says_it_is_decided_on_the_spot(client):
    market = b.department()
    draft = b.checklist(
        b.draft(market, code="JB-001", statutory_days=0, committed_days=0, on_the_spot=True)
    )
    services.item_version_update(version=draft, consolidation_days=0)
    process.process_branch_add(
        version=draft, department=market, allotted_days=1, is_lead=True, steps=CHIEF_CHAIN
    )
    services.item_version_publish(version=draft, now=b.NOW)
    html = page(client, "JB-001")
    section = re.search(r'<section[^>]*id="flowchart".*?</section>', html, re.S)
    assert section is not None
    body = section.group(0)
    assert "本事项由实施部门审查并作出决定" in body
    assert "当场办结（即办件）" in body
    assert "1 个工作日" not in body and "1个工作日" not in body
    svg = re.search(r"<svg.*?</svg>", body, re.S)
    assert svg is not None
    drawn = list(ET.fromstring(svg.group(0)).itertext())
    assert "当场办结" in drawn and "当场决定" in drawn
    assert "牵头" not in drawn  # one department: nobody to lead
