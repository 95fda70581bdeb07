"""The certificate PDF: serial, holder, item, scope, validity, issuing department and issue date
in an embedded CJK font, and a QR code whose payload is the public verification URL."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import segno
from django.test import RequestFactory
from PIL import Image

from onewindow.certificates import services
from onewindow.certificates.pdf import certificate_document, certificate_pdf, verify_url
from onewindow.lib import pdf as pdflib
from onewindow.lib.pdf import Facts

TTF_AVAILABLE = any(path.is_file() for path, _index in pdflib.CJK_FONT_FILES)
needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdfimages")),
    reason="poppler-utils (pdftotext, pdfimages) is not installed",
)


def _request():
    return RequestFactory().get("/", HTTP_HOST="testserver")


def _text(data: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return re.sub(r"\s+", "", out)


def test_the_document_states_every_field_the_holder_relies_on(certificate, personas):
    document = certificate_document(certificate)
    facts = dict(next(block for block in document.blocks if isinstance(block, Facts)).rows)
    assert document.title == "食品经营许可证"
    assert document.issuer == "鄂州市市场监督管理局"
    assert document.number == "证书编号：SCJG-2025-000001"
    assert facts == {
        "证书编号": "SCJG-2025-000001",
        "持证人": "张伟",
        "证件号码": personas.applicant.id_number,
        "许可事项": "食品经营许可（测试）（CERT-T-001）",
        "许可内容": "经营项目：预包装食品销售",
        "有效期限": "2025年9月30日 至 2030年9月29日",
        "发证机关": "鄂州市市场监督管理局",
        "发证日期": "2025年9月30日",
    }
    assert document.qr_url == f"/verify/{certificate.token}/"


def test_a_revoked_certificate_says_so_on_the_pdf(certificate, personas):
    services.certificate_revoke(certificate=certificate, actor=personas.approver_a, reason="欺骗")
    text = " ".join(b for b in certificate_document(certificate).blocks if isinstance(b, str))
    assert "本证照已撤销（欺骗），不再有效。" in text


def test_the_pdf_embeds_the_truetype_cjk_font_when_installed(certificate):
    data = certificate_pdf(certificate)
    assert data.startswith(b"%PDF-")
    if TTF_AVAILABLE:
        assert re.search(rb"/BaseFont /[A-Z]{6}\+WenQuanYiZenHei", data)
        assert b"/FontFile2" in data


@needs_poppler
def test_the_pdf_text_contains_the_serial_holder_and_verification_url(certificate):
    request = _request()
    text = _text(certificate_pdf(certificate, request=request))
    assert "SCJG-2025-000001" in text
    assert "张伟" in text and "食品经营许可证" in text and "2030年9月29日" in text
    assert f"http://testserver/verify/{certificate.token}/" in text


@needs_poppler
def test_the_qr_code_encodes_the_verification_url(certificate, tmp_path: Path):
    request = _request()
    (tmp_path / "c.pdf").write_bytes(certificate_pdf(certificate, request=request))
    subprocess.run(
        ["pdfimages", "-png", str(tmp_path / "c.pdf"), str(tmp_path / "img")], check=True
    )
    (png,) = sorted(tmp_path.glob("img-*.png"))
    image = Image.open(png).convert("L")
    expected = segno.make(verify_url(certificate, request), error="m", micro=False)
    modules = [list(row) for row in expected.matrix]
    scale = image.width / (len(modules) + 4)  # two modules of quiet zone each side
    read = [
        [
            int(image.getpixel((int((c + 2.5) * scale), int((r + 2.5) * scale))) < 128)  # type: ignore[operator]
            for c in range(len(modules))
        ]
        for r in range(len(modules))
    ]
    assert read == [[int(bool(m)) for m in row] for row in modules]
    assert verify_url(certificate, request) == f"http://testserver/verify/{certificate.token}/"
