"""Bad uploads get a clear message and leave nothing behind: no row, no file on disk
(docs/decisions.md §S4)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.errors import CaseError
from onewindow.cases.models import CaseEvent, CaseFile, StoredFile
from onewindow.cases.tests import test_apply_fixtures as fx
from onewindow.cases.tests.conftest import PDF_BYTES
from onewindow.cases.tests.test_apply_fixtures import (
    EXE_BYTES,
    draft,
    files_on_disk,
    page_data,
    pdf,
)
from onewindow.cases.uploads import MAX_FILES_PER_MATERIAL

aw = fx.aw  # the fixture, shared with the other application tests


def _upload(client, case, line, *files, form=True):
    data = (
        page_data(action="save", token="t" * 32) if form else {"action": "save", "token": "t" * 32}
    )
    data[f"files-{line.pk}"] = list(files)
    return client.post(reverse("cases:application", args=[case.pk]), data)


def _nothing_written(case):
    case.refresh_from_db()
    assert case.form_data == {}
    assert not StoredFile.objects.exists()
    assert not CaseFile.objects.exists()
    assert not CaseEvent.objects.filter(
        case=case, action__in=["file_added", "draft_saved"]
    ).exists()
    assert files_on_disk() == []


@pytest.fixture
def setup(client, aw):
    client.force_login(aw.applicant)
    case = draft(aw)
    return client, case, case.materials.get(material=aw.core)


def test_an_oversized_file_is_refused(setup, settings):
    settings.MAX_UPLOAD_MB = 1
    client, case, line = setup
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (1024 * 1024), "application/pdf")
    html = _upload(client, case, line, big).content.decode()
    assert "文件“big.pdf”超过 1 MB 的大小限制" in html
    _nothing_written(case)


def test_an_executable_renamed_pdf_is_refused(setup):
    client, case, line = setup
    exe = SimpleUploadedFile("营业执照.pdf", EXE_BYTES, "application/pdf")
    html = _upload(client, case, line, exe).content.decode()
    assert "文件“营业执照.pdf”不是 PDF、JPEG 或 PNG 格式（按文件内容判断）" in html
    _nothing_written(case)


def test_an_empty_file_is_refused(setup):
    client, case, line = setup
    empty = SimpleUploadedFile("empty.pdf", b"", "application/pdf")
    html = _upload(client, case, line, empty).content.decode()
    assert "文件“empty.pdf”是空文件" in html
    _nothing_written(case)


def test_one_bad_file_among_several_refuses_them_all(setup):
    client, case, line = setup
    exe = SimpleUploadedFile("setup.pdf", EXE_BYTES, "application/pdf")
    html = _upload(client, case, line, pdf("a.pdf"), pdf("b.pdf", PDF_BYTES + b"b"), exe)
    assert "setup.pdf" in html.content.decode()
    _nothing_written(case)


def test_files_written_are_deleted_when_the_rows_cannot_be_written(aw):
    case = draft(aw)
    line = case.materials.get(material=aw.core)
    too_many = [
        pdf(f"{n}.pdf", PDF_BYTES + str(n).encode()) for n in range(MAX_FILES_PER_MATERIAL + 1)
    ]
    changes = services.ApplicationChanges(uploads={line.pk: too_many})
    with pytest.raises(CaseError, match="最多上传"):
        services.application_save(case=case, actor=aw.applicant, changes=changes)
    assert not StoredFile.objects.exists()
    assert files_on_disk() == []


def test_a_line_of_another_case_is_refused_and_nothing_written(aw):
    mine, theirs = draft(aw), draft(aw, actor=aw.other_applicant)
    their_line = theirs.materials.all()[0]
    changes = services.ApplicationChanges(uploads={their_line.pk: [pdf()]})
    with pytest.raises(CaseError, match="不属于本办件"):
        services.application_save(case=mine, actor=aw.applicant, changes=changes)
    assert files_on_disk() == []
    assert not StoredFile.objects.exists()


def test_no_upload_once_the_case_is_submitted(aw):
    from onewindow.cases.tests.test_apply_fixtures import complete_draft

    case = complete_draft(aw)
    services.application_submit(case=case, actor=aw.applicant)
    before = (StoredFile.objects.count(), len(files_on_disk()))
    changes = services.ApplicationChanges(
        uploads={case.materials.all()[0].pk: [pdf("late.pdf", PDF_BYTES + b"x")]}
    )
    with pytest.raises(CaseError, match="不能再修改"):
        services.application_save(case=case, actor=aw.applicant, changes=changes)
    assert (StoredFile.objects.count(), len(files_on_disk())) == before
