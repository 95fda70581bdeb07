"""The restore drill (docs/rules/audit.md §Z8, §Z9): cases with events and an uploaded file are
backed up, the database and the files destroyed, the archive restored; the counts, the file bytes
and the audit chain must come back. SQLite (a real test database file) and PostgreSQL alike."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings
from django.db import connection, connections

from onewindow.audit.chain import chain_head, chain_verify
from onewindow.audit.models import ChainLink, PendingRow
from onewindow.backup.archive import backup_create
from onewindow.cases.models import Case, CaseEvent, StoredFile
from onewindow.cases.tests.test_intake_rules import submitted_case
from onewindow.cli import main

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _real_database_file() -> None:
    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        pytest.skip("SQLite in-memory test database: set SQLITE_TEST_NAME to a file path")


def _destroy() -> None:
    """Lose everything: the database (file, or every table) and the uploaded files."""
    media = Path(settings.MEDIA_ROOT)
    for path in media.rglob("*"):
        if path.is_file():
            path.unlink()
    if connection.vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"]))
        connections.close_all()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    assert "cases_case" not in connection.introspection.table_names()


def test_back_up_destroy_restore_and_everything_comes_back(world, tmp_path, capsys):
    cases = [submitted_case(world) for _ in range(3)]
    before = {
        "cases": Case.objects.count(),
        "events": CaseEvent.objects.count(),
        "files": StoredFile.objects.count(),
    }
    stored = {
        f.path: hashlib.sha256((Path(settings.MEDIA_ROOT) / f.path).read_bytes()).hexdigest()
        for f in StoredFile.objects.all()
    }
    assert len(cases) == 3 and before["events"] > 6 and stored
    (tmp_path / "bk").mkdir()
    assert main(["backup", str(tmp_path / "bk")]) == 0
    archive = next((tmp_path / "bk").glob("onewindow-backup-*.tar.gz"))
    head = chain_head()
    links = ChainLink.objects.count()
    assert head is not None and not PendingRow.objects.exists()  # the backup sealed the queue
    assert ChainLink.objects.filter(table=CaseEvent._meta.db_table).count() == before["events"]
    _destroy()
    assert main(["restore", str(archive)]) == 0
    out = capsys.readouterr().out
    assert "行数核对一致" in out and "上传文件核对一致" in out and "审计链完整" in out
    assert "恢复完成，核对全部通过。" in out
    after = {
        "cases": Case.objects.count(),
        "events": CaseEvent.objects.count(),
        "files": StoredFile.objects.count(),
    }
    assert after == before
    for path, digest in stored.items():
        assert hashlib.sha256((Path(settings.MEDIA_ROOT) / path).read_bytes()).hexdigest() == digest
    report = chain_verify()
    assert report.ok and (report.head_seq, report.head_hash) == (head.seq, head.hash)
    assert ChainLink.objects.count() == links
    assert main(["restore", str(archive)]) == 1  # now the target holds data
    assert "目标不是空的" in capsys.readouterr().err


def test_a_backup_into_a_missing_directory_is_refused(world, tmp_path, capsys):
    assert main(["backup", str(tmp_path / "no" / "such.tar.gz")]) == 1
    assert "备份目标所在目录不存在" in capsys.readouterr().err
    assert backup_create(tmp_path).path.exists()
