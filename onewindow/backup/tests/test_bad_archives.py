"""Bad restore inputs (docs/rules/audit.md §Z9): a missing file, a corrupt archive, a manifest
that does not match, a database of the other kind, a target that holds data. Each is one clear
Chinese line and exit 1, and the target is left exactly as it was."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from onewindow.backup.archive import DB_MEMBER, FORMAT, MANIFEST
from onewindow.cases.models import CaseEvent
from onewindow.cases.tests.test_intake_rules import submitted_case
from onewindow.cli import main


def _archive(path: Path, members: dict[str, bytes], **manifest: Any) -> Path:
    listed = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in members.items()
    }
    body = {
        "format": FORMAT,
        "created_at": "2026-12-01T00:00:00+00:00",
        "vendor": connection.vendor,
        "counts": {},
        "migrations": {},
        "audit": {"seq": 0, "hash": ""},
        "members": listed,
        **manifest,
    }
    with tarfile.open(path, "w:gz") as tar:
        for name, data in {**members, MANIFEST: json.dumps(body).encode()}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _restore_refused(path: Path, capsys: Any, message: str) -> None:
    events = CaseEvent.objects.count()
    files = sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    assert main(["restore", str(path)]) == 1
    assert message in capsys.readouterr().err
    assert CaseEvent.objects.count() == events
    assert sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()) == files


@pytest.fixture
def data(world: Any) -> None:
    submitted_case(world)  # events and an uploaded file: what must survive a refused restore


DB = DB_MEMBER.get(connection.vendor, "database.sqlite3")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "none.tar.gz", "备份文件不存在"),
        (
            lambda p: _write(p / "x.tar.gz", b"not a tar at all"),
            "备份文件已损坏或不是 .tar.gz 归档",
        ),
        (
            lambda p: _write(
                p / "cut.tar.gz", _archive(p / "full", {DB: b"x" * 5000}).read_bytes()[:60]
            ),
            "备份文件已损坏或不是 .tar.gz 归档",
        ),
        (lambda p: _plain_tar(p / "nomanifest.tar.gz"), "没有清单 manifest.json"),
        (lambda p: _archive(p / "v.tar.gz", {DB: b"db"}, format=99), "备份格式版本 99 不受支持"),
        (lambda p: _archive(p / "nodb.tar.gz", {"files/a.pdf": b"%PDF"}), "未列出数据库文件"),
        (lambda p: _tampered(p / "t.tar.gz"), "校验失败（SHA-256 与清单不符）"),
        (lambda p: _unlisted(p / "u.tar.gz"), "清单未列出的文件"),
        (lambda p: _missing(p / "m.tar.gz"), "备份缺少清单列出的文件"),
    ],
    ids=[
        "missing",
        "not-gzip",
        "truncated",
        "no-manifest",
        "format",
        "no-database",
        "tampered",
        "unlisted",
        "missing-member",
    ],
)
def test_a_bad_archive_is_refused_in_words_and_nothing_changes(
    data, tmp_path, capsys, make, message
):
    _restore_refused(make(tmp_path), capsys, message)


def _sqlite_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "small.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    return path.read_bytes()


def test_a_good_archive_is_still_refused_when_the_target_holds_data(data, tmp_path, capsys):
    database = _sqlite_bytes(tmp_path) if connection.vendor == "sqlite" else b"dump"
    path = _archive(tmp_path / "ok.tar.gz", {DB: database, "files/a.pdf": b"%PDF"})
    _restore_refused(path, capsys, "目标不是空的")


def test_a_damaged_sqlite_file_in_the_archive_is_refused(data, tmp_path, capsys):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite file is checked before the restore; pg_restore checks its own")
    path = _archive(tmp_path / "bad.tar.gz", {DB: b"not a database" * 100})
    _restore_refused(path, capsys, "备份中的数据库文件无法打开")


def test_a_backup_of_the_other_database_kind_is_refused(data, tmp_path, capsys):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    path = _archive(tmp_path / "o.tar.gz", {DB_MEMBER[other]: b"x"}, vendor=other)
    _restore_refused(path, capsys, f"备份来自 {other} 数据库")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _plain_tar(path: Path) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(DB)
        info.size = 2
        tar.addfile(info, io.BytesIO(b"db"))
    return path


def _tampered(path: Path) -> Path:
    """A member whose bytes no longer match the manifest's SHA-256."""
    good = _archive(path.with_suffix(".good"), {DB: b"db", "files/a.pdf": b"%PDF-1.4"})
    with tarfile.open(good) as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
    with tarfile.open(path, "w:gz") as tar:
        for name, data in {
            DB: b"db",
            "files/a.pdf": b"%PDF-1.5",
            MANIFEST: json.dumps(manifest).encode(),
        }.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _unlisted(path: Path) -> Path:
    archive = _archive(path, {DB: b"db"})
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    members["files/extra.pdf"] = b"%PDF"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _missing(path: Path) -> Path:
    archive = _archive(path, {DB: b"db", "files/a.pdf": b"%PDF"})
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    del members["files/a.pdf"]
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path
