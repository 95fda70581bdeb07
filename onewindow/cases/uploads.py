"""Uploaded case materials: checked by size, magic bytes and a parser (pypdf, Pillow), stored
under generated names.

Files live under MEDIA_ROOT/cases/<yyyy>/<mm>/<random>.<ext>, a directory no URL maps to; they
are served only by views that check access first. A file is checked completely before anything
is written, and deleted again if the rows that reference it cannot be written, so a failed
upload leaves neither a half-written case nor an orphan file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.cases.errors import CaseError
from onewindow.cases.models import CaseFile, CaseMaterial, CaseStatus, StoredFile
from onewindow.cases.transitions import event_record
from onewindow.core import clock
from onewindow.lib.filetypes import EXTENSIONS, opens, sniff

# Lines the applicant may still change: while drafting and while answering a correction notice.
EDITABLE_STATUSES = (CaseStatus.DRAFT, CaseStatus.CORRECTION)


def upload_check(upload: UploadedFile) -> tuple[str, bytes]:
    """Return (mime type, content) or raise CaseError with a message the applicant understands."""
    limit = settings.MAX_UPLOAD_MB * 1024 * 1024
    name = upload.name or ""
    if not upload.size:
        raise CaseError(_("文件“%(n)s”是空文件，请重新选择。") % {"n": name})
    if upload.size > limit:
        raise CaseError(
            _("文件“%(n)s”超过 %(mb)s MB 的大小限制。") % {"n": name, "mb": settings.MAX_UPLOAD_MB}
        )
    content = upload.read()
    mime = sniff(content[:16])
    if mime is None:
        raise CaseError(
            _("文件“%(n)s”不是 PDF、JPEG 或 PNG 格式（按文件内容判断），请转换后上传。")
            % {"n": name}
        )
    if not opens(content, mime):  # docs/decisions.md §S4: parsed, not only its first bytes
        raise CaseError(
            _(
                "文件“%(n)s”无法打开（文件已损坏、设有打开密码，或并非真正的 PDF、JPEG、PNG 文件），请重新导出后上传。"
            )
            % {"n": name}
        )
    return mime, content


def _write(content: bytes, mime: str) -> str:
    path = f"cases/{clock.now():%Y/%m}/{secrets.token_hex(16)}{EXTENSIONS[mime]}"
    return default_storage.save(path, ContentFile(content))


def case_file_add(
    *,
    case_material: CaseMaterial,
    upload: UploadedFile,
    actor: Any,
    now: dt.datetime | None = None,
) -> CaseFile:
    """Attach one uploaded file to a checklist line of a case that is still editable."""
    mime, content = upload_check(upload)
    path = _write(content, mime)
    try:
        with transaction.atomic():
            return _attach(case_material, path, upload.name or "file", mime, content, actor, now)
    except BaseException:
        default_storage.delete(path)
        raise


def _attach(
    line: CaseMaterial,
    path: str,
    name: str,
    mime: str,
    content: bytes,
    actor: Any,
    now: dt.datetime | None = None,
) -> CaseFile:
    case = type(line.case).objects.select_for_update().get(pk=line.case_id)
    if case.status not in EDITABLE_STATUSES:
        raise CaseError(
            _("办件当前状态为“%(s)s”，不能再上传材料。") % {"s": CaseStatus(case.status).label}
        )
    stored = StoredFile.objects.create(
        owner=case.applicant,
        path=path,
        original_name=name[:255],
        content_type=mime,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor,
    )
    attached = CaseFile.objects.create(case_material=line, stored=stored)
    event_record(
        case,
        actor=actor,
        action="file_added",
        public=False,
        now=now,
        data={"material": line.material.name, "file": stored.original_name},
    )
    return attached


@transaction.atomic
def case_file_reuse(*, case_material: CaseMaterial, stored: StoredFile, actor: Any) -> CaseFile:
    """Once-only: attach a document already on file for the same applicant instead of uploading."""
    case = type(case_material.case).objects.select_for_update().get(pk=case_material.case_id)
    if stored.owner_id != case.applicant_id:
        raise CaseError(_("只能复用本申请人名下的材料。"))
    if case.status not in EDITABLE_STATUSES:
        raise CaseError(
            _("办件当前状态为“%(s)s”，不能再上传材料。") % {"s": CaseStatus(case.status).label}
        )
    attached = CaseFile.objects.create(case_material=case_material, stored=stored)
    event_record(
        case,
        actor=actor,
        action="file_reused",
        public=False,
        data={"material": case_material.material.name, "file": stored.original_name},
    )
    return attached


@transaction.atomic
def case_file_remove(*, case_file: CaseFile, actor: Any) -> None:
    case = (
        type(case_file.case_material.case)
        .objects.select_for_update()
        .get(pk=case_file.case_material.case_id)
    )
    if case.status not in EDITABLE_STATUSES:
        raise CaseError(
            _("办件当前状态为“%(s)s”，不能再修改材料。") % {"s": CaseStatus(case.status).label}
        )
    event_record(
        case,
        actor=actor,
        action="file_removed",
        public=False,
        data={"file": case_file.stored.original_name},
    )
    case_file.delete()


# --- several files at once (online application) ----------------------------------------------

# More than this on one checklist line is a mistake, not a material.
MAX_FILES_PER_MATERIAL = 20


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed ``upload_check``, held in memory until written."""

    name: str
    mime: str
    content: bytes
    sha256: str


@dataclass(frozen=True)
class WrittenFile:
    """A checked upload written to storage, not yet referenced by any row."""

    upload: CheckedUpload
    path: str


def uploads_check(uploads: Iterable[UploadedFile]) -> list[CheckedUpload]:
    """Check every file before any is written; the first bad one refuses them all."""
    checked = []
    for upload in uploads:
        mime, content = upload_check(upload)
        name = (upload.name or "file")[:255]
        checked.append(CheckedUpload(name, mime, content, hashlib.sha256(content).hexdigest()))
    return checked


def files_write(checked: Iterable[CheckedUpload]) -> list[WrittenFile]:
    """Write checked uploads under generated names; on a failure half-way, delete what was written."""
    written: list[WrittenFile] = []
    try:
        for upload in checked:
            written.append(WrittenFile(upload, _write(upload.content, upload.mime)))
    except BaseException:
        files_delete(w.path for w in written)
        raise
    return written


def files_delete(paths: Iterable[str]) -> None:
    for path in paths:
        default_storage.delete(path)


def case_files_attach(
    *, line: CaseMaterial, written: list[WrittenFile], actor: Any, now: dt.datetime | None = None
) -> tuple[list[CaseFile], list[WrittenFile]]:
    """Attach written files to a line of a case the caller has locked and found editable.

    A file identical (by SHA-256) to one already on the line is not attached twice; those
    come back as the second list for the caller to delete once the transaction is over.
    """
    present = set(line.files.values_list("stored__sha256", flat=True))
    if line.files.count() + len(written) > MAX_FILES_PER_MATERIAL:
        raise CaseError(
            _("“%(m)s”最多上传 %(n)s 个文件。")
            % {"m": line.material.name, "n": MAX_FILES_PER_MATERIAL}
        )
    attached, duplicates = [], []
    for file in written:
        if file.upload.sha256 in present:
            duplicates.append(file)
            continue
        present.add(file.upload.sha256)
        stored = StoredFile.objects.create(
            owner_id=line.case.applicant_id,
            path=file.path,
            original_name=file.upload.name,
            content_type=file.upload.mime,
            size=len(file.upload.content),
            sha256=file.upload.sha256,
            uploaded_by=actor,
        )
        attached.append(CaseFile.objects.create(case_material=line, stored=stored))
        event_record(
            line.case,
            actor=actor,
            action="file_added",
            public=False,
            now=now,
            data={"material": line.material.name, "file": stored.original_name},
        )
    return attached, duplicates


def stored_file_discard_if_orphan(stored: StoredFile) -> bool:
    """Delete a file no case uses any more and that is not kept for reuse (after commit on disk).

    Run inside the transaction that removed its last attachment.
    """
    if stored.reusable_kind or stored.attachments.exists():
        return False
    path = stored.path
    stored.delete()
    transaction.on_commit(lambda: default_storage.delete(path))
    return True
