"""Small one-page application forms (申请表) as PDF, blank or filled in as a sample (示例样表).

The CJK font is the one ``onewindow.lib.pdf`` registers: WenQuanYi Zen Hei embedded (subset)
when the system has it, so the PDF renders the same everywhere, else the CID font STSong-Light.
Output is byte-for-byte deterministic (``invariant``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from onewindow.lib.pdf import cjk_font

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 56
LABEL_WIDTH = 168
ROW_HEIGHT = 28
WATERMARK = Color(0.85, 0.1, 0.1, alpha=0.18)
# Filled-in values of the sample; the ×× parts mark them as an example, not a real applicant.
SAMPLE_VALUES = {
    "申请人(单位)名称": "鄂州市××食品有限公司(示例)",
    "统一社会信用代码/身份证号码": "91420700××××××××××",
    "法定代表人(负责人)": "王××",
    "住所(地址)": "湖北省鄂州市鄂城区××路××号",
    "联系人及联系电话": "李×× 139××××0000",
}


@dataclass(frozen=True)
class FormText:
    title: str
    department: str
    item_name: str
    item_code: str
    place: str


def application_form(text: FormText, *, sample: bool = False) -> bytes:
    """A one-page A4 application form for ``text.item_name``."""
    font = cjk_font().name
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(text.title + ("(示例样表)" if sample else ""))
    canvas.setAuthor(text.department)
    y = PAGE_HEIGHT - MARGIN
    for line in _wrap(text.title, font, 17, PAGE_WIDTH - 2 * MARGIN):
        canvas.setFont(font, 17)
        canvas.drawCentredString(PAGE_WIDTH / 2, y, line)
        y -= 24
    canvas.setFont(font, 10.5)
    canvas.drawCentredString(PAGE_WIDTH / 2, y, text.department)
    y -= 14
    canvas.setFont(font, 9)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, y, f"事项编码:{text.item_code}")
    y -= 8
    y = _field_rows(canvas, font, y, text, sample)
    y = _commitment(canvas, font, y, sample)
    _office_box(canvas, font, y)
    canvas.setFont(font, 8)
    canvas.drawString(MARGIN, MARGIN - 20, f"受理地点:{text.place}")
    if sample:
        _watermark(canvas, font)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _field_rows(canvas: Canvas, font: str, y: float, text: FormText, sample: bool) -> float:
    rows: list[tuple[str, str, int]] = [
        (label, SAMPLE_VALUES[label] if sample else "", 1) for label in SAMPLE_VALUES
    ]
    rows.append(("申请事项", text.item_name, 2))
    rows.append(
        ("申请内容及理由", "(示例)申请办理本事项,申请材料见材料清单。" if sample else "", 4)
    )
    width = PAGE_WIDTH - 2 * MARGIN
    for label, value, lines in rows:
        height = ROW_HEIGHT * (1 if lines == 1 else lines * 0.6)
        y -= height
        canvas.rect(MARGIN, y, width, height)
        canvas.line(MARGIN + LABEL_WIDTH, y, MARGIN + LABEL_WIDTH, y + height)
        canvas.setFont(font, 10.5)
        canvas.drawString(MARGIN + 6, y + height - 18, label)
        wrapped = _wrap(value, font, 10.5, width - LABEL_WIDTH - 12)
        for n, line in enumerate(wrapped[:lines]):
            canvas.drawString(MARGIN + LABEL_WIDTH + 6, y + height - 18 - 14 * n, line)
    return y


def _commitment(canvas: Canvas, font: str, y: float, sample: bool) -> float:
    width = PAGE_WIDTH - 2 * MARGIN
    promise = (
        "申请人承诺:本人(单位)所提交的申请材料真实、合法、有效,复印件与原件一致;"
        "如有隐瞒或提供虚假材料,愿承担相应的法律责任(《中华人民共和国行政许可法》第三十一条)。"
    )
    lines = _wrap(promise, font, 10.5, width - 12)
    height = 16 * len(lines) + 48
    y -= height
    canvas.rect(MARGIN, y, width, height)
    canvas.setFont(font, 10.5)
    for n, line in enumerate(lines):
        canvas.drawString(MARGIN + 6, y + height - 18 - 16 * n, line)
    signature = "申请人(签字/盖章):" + ("王××(示例)" if sample else "")
    date = "2025 年 1 月 2 日" if sample else "     年    月    日"
    canvas.drawString(MARGIN + 6, y + 12, signature)
    canvas.drawRightString(PAGE_WIDTH - MARGIN - 6, y + 12, date)
    return y


def _office_box(canvas: Canvas, font: str, y: float) -> None:
    width = PAGE_WIDTH - 2 * MARGIN
    height = 56
    y -= height + 10
    canvas.setDash(3, 2)
    canvas.rect(MARGIN, y, width, height)
    canvas.setDash()
    canvas.setFont(font, 9)
    canvas.drawString(MARGIN + 6, y + height - 16, "以下由受理窗口填写")
    canvas.setFont(font, 10.5)
    canvas.drawString(MARGIN + 6, y + 14, "受理编号:")
    canvas.drawString(MARGIN + width / 3, y + 14, "受理人:")
    canvas.drawString(MARGIN + 2 * width / 3, y + 14, "受理日期:")


def _watermark(canvas: Canvas, font: str) -> None:
    canvas.saveState()
    canvas.setFillColor(WATERMARK)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(35)
    canvas.setFont(font, 96)
    canvas.drawCentredString(0, 0, "示例样表")
    canvas.restoreState()
    canvas.setFillColor(black)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break Chinese text into lines no wider than ``width`` (any character may end a line)."""
    if not text:
        return []
    lines, current = [], ""
    for char in text:
        if current and pdfmetrics.stringWidth(current + char, font, size) > width:
            lines.append(current)
            current = ""
        current += char
    lines.append(current)
    return lines
