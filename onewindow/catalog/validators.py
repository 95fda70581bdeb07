"""Checks on the files the catalog publishes: blank forms (空白表格) and samples (示例样表).

A file is accepted only when its extension is on the list *and* its content is of that type
(magic bytes, and for the zip-based Office formats the part that makes a document a document or
a workbook a workbook). An ``.exe`` renamed ``.pdf`` or an HTML page saved as ``.doc`` is refused:
the portal offers these files to the public for download, so they must be what they claim.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onewindow.lib.filetypes import sniff

# OLE2 compound file (legacy Word/Excel, and WPS/ET from Kingsoft Office).
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Stream names inside an OLE2 file's directory, stored as UTF-16LE.
WORD_STREAM = "WordDocument".encode("utf-16-le")
EXCEL_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))


def _is_pdf(handle: IO[bytes]) -> bool:
    return sniff(_head(handle, 16)) == "application/pdf"


def _is_jpeg(handle: IO[bytes]) -> bool:
    return sniff(_head(handle, 16)) == "image/jpeg"


def _is_png(handle: IO[bytes]) -> bool:
    return sniff(_head(handle, 16)) == "image/png"


def _ole2_has(handle: IO[bytes], names: tuple[bytes, ...]) -> bool:
    if _head(handle, len(OLE2_MAGIC)) != OLE2_MAGIC:
        return False
    handle.seek(0)
    content = handle.read()
    return any(name in content for name in names)


def _is_word_ole2(handle: IO[bytes]) -> bool:
    return _ole2_has(handle, (WORD_STREAM,))


def _is_excel_ole2(handle: IO[bytes]) -> bool:
    return _ole2_has(handle, EXCEL_STREAMS)


def _zip_has(handle: IO[bytes], part: str) -> bool:
    if _head(handle, len(ZIP_MAGIC)) != ZIP_MAGIC:
        return False
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and part in names


def _is_docx(handle: IO[bytes]) -> bool:
    return _zip_has(handle, "word/document.xml")


def _is_xlsx(handle: IO[bytes]) -> bool:
    return _zip_has(handle, "xl/workbook.xml")


def _head(handle: IO[bytes], size: int) -> bytes:
    handle.seek(0)
    return handle.read(size)


# extension → (type name shown to the user, content check); the names are read inside Chinese
# messages ("不是Word（DOC）文件"), so their parentheses are full-width.
FileKinds = dict[str, tuple[str, Callable[[IO[bytes]], bool]]]
DOCUMENT_KINDS: FileKinds = {
    ".pdf": ("PDF", _is_pdf),
    ".doc": ("Word（DOC）", _is_word_ole2),
    ".wps": ("WPS文字", _is_word_ole2),
    ".docx": ("Word（DOCX）", _is_docx),
    ".xls": ("Excel（XLS）", _is_excel_ole2),
    ".et": ("WPS表格", _is_excel_ole2),
    ".xlsx": ("Excel（XLSX）", _is_xlsx),
}
IMAGE_KINDS: FileKinds = {
    ".jpg": ("JPEG", _is_jpeg),
    ".jpeg": ("JPEG", _is_jpeg),
    ".png": ("PNG", _is_png),
}
FORM_TEMPLATE_KINDS = DOCUMENT_KINDS
SAMPLE_KINDS: FileKinds = {**DOCUMENT_KINDS, **IMAGE_KINDS}


def max_bytes() -> int:
    return int(settings.MAX_UPLOAD_MB) * 1024 * 1024


def validate_form_template(value: Any) -> None:
    """A blank application form: PDF, DOC/DOCX, XLS/XLSX, WPS or ET."""
    _validate(value, FORM_TEMPLATE_KINDS)


def validate_sample(value: Any) -> None:
    """A filled-in sample: the form types, or a JPEG/PNG scan."""
    _validate(value, SAMPLE_KINDS)


def _validate(value: Any, kinds: FileKinds) -> None:
    if not value:
        return  # blank=True: no file is fine
    name = PurePath(str(getattr(value, "name", "") or "")).name
    extension = PurePath(name).suffix.lower()
    allowed = "、".join(dict.fromkeys(label for label, _check in kinds.values()))
    if extension not in kinds:
        raise ValidationError(
            _("不支持的文件类型“%(ext)s”：只接受 %(allowed)s 文件。"),
            code="file_type",
            params={"ext": extension or _("无扩展名"), "allowed": allowed},
        )
    label, check = kinds[extension]
    try:
        size = value.size
    except (FileNotFoundError, OSError):
        raise ValidationError(_("文件已丢失，请重新上传。"), code="file_missing") from None
    if not size:
        raise ValidationError(
            _("文件“%(name)s”是空文件。"), code="file_empty", params={"name": name}
        )
    if size > max_bytes():
        raise ValidationError(
            _("文件“%(name)s”过大：不能超过 %(mb)s MB。"),
            code="file_size",
            params={"name": name, "mb": settings.MAX_UPLOAD_MB},
        )
    if not _content_matches(value, check):
        raise ValidationError(
            _(
                "文件“%(name)s”的内容不是%(kind)s文件，与扩展名“%(ext)s”不符。请上传真实的%(kind)s文件。"
            ),
            code="file_content",
            params={"name": name, "kind": label, "ext": extension},
        )


def _content_matches(value: Any, check: Callable[[IO[bytes]], bool]) -> bool:
    """Run ``check`` on the file's bytes, leaving the file open or closed, and where it was."""
    was_closed = bool(getattr(value, "closed", False))
    try:
        if was_closed:
            value.open("rb")  # a stored file: read it from the storage
        handle = value.file if hasattr(value, "file") else value
        position = handle.tell()
        try:
            return check(handle)
        finally:
            handle.seek(position)
    except (FileNotFoundError, OSError):
        raise ValidationError(_("文件已丢失，请重新上传。"), code="file_missing") from None
    finally:
        if was_closed:
            value.close()
