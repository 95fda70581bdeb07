"""Official documents as PDF files (reportlab): a CJK font, an A4 layout and a QR code. No Django.

A document is plain data (``Document`` and its blocks); ``render_document`` lays it out the way
Chinese administrative notices look: the issuing authority and the title centred, the document
number, the addressee, the body, tables, the issuer and date at the foot, and a QR code.

Chinese text needs a CJK font. When Debian's fonts-wqy-zenhei is installed, WenQuanYi Zen Hei
(TrueType) is embedded as a subset, so every reader shows the same glyphs; otherwise reportlab's
built-in CID font STSong-Light is used, which is not embedded (readers supply it from their Asian
font pack).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as RLTable

__all__ = [
    "CID_FONT",
    "CJK_FONT_FILES",
    "TTF_FONT",
    "Document",
    "Facts",
    "FontChoice",
    "Heading",
    "Signature",
    "Table",
    "cjk_font",
    "qr_png",
    "render_document",
]

# (path, index inside a .ttc collection). Only TrueType outlines: reportlab cannot embed CFF
# (the OpenType Noto CJK files), so those are not candidates.
CJK_FONT_FILES: tuple[tuple[Path, int], ...] = (
    (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),
)
TTF_FONT = "WenQuanYiZenHei"
CID_FONT = "STSong-Light"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 25 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
BODY_SIZE = 11.5
QR_SIZE = 27 * mm

_register_lock = threading.Lock()
# reportlab keeps a font's per-document subset state in a shared dictionary: one document is
# built at a time in a process (a notice takes a few tens of milliseconds).
_render_lock = threading.Lock()


@dataclass(frozen=True)
class FontChoice:
    """The registered font name and whether it is embedded TrueType (or the CID fallback)."""

    name: str
    embedded: bool


@lru_cache(maxsize=1)
def cjk_font() -> FontChoice:
    """Register the CJK font once per process and return its name."""
    with _register_lock:
        for path, index in CJK_FONT_FILES:
            if path.is_file():
                pdfmetrics.registerFont(TTFont(TTF_FONT, str(path), subfontIndex=index))
                return FontChoice(TTF_FONT, embedded=True)
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
        return FontChoice(CID_FONT, embedded=False)


# --- what a document says ---------------------------------------------------------------------
@dataclass(frozen=True)
class Heading:
    """A short bold-looking line that opens a section (e.g. "需要补正的材料")."""

    text: str


@dataclass(frozen=True)
class Facts:
    """Label/value rows in a two-column box: case number, item, dates ..."""

    rows: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    """A ruled table with a header row; ``widths`` are relative column widths."""

    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths: Sequence[float] = ()


@dataclass(frozen=True)
class Signature:
    """Blank lines for handwritten signatures, e.g. the applicant signing a commitment."""

    labels: Sequence[str]


Block = str | Heading | Facts | Table | Signature


@dataclass(frozen=True)
class Document:
    """One official document. Body strings are plain text (escaped when rendered)."""

    issuer: str
    title: str
    number: str
    addressee: str
    blocks: Sequence[Block]
    issued_on: str
    qr_url: str = ""
    qr_caption: str = ""
    subject: str = ""  # PDF metadata, e.g. the case number
    # Printed after the issuer's seal and date: what the applicant signs (a receipt, a commitment).
    appendix: Sequence[Block] = ()
    seal_note: str = "（盖章）"
    footer: str = ""


# --- rendering --------------------------------------------------------------------------------
def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "body",
        fontName=font,
        fontSize=BODY_SIZE,
        leading=BODY_SIZE * 1.6,
        wordWrap="CJK",
        firstLineIndent=2 * BODY_SIZE,
        spaceAfter=3,
    )
    return {
        "body": base,
        "issuer": ParagraphStyle(
            "issuer", parent=base, fontSize=15, leading=22, alignment=TA_CENTER, firstLineIndent=0
        ),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontSize=22,
            leading=30,
            alignment=TA_CENTER,
            firstLineIndent=0,
            spaceBefore=4,
            spaceAfter=6,
        ),
        "number": ParagraphStyle(
            "number", parent=base, fontSize=10.5, alignment=TA_RIGHT, firstLineIndent=0
        ),
        "addressee": ParagraphStyle("addressee", parent=base, firstLineIndent=0, spaceBefore=8),
        "heading": ParagraphStyle(
            "heading",
            parent=base,
            firstLineIndent=0,
            fontSize=12.5,
            spaceBefore=6,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "cell": ParagraphStyle(
            "cell", parent=base, fontSize=10.5, leading=14, firstLineIndent=0, spaceAfter=0
        ),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT, firstLineIndent=0),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=9.5, leading=14, firstLineIndent=0, spaceAfter=0
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _frame_width() -> float:
    return PAGE_WIDTH - 2 * MARGIN_X


def _ruled(data: list[list[Any]], widths: list[float], font: str, *, header: bool) -> RLTable:
    table = RLTable(data, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ebef")))
    else:
        style.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f5f8")))
    table.setStyle(TableStyle(style))
    return table


def _facts(block: Facts, styles: dict[str, ParagraphStyle], font: str) -> RLTable:
    width = _frame_width()
    data = [[_p(label, styles["cell"]), _p(value, styles["cell"])] for label, value in block.rows]
    return _ruled(data, [width * 0.28, width * 0.72], font, header=False)


def _table(block: Table, styles: dict[str, ParagraphStyle], font: str) -> RLTable:
    count = len(block.header)
    ratios = list(block.widths) if len(block.widths) == count else [1.0] * count
    total = sum(ratios)
    widths = [_frame_width() * r / total for r in ratios]
    data = [[_p(text, styles["cell"]) for text in block.header]]
    data += [[_p(text, styles["cell"]) for text in row] for row in block.rows]
    return _ruled(data, widths, font, header=True)


def _signature(block: Signature, styles: dict[str, ParagraphStyle]) -> Flowable:
    rows = [[_p(f"{label}:", styles["cell"]), ""] for label in block.labels]
    width = _frame_width()
    table = RLTable(rows, colWidths=[width * 0.35, width * 0.45], hAlign="RIGHT", rowHeights=28)
    table.setStyle(TableStyle([("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black)]))
    return KeepTogether([Spacer(1, 6), table])


def _block(block: Block, styles: dict[str, ParagraphStyle], font: str) -> list[Flowable]:
    if isinstance(block, str):
        return [_p(block, styles["body"])]
    if isinstance(block, Heading):
        return [_p(block.text, styles["heading"])]
    if isinstance(block, Facts):
        return [Spacer(1, 4), _facts(block, styles, font), Spacer(1, 8)]
    if isinstance(block, Table):
        return [Spacer(1, 2), _table(block, styles, font), Spacer(1, 8)]
    return [_signature(block, styles)]


def qr_png(url: str, *, scale: int = 8) -> bytes:
    """The QR code of ``url`` as a PNG (error correction M, a quiet zone of 2 modules)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def _closing(doc: Document, styles: dict[str, ParagraphStyle]) -> Flowable:
    """The issuer, seal note and date at the right; the QR code and its caption at the left."""
    signature = [
        _p(doc.issuer, styles["right"]),
        _p(doc.seal_note, styles["right"]),
        _p(doc.issued_on, styles["right"]),
    ]
    if not doc.qr_url:
        return KeepTogether([Spacer(1, 16), *signature])
    qr = Image(io.BytesIO(qr_png(doc.qr_url)), width=QR_SIZE, height=QR_SIZE)
    caption = [_p(doc.qr_caption, styles["small"])] if doc.qr_caption else []
    width = _frame_width()
    table = RLTable(
        [[qr, signature], [caption, ""]],
        colWidths=[QR_SIZE + 6 * mm, width - QR_SIZE - 6 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("SPAN", (0, 1), (1, 1)),
            ]
        )
    )
    return KeepTogether([Spacer(1, 16), table])


def _page_decorator(doc: Document, font: str) -> Any:
    def draw(canvas: Canvas, template: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 8.5)
        canvas.setFillColor(colors.HexColor("#505a5f"))
        text = f"{doc.footer}    {doc.number}    第 {canvas.getPageNumber()} 页".strip()
        canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN_BOTTOM / 2, text)
        canvas.restoreState()

    return draw


def render_document(doc: Document) -> bytes:
    """The document as PDF bytes (A4, portrait)."""
    font = cjk_font().name
    styles = _styles(font)
    story: list[Flowable] = [
        _p(doc.issuer, styles["issuer"]),
        _p(doc.title, styles["title"]),
        _p(doc.number, styles["number"]),
    ]
    if doc.addressee:
        story.append(_p(doc.addressee, styles["addressee"]))
    for block in doc.blocks:
        story.extend(_block(block, styles, font))
    story.append(_closing(doc, styles))
    if doc.appendix:
        story.append(Spacer(1, 10))
        for block in doc.appendix:
            story.extend(_block(block, styles, font))
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{doc.title} {doc.number}",
        subject=doc.subject,
        author=doc.issuer,
        creator="OneWindow",
    )
    decorate = _page_decorator(doc, font)
    with _render_lock:
        template.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
