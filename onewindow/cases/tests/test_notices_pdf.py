"""Intake notices as PDF (docs/rules/licensing.md §B7): every kind renders with the case number, the
item, the dates and a QR code to the progress page, in an embedded CJK font."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import segno
import time_machine
from django.test import RequestFactory
from PIL import Image

from onewindow.cases import services
from onewindow.cases.models import Notice, NoticeKind
from onewindow.cases.notices import notice_document, notice_pdf, progress_url
from onewindow.cases.tests.conftest import World
from onewindow.cases.tests.test_intake_rules import at, submitted_case
from onewindow.lib import pdf as pdflib
from onewindow.lib.pdf import Facts, Table

TTF_AVAILABLE = any(path.is_file() for path, _index in pdflib.CJK_FONT_FILES)


def _pdftotext(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def _pypdf_text(data: bytes) -> str:
    import pypdf

    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _text_extractor() -> Callable[[bytes], str]:
    """Poppler's ``pdftotext -layout`` when it is on PATH (the assertions below were written
    against its layout), else pypdf (a dependency: uploads are parsed with it)."""
    if shutil.which("pdftotext"):
        return _pdftotext
    return _pypdf_text


extract_text = _text_extractor()
needs_extractor = pytest.mark.skipif(
    extract_text is None, reason="neither pypdf nor pdftotext (poppler-utils) is installed"
)


def _notices(world: World) -> dict[str, Notice]:
    """One notice of every kind, issued by the real services."""
    accepted = submitted_case(world, when="2026-03-02")
    with time_machine.travel(at("2026-03-03"), tick=False):
        services.case_accept(case=accepted, actor=world.clerk)
    corrected = submitted_case(world, when="2026-03-02")
    lines = list(corrected.materials.select_related("material"))
    services.case_request_correction(
        case=corrected,
        actor=world.clerk,
        findings=[
            services.MaterialFinding(lines[0].pk, "defective", "申请书缺少法定代表人签字"),
            services.MaterialFinding(lines[1].pk, "missing", "请补交场所平面图"),
        ],
    )
    rejected = submitted_case(world, when="2026-03-02")
    services.case_reject(
        case=rejected,
        actor=world.clerk,
        reasons="申请事项依法不属于本机关职权范围",
        competent_agency="鄂州市住房和城乡建设局",
    )
    tolerated = submitted_case(world, skip=1, when="2026-04-29")
    missing = tolerated.materials.get(material=world.non_core[-1])
    with time_machine.travel(at("2026-04-30"), tick=False):
        services.case_accept(case=tolerated, actor=world.clerk, tolerated_material_ids=[missing.pk])
    with time_machine.travel(at("2026-05-19"), tick=False):
        services.commitments_terminate_overdue()
    deemed = submitted_case(world, when="2025-04-30")
    with time_machine.travel(at("2025-05-13", 1), tick=False):
        services.cases_accept_deemed()
    return {
        "acceptance": accepted.notices.get(kind=NoticeKind.ACCEPTANCE),
        "correction": corrected.notices.get(kind=NoticeKind.CORRECTION),
        "rejection": rejected.notices.get(kind=NoticeKind.REJECTION),
        "tolerated": tolerated.notices.get(kind=NoticeKind.TOLERATED),
        "termination": tolerated.notices.get(kind=NoticeKind.TERMINATION),
        "deemed": deemed.notices.get(kind=NoticeKind.ACCEPTANCE),
    }


def _commitment_notice(world: World) -> Notice:
    case = submitted_case(world, when="2026-03-02")
    return Notice.objects.create(
        case=case,
        kind=NoticeKind.COMMITMENT,
        number=f"{case.number}-COM1",
        issued_at=case.submitted_at,
        content={
            "case_number": case.number,
            "item": case.item_version.name,
            "department": case.department.name,
            "applicant": str(case.applicant),
            "received_on": case.received_on.isoformat(),
            "conditions": ["有与经营的食品品种、数量相适应的经营场所"],
            "text": "本申请人郑重承诺：符合上述全部条件。",
            "liability": "作出不实承诺的，撤销行政许可并记入信用记录。",
            "signed_by": "zhangsan",
            "signed_at": case.submitted_at.isoformat(),
        },
    )


def _cells(document: Any) -> str:
    """Every string the document shows, in order (body text, table cells, facts)."""
    parts = [document.issuer, document.title, document.number, document.addressee]
    for block in [*document.blocks, *document.appendix]:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, Facts):
            parts += [f"{label}：{value}" for label, value in block.rows]
        elif isinstance(block, Table):
            parts += [*block.header, *(cell for row in block.rows for cell in row)]
        else:
            parts.append(getattr(block, "text", ""))
    return "\n".join(parts)


TITLES = {
    "acceptance": "受理通知书",
    "correction": "补正材料通知书",
    "rejection": "不予受理决定书",
    "tolerated": "容缺受理通知书",
    "termination": "终止办理通知书",
    "deemed": "受理通知书",
}


def test_every_kind_names_case_item_department_dates_and_links_the_progress_page(world):
    notices = _notices(world)
    notices["commitment"] = _commitment_notice(world)
    for kind, notice in notices.items():
        case = notice.case
        document = notice_document(notice)
        text = _cells(document)
        assert document.title == TITLES.get(kind, "告知承诺书"), kind
        assert str(case.number) in text and case.query_code in text, kind
        assert "食品经营许可（测试）" in text, kind
        assert document.issuer == "测试市场监督管理局", kind
        assert document.number == f"编号：{notice.number}", kind
        assert document.qr_url == f"/progress/?number={case.number}&code={case.query_code}"


def test_acceptance_states_the_committed_and_statutory_due_dates(world):
    text = _cells(notice_document(_notices(world)["acceptance"]))
    assert "第三十二条第一款第（五）项" in text
    # Accepted 2026-03-03: 10 working days → 03-17 (committed), 20 → 03-31 (statutory).
    assert "受理日期：2026年3月3日" in text
    assert "承诺办结期限：2026年3月17日" in text and "法定办结期限：2026年3月31日" in text
    assert "将于2026年3月17日前作出决定" in text


def test_deemed_acceptance_cites_the_receipt_date(world):
    text = _cells(notice_document(_notices(world)["deemed"]))
    assert "自收到申请材料之日（2025年4月30日）起即为受理" in text


def test_correction_lists_each_material_with_problem_and_remark(world):
    document = notice_document(_notices(world)["correction"])
    table = next(block for block in document.blocks if isinstance(block, Table))
    assert [list(row) for row in table.rows] == [
        ["1", "食品经营许可申请书", "不符合要求", "申请书缺少法定代表人签字"],
        ["2", "次要材料1", "缺少", "请补交场所平面图"],
    ]
    assert "一次性告知" in _cells(document)


def test_rejection_prints_reasons_agency_and_appeal_rights(world):
    text = _cells(notice_document(_notices(world)["rejection"]))
    assert "申请事项依法不属于本机关职权范围" in text
    assert "请向鄂州市住房和城乡建设局申请" in text
    assert "行政复议" in text and "行政诉讼" in text


def test_tolerated_acceptance_names_the_materials_and_the_due_date(world):
    notices = _notices(world)
    document = notice_document(notices["tolerated"])
    table = next(block for block in document.blocks if isinstance(block, Table))
    assert [list(row) for row in table.rows] == [["1", "次要材料2", "2026年5月18日"]]
    assert f"就办件 {notices['tolerated'].case.number}" in _cells(document)
    termination = _cells(notice_document(notices["termination"]))
    assert "次要材料2" in termination and "终止办理" in termination


def test_commitment_prints_the_conditions_text_and_liability(world):
    text = _cells(notice_document(_commitment_notice(world)))
    assert "有与经营的食品品种、数量相适应的经营场所" in text
    assert "本申请人郑重承诺" in text
    assert "撤销行政许可并记入信用记录" in text
    assert "zhangsan（于2026年3月2日在网上签署）" in text


def test_progress_url_is_absolute_with_a_request(world, settings):
    settings.ALLOWED_HOSTS = ["zwfw.ezhou.gov.cn"]
    case = submitted_case(world, when="2026-03-02")
    request = RequestFactory().get("/", HTTP_HOST="zwfw.ezhou.gov.cn")
    url = progress_url(case, request)
    assert url == f"http://zwfw.ezhou.gov.cn/progress/?number={case.number}&code={case.query_code}"


def test_pdf_embeds_the_truetype_cjk_font_when_installed(world):
    data = notice_pdf(_notices(world)["acceptance"])
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    if TTF_AVAILABLE:
        assert re.search(rb"/BaseFont /[A-Z]{6}\+WenQuanYiZenHei", data)
        assert b"/FontFile2" in data  # embedded TrueType outlines
    else:
        assert b"/STSong-Light" in data


def test_cid_font_is_used_when_no_truetype_font_is_installed(monkeypatch, tmp_path):
    monkeypatch.setattr(pdflib, "CJK_FONT_FILES", ((tmp_path / "missing.ttc", 0),))
    pdflib.cjk_font.cache_clear()
    try:
        assert pdflib.cjk_font() == pdflib.FontChoice(pdflib.CID_FONT, embedded=False)
        data = pdflib.render_document(
            pdflib.Document(
                issuer="测试局",
                title="受理通知书",
                number="编号：1",
                addressee="张三：",
                blocks=["正文"],
                issued_on="2026年3月2日",
            )
        )
        assert b"/STSong-Light" in data and b"/FontFile2" not in data
    finally:
        pdflib.cjk_font.cache_clear()


@needs_extractor
def test_pdf_text_contains_title_case_number_and_item(world):
    notices = _notices(world)
    for kind in ("acceptance", "correction", "rejection", "tolerated"):
        notice = notices[kind]
        text = extract_text(notice_pdf(notice))
        squeezed = re.sub(r"\s+", "", text)
        assert TITLES[kind] in squeezed, kind
        assert str(notice.case.number) in squeezed, kind
        assert "食品经营许可（测试）" in squeezed, kind


def _qr_image(data: bytes, tmp_path: Path) -> Image.Image:
    """The QR code image embedded in the PDF (its only image)."""
    if shutil.which("pdfimages") is None:
        pytest.skip("pdfimages (poppler-utils) is not installed")
    (tmp_path / "n.pdf").write_bytes(data)
    subprocess.run(
        ["pdfimages", "-png", str(tmp_path / "n.pdf"), str(tmp_path / "img")], check=True
    )
    images = sorted(tmp_path.glob("img-*.png"))
    assert len(images) == 1
    return Image.open(images[0]).convert("L")


def _grey(image: Image.Image, x: int, y: int) -> int:
    value = image.getpixel((x, y))
    assert isinstance(value, int)
    return value


def test_pdf_contains_the_qr_code_of_the_progress_url(world, tmp_path):
    notice = _notices(world)["acceptance"]
    request = RequestFactory().get("/", HTTP_HOST="testserver")
    data = notice_pdf(notice, request=request)
    assert b"/Subtype /Image" in data
    image = _qr_image(data, tmp_path)
    expected = segno.make(progress_url(notice.case, request), error="m", micro=False)
    modules = [list(row) for row in expected.matrix]
    size = len(modules) + 4  # a quiet zone of two modules on each side
    scale = image.width / size
    read = [
        [
            int(_grey(image, int((c + 2.5) * scale), int((r + 2.5) * scale)) < 128)
            for c in range(len(modules))
        ]
        for r in range(len(modules))
    ]
    assert read == [[int(bool(m)) for m in row] for row in modules]
