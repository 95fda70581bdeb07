"""Blank forms and samples are accepted only when name and content agree on an allowed type."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from onewindow.catalog.models import Material
from onewindow.catalog.tests import builders as b
from onewindow.catalog.validators import validate_form_template, validate_sample
from onewindow.demo.data.forms import FormText, application_form

GOOD_FORMS = [
    ("申请书.pdf", b.PDF),
    ("申请书.PDF", b.PDF),
    ("申请表.doc", b.ole2("WordDocument")),
    ("申请表.wps", b.ole2("WordDocument")),
    ("申请表.docx", b.office_zip("word/document.xml")),
    ("登记表.xls", b.ole2("Workbook")),
    ("登记表.et", b.ole2("Workbook")),
    ("登记表.xlsx", b.office_zip("xl/workbook.xml")),
]


def message(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


@pytest.mark.parametrize(("name", "content"), GOOD_FORMS)
def test_real_office_and_pdf_files_are_accepted_as_forms(name, content):
    validate_form_template(b.upload(name, content))


@pytest.mark.parametrize(
    ("name", "content"), [*GOOD_FORMS, ("样表.jpg", b.JPEG), ("样表.png", b.PNG)]
)
def test_samples_may_also_be_scans(name, content):
    validate_sample(b.upload(name, content))


def test_a_generated_demo_form_is_a_valid_pdf():
    text = FormText("食品经营许可申请书", "鄂州市市场监督管理局", "食品经营许可", "SP-001", "C02")
    validate_form_template(b.upload("form.pdf", application_form(text)))
    validate_sample(b.upload("sample.pdf", application_form(text, sample=True)))


def test_an_exe_renamed_pdf_is_refused():
    with pytest.raises(ValidationError) as caught:
        validate_form_template(b.upload("申请书.pdf", b.EXE))
    assert message(caught) == (
        "文件“申请书.pdf”的内容不是PDF文件，与扩展名“.pdf”不符。请上传真实的PDF文件。"
    )


def test_an_html_page_is_refused_by_its_extension():
    with pytest.raises(ValidationError) as caught:
        validate_form_template(b.upload("申请表.html", b"<html><body>x</body></html>"))
    assert "不支持的文件类型“.html”" in message(caught)
    assert "PDF" in message(caught)


def test_an_html_page_saved_as_doc_is_refused_by_its_content():
    with pytest.raises(ValidationError) as caught:
        validate_form_template(b.upload("申请表.doc", b"<html><body>x</body></html>"))
    assert "不是Word（DOC）文件" in message(caught)


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as caught:
        validate_form_template(b.upload("申请书.pdf", b""))
    assert message(caught) == "文件“申请书.pdf”是空文件。"


def test_a_file_without_extension_is_refused():
    with pytest.raises(ValidationError) as caught:
        validate_form_template(b.upload("申请书", b.PDF))
    assert "无扩展名" in message(caught)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("申请表.docx", b.office_zip("xl/workbook.xml")),  # a workbook named as a document
        ("登记表.xlsx", b.office_zip("word/document.xml")),
        ("申请表.docx", b"PK\x03\x04not really a zip"),
        ("申请表.doc", b.ole2("Workbook")),
        ("登记表.xls", b.PDF),
    ],
)
def test_content_of_another_type_than_the_extension_says_is_refused(name, content):
    with pytest.raises(ValidationError) as caught:
        validate_form_template(b.upload(name, content))
    assert "与扩展名" in message(caught)


def test_images_are_not_blank_forms():
    with pytest.raises(ValidationError) as caught:
        validate_form_template(b.upload("申请表.png", b.PNG))
    assert "不支持的文件类型“.png”" in message(caught)


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.MAX_UPLOAD_MB = 1
    with pytest.raises(ValidationError) as caught:
        validate_form_template(b.upload("申请书.pdf", b.PDF + b"0" * 1024 * 1024))
    assert "不能超过 1 MB" in message(caught)


def test_the_validator_leaves_the_file_position_alone():
    upload = b.upload("申请书.pdf", b.PDF)
    upload.seek(3)
    validate_form_template(upload)
    assert upload.tell() == 3


def test_the_material_model_fields_run_the_checks():
    material = Material(
        name="申请书",
        form_template=b.upload("申请书.pdf", b.EXE),
        sample=b.upload("样表.html", b"<html></html>"),
    )
    with pytest.raises(ValidationError) as caught:
        material.clean_fields(exclude=["version"])
    assert set(caught.value.message_dict) == {"form_template", "sample"}


@pytest.mark.django_db
def test_a_stored_form_is_checked_again_from_storage_and_a_lost_one_is_reported():
    from django.core.files.storage import default_storage

    from onewindow.catalog import services

    draft = b.draft(b.department())
    material = services.material_add(
        version=draft, name="申请书", form_template=b.upload("申请书.pdf", b.PDF)
    )
    material.refresh_from_db()
    material.full_clean()  # reads the stored file: still a PDF
    default_storage.delete(material.form_template.name)
    with pytest.raises(ValidationError) as caught:
        material.full_clean()
    assert caught.value.message_dict["form_template"] == ["文件已丢失，请重新上传。"]
