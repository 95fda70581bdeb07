"""docs/decisions.md §S4: an upload is checked by parsing it, and an oversized body is refused from
its Content-Length before Django reads it (page and API), losing none of the draft's files."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from onewindow.cases import services
from onewindow.cases.errors import CaseError
from onewindow.cases.models import CaseFile, StoredFile
from onewindow.cases.tests import test_apply_fixtures as fx
from onewindow.cases.tests.conftest import PDF_BYTES
from onewindow.cases.tests.test_apply_fixtures import PNG_BYTES, draft, files_on_disk, pdf

aw = fx.aw

JPEG = io.BytesIO()
Image.new("RGB", (64, 64), "red").save(JPEG, "JPEG")
JPEG_BYTES = JPEG.getvalue()

UNREADABLE = [
    ("fake.pdf", b"%PDF-1.7\nMZ\x90\x00 this is no PDF at all " + b"\x00" * 64),
    ("renamed.pdf", b"%PDF-" + b"MZ\x90\x00\x03" * 40),
    ("fake.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ("truncated.png", PNG_BYTES[:40]),
    ("truncated.jpg", JPEG_BYTES[: len(JPEG_BYTES) // 2]),
    ("fake.jpg", b"\xff\xd8\xff" + b"\x00" * 64),
]


def _save(aw, case, *files):
    line = case.materials.get(material=aw.core)
    changes = services.ApplicationChanges(uploads={line.pk: list(files)})
    return services.application_save(case=case, actor=aw.applicant, changes=changes)


@pytest.mark.parametrize(("name", "content"), UNREADABLE, ids=[n for n, _ in UNREADABLE])
def test_a_file_whose_first_bytes_lie_is_refused_by_its_parser(aw, name, content):
    case = draft(aw)
    with pytest.raises(CaseError, match=f"文件“{name}”无法打开"):
        _save(aw, case, SimpleUploadedFile(name, content))
    assert not StoredFile.objects.exists()
    assert files_on_disk() == []


def test_real_pdf_png_and_jpeg_files_are_accepted(aw):
    case = draft(aw)
    _save(
        aw,
        case,
        pdf("a.pdf"),
        SimpleUploadedFile("b.png", PNG_BYTES),
        SimpleUploadedFile("c.jpg", JPEG_BYTES),
    )
    assert sorted(StoredFile.objects.values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/jpeg",
        "image/png",
    ]


def test_an_unreadable_file_on_the_api_is_a_400_and_the_draft_keeps_its_files(aw):
    case = draft(aw)
    _save(aw, case, pdf("kept.pdf"))
    line = case.materials.get(material=aw.core)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=aw.applicant).key}")
    url = f"/api/v1/cases/{case.pk}/materials/{line.pk}/files/"
    bad = SimpleUploadedFile("scan.pdf", UNREADABLE[0][1])
    response = api.post(url, {"files": [bad]}, format="multipart")
    assert response.status_code == 400
    assert "无法打开" in response.json()["message"]
    assert list(CaseFile.objects.values_list("stored__original_name", flat=True)) == ["kept.pdf"]


# --- Content-Length -------------------------------------------------------------------------


def _oversized_post(client, url, settings, **extra):
    """A POST announcing a body one byte over the limit, with a body that would fail if read."""
    limit = settings.MAX_REQUEST_MB * 1024 * 1024
    return client.generic(
        "POST",
        url,
        b"not read",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(limit + 1),
        **extra,
    )


def test_an_oversized_page_post_is_refused_before_it_is_read_and_the_draft_keeps_its_files(
    client, aw, settings
):
    settings.MAX_REQUEST_MB = 2
    case = draft(aw)
    _save(aw, case, pdf("kept.pdf"))
    client.force_login(aw.applicant)
    response = _oversized_post(client, reverse("cases:application", args=[case.pk]), settings)
    assert response.status_code == 413
    html = response.content.decode()
    assert "超过 2 MB" in html
    assert "<html" in html
    assert list(CaseFile.objects.values_list("stored__original_name", flat=True)) == ["kept.pdf"]
    assert len(files_on_disk()) == 1


def test_an_oversized_api_post_is_refused_in_json(aw, settings):
    settings.MAX_REQUEST_MB = 2
    case = draft(aw)
    line = case.materials.get(material=aw.core)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=aw.applicant).key}")
    response = _oversized_post(api, f"/api/v1/cases/{case.pk}/materials/{line.pk}/files/", settings)
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "too_large"
    assert "超过 2 MB" in body["message"]


def test_a_body_within_the_limit_is_read(client, aw, settings):
    settings.MAX_REQUEST_MB = 2
    case = draft(aw)
    client.force_login(aw.applicant)
    line = case.materials.get(material=aw.core)
    data = fx.page_data(action="save", token="t" * 32)
    data[f"files-{line.pk}"] = [pdf("ok.pdf", PDF_BYTES)]
    response = client.post(reverse("cases:application", args=[case.pk]), data)
    assert response.status_code in (200, 302)
    assert CaseFile.objects.count() == 1


def _encrypted_pdf(user_password: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_locked_with_an_opening_password_is_refused(aw):
    case = draft(aw)
    locked = SimpleUploadedFile("locked.pdf", _encrypted_pdf("open-sesame"))
    with pytest.raises(CaseError, match="设有打开密码"):
        _save(aw, case, locked)


def test_a_pdf_with_only_permission_restrictions_is_accepted(aw):
    case = draft(aw)
    _save(aw, case, SimpleUploadedFile("restricted.pdf", _encrypted_pdf("")))
    assert StoredFile.objects.count() == 1
