"""The process flowchart as SVG: every department drawn, the lead marked, all text escaped,
accessible, and a well-formed standalone document."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from onewindow.lib.flowchart import Chart, Lane, Step, render_svg, text_width, wrap

SVG = "{http://www.w3.org/2000/svg}"
CHAIN = (Step("承办", "承办人"), Step("审核", "审核人"), Step("批准", "批准人"))


def chart(*lanes: Lane, summary: str = "关键路径：4 + 1 = 5个工作日") -> Chart:
    return Chart(
        title="食品经营许可 审批流程图",
        description="窗口受理后，各部门同时审查。",
        intake="窗口受理",
        intake_note="一窗受理 · 抄告相关部门",
        lanes=lanes,
        parallel_note="并联审查",
        lead_mark="牵头",
        days_label="审查时限",
        decision="汇总决定",
        decision_note="牵头部门 1个工作日",
        delivery="送达",
        delivery_note="制证 · 统一送达",
        summary=summary,
    )


THREE = chart(
    Lane("鄂州市市场监督管理局", True, "4个工作日", CHAIN),
    Lane("鄂州市卫生健康委员会", False, "3个工作日", CHAIN),
    Lane(
        "鄂州市消防救援支队", False, "3个工作日", (Step("承办", "承办人"), Step("批准", "首席代表"))
    ),
)


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_every_department_step_and_limit_is_drawn_once_per_lane():
    svg = render_svg(THREE)
    drawn = texts(svg)
    for name in ("鄂州市市场监督管理局", "鄂州市卫生健康委员会", "鄂州市消防救援支队"):
        assert name in drawn
    assert drawn.count("批准") == 3
    assert drawn.count("首席代表") == 1
    assert drawn.count("4个工作日") == 1 and drawn.count("3个工作日") == 2
    assert drawn.count("审查时限") == 3
    for node in ("窗口受理", "并联审查", "汇总决定", "牵头部门 1个工作日", "送达"):
        assert node in drawn


def test_only_the_lead_is_marked():
    drawn = texts(render_svg(THREE))
    assert drawn.count("牵头") == 1
    assert render_svg(THREE).count('stroke-width="2.5"') == 1


def test_the_chart_is_an_accessible_image_with_title_and_description():
    root = ET.fromstring(render_svg(THREE))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "flow-title flow-desc"
    assert root.findtext(f"{SVG}title") == "食品经营许可 审批流程图"
    assert root.findtext(f"{SVG}desc") == "窗口受理后，各部门同时审查。"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"


def test_no_script_and_no_external_resource():
    svg = render_svg(THREE)
    assert "<script" not in svg
    assert not re.search(r"(href|src)=", svg)
    assert "@import" not in svg


def test_a_script_in_a_department_name_is_escaped_text():
    hostile = '<script>alert("x")</script> & 局'
    svg = render_svg(chart(Lane(hostile, True, "1个工作日", CHAIN), summary="<b>&"))
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    root = ET.fromstring(svg)  # still well-formed
    assert hostile in "".join(root.itertext()).replace("\n", "")
    assert not list(root.iter(f"{SVG}script"))


def test_characters_xml_cannot_carry_are_dropped():
    svg = render_svg(chart(Lane("部门\x00\x07名", True, "1个工作日", CHAIN)))
    ET.fromstring(svg)
    assert "部门名" in texts(svg)


def test_lanes_stand_side_by_side_and_widen_the_chart():
    one = ET.fromstring(render_svg(chart(Lane("市场监管局", True, "4个工作日", CHAIN))))
    four = ET.fromstring(
        render_svg(chart(*(Lane(f"部门{n}", n == 0, "2个工作日", CHAIN) for n in range(4))))
    )
    assert int(one.get("width", "")) == 560  # readable at the guide page's width
    assert int(four.get("width", "")) > int(one.get("width", ""))
    # The four lanes' boxes start at four different x positions on the same row.
    lanes = [r for r in four.iter(f"{SVG}rect") if r.get("stroke-dasharray") in ("none", "5 3")]
    assert len({r.get("x") for r in lanes}) == 4
    assert len({r.get("y") for r in lanes}) == 1


def test_a_long_name_wraps_inside_its_lane():
    long_name = "鄂州市人民政府某某某某某某某某某某某办公室"
    drawn = texts(render_svg(chart(Lane(long_name, True, "1个工作日", CHAIN))))
    assert long_name not in drawn
    pieces = [t for t in drawn if t and long_name.startswith(t)]
    assert pieces and "".join(t for t in drawn if t in long_name and len(t) > 3) == long_name


def test_a_single_department_is_not_marked_as_leading_anyone():
    drawn = texts(render_svg(chart(Lane("市场监管局", True, "4个工作日", CHAIN))))
    assert "牵头" not in drawn


def test_closing_punctuation_never_starts_a_line():
    assert wrap("一二三。四", 30, 10) == ["一二三。", "四"]


def test_wrap_counts_chinese_as_full_width():
    assert text_width("中文", 10) == 20
    assert text_width("ab", 10) < 20
    assert wrap("一二三四五六", 30, 10) == ["一二三", "四五六"]
    assert wrap("", 30, 10) == [""]
