"""Catalog rows for the catalog's own tests, built through the services as production does."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.catalog import services
from onewindow.catalog.models import Department, ItemVersion

NOW = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32


def department(code: str = "SCJG", name: str = "鄂州市市场监督管理局") -> Department:
    return Department.objects.create(code=code, name=name)


def draft(
    dept: Department, code: str = "SP-001", name: str = "食品经营许可", **fields: Any
) -> ItemVersion:
    values: dict[str, Any] = {
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "statutory_days": 20,
        "committed_days": 5,
        "result_name": "食品经营许可证",
        "delivery_methods": ["window", "post"],
    }
    values.update(fields)
    return services.item_create(code=code, department=dept, name=name, **values)


def checklist(version: ItemVersion) -> ItemVersion:
    """Two conditions, two materials (one with a blank form) and a fee."""
    services.condition_add(version=version, text="具有与经营的食品品种、数量相适应的场所")
    services.condition_add(version=version, text="有食品安全管理人员")
    services.material_add(
        version=version, name="食品经营许可申请书", form_template=upload("申请书.pdf", PDF)
    )
    services.material_add(
        version=version, name="营业执照", is_core=False, original_or_copy="copy", copies=2
    )
    services.fee_add(
        version=version,
        name="工本费",
        amount=Decimal("10.00"),
        unit="本",
        legal_basis="《示例收费依据》",
    )
    return version


def published(dept: Department, code: str = "SP-001", name: str = "食品经营许可") -> ItemVersion:
    version = checklist(draft(dept, code, name))
    return services.item_version_publish(version=version, now=NOW)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def office_zip(main_part: str) -> bytes:
    """A minimal OOXML package whose main part is ``main_part`` (word/… or xl/…)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(main_part, '<?xml version="1.0"?><root/>')
    return buffer.getvalue()


def ole2(stream: str) -> bytes:
    """A compound-file header followed by a directory entry naming ``stream``."""
    return OLE2 + stream.encode("utf-16-le") + b"\x00" * 64
