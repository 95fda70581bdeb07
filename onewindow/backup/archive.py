"""One archive holds the platform: the database (SQLite online backup or ``pg_dump -Fc``), every
uploaded file and a manifest (docs/rules/audit.md §Z8, §Z9).

The manifest names the time, the version, the migrations applied, the rows per table, the audit
chain's head and the SHA-256 of every member. A restore checks all of that before it changes
anything, refuses a target that already holds data unless forced, and afterwards compares the
row counts, the file bytes and the audit chain with the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.audit.chain import chain_seal_all, chain_verify
from onewindow.audit.models import ChainLink
from onewindow.core import clock
from onewindow.core.commands import CommandFailed, ensure_database

FORMAT = 1
MANIFEST = "manifest.json"
DB_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
FILES = "files/"
CHUNK = 1 << 20


class BackupError(CommandFailed):
    """A backup or restore that cannot go on; the message says why in Chinese (exit 1)."""


# --- facts read from one consistent view of the database ------------------------------------------
def _tables() -> list[str]:
    names = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    return sorted(names | {"django_migrations"})


def _facts(cursor: Any, existing: set[str]) -> dict[str, Any]:
    """Rows per table, the last migration per app and the audit head, through ``cursor``."""
    counts = {}
    for table in _tables():
        if table in existing:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = int(cursor.fetchone()[0])
    cursor.execute("SELECT app, name FROM django_migrations")
    migrations: dict[str, str] = {}
    for app, name in cursor.fetchall():
        migrations[app] = max(migrations.get(app, ""), name)
    audit = {"seq": 0, "hash": ""}
    if "audit_chain" in existing:
        cursor.execute("SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1")
        row = cursor.fetchone()
        if row:
            audit = {"seq": int(row[0]), "hash": str(row[1])}
    return {"counts": counts, "migrations": dict(sorted(migrations.items())), "audit": audit}


def _sqlite_dump(out: Path) -> dict[str, Any]:
    """The online backup API copies the live file page by page while writers go on."""
    source = sqlite3.connect(str(connection.settings_dict["NAME"]))
    copy = sqlite3.connect(str(out))
    try:
        source.backup(copy)
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        existing = {row[0] for row in cursor.fetchall()}
        return _facts(cursor, existing)
    finally:
        copy.close()
        source.close()


def _pg_params() -> dict[str, str]:
    db = connection.settings_dict
    params = {
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
        "dbname": db["NAME"],
    }
    return {key: value for key, value in params.items() if value}


def _pg_env() -> dict[str, str]:
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}
    env = dict(os.environ)
    env.update({names[k]: v for k, v in _pg_params().items() if k in names})
    return env


def _run(command: list[str], what: str) -> None:
    try:
        done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(
            f"找不到 {command[0]}，请安装 PostgreSQL 客户端（postgresql-client）。"
        ) from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        raise BackupError(f"{what}失败：{detail[0]}")


def _pg_dump(out: Path) -> dict[str, Any]:
    """pg_dump -Fc of an exported snapshot: the counts and the head are read in that snapshot."""
    import psycopg

    with psycopg.connect(**_pg_params()) as conn:  # type: ignore[arg-type]
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            row = cursor.fetchone()
            assert row is not None
            snapshot = str(row[0])
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            existing = {r[0] for r in cursor.fetchall()}
            facts = _facts(cursor, existing)
            _run(
                ["pg_dump", "-Fc", "--snapshot", snapshot, "-f", str(out), _pg_params()["dbname"]],
                "pg_dump 备份数据库",
            )
        conn.rollback()
    return facts


# --- backup -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BackupResult:
    path: Path
    tables: int
    rows: int
    files: int
    audit_seq: int
    size: int


def _version() -> str:
    try:
        return metadata.version("onewindow")
    except metadata.PackageNotFoundError:
        return "unknown"


def _media() -> Path:
    return Path(settings.MEDIA_ROOT)


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> dict[str, Any]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(clock.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def backup_create(dest: Path, *, now: dt.datetime | None = None) -> BackupResult:
    """Write the archive to ``dest`` (a directory gets a dated file name); seals the audit
    queue first so the manifest's head covers every row written so far."""
    now = now or clock.now()
    vendor = connection.vendor
    if vendor not in DB_MEMBER:
        raise BackupError(f"不支持备份该数据库：{vendor}")
    if dest.is_dir():
        dest = dest / f"onewindow-backup-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz"
    elif not dest.parent.is_dir():
        raise BackupError(f"备份目标所在目录不存在：{dest.parent}")
    chain_seal_all()
    partial = dest.with_name(dest.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="onewindow-backup-") as tmp:
        db_file = Path(tmp) / DB_MEMBER[vendor]
        facts = _sqlite_dump(db_file) if vendor == "sqlite" else _pg_dump(db_file)
        members: dict[str, Any] = {}
        with tarfile.open(partial, "w:gz") as tar:
            members[DB_MEMBER[vendor]] = _add(tar, DB_MEMBER[vendor], db_file.read_bytes())
            for path in sorted(p for p in _media().rglob("*") if p.is_file()):
                try:
                    data = path.read_bytes()
                except FileNotFoundError:  # deleted while we walked: not part of the snapshot
                    continue
                name = FILES + path.relative_to(_media()).as_posix()
                members[name] = _add(tar, name, data)
            manifest = {
                "format": FORMAT,
                "created_at": now.astimezone(dt.UTC).isoformat(),
                "version": _version(),
                "vendor": vendor,
                **facts,
                "members": members,
            }
            _add(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    os.replace(partial, dest)
    return BackupResult(
        path=dest,
        tables=len(facts["counts"]),
        rows=sum(facts["counts"].values()),
        files=len(members) - 1,
        audit_seq=facts["audit"]["seq"],
        size=dest.stat().st_size,
    )


# --- restore ----------------------------------------------------------------------------------
@dataclass
class Outcome:
    ok: bool = True
    lines: list[str] = field(default_factory=list)


def _safe_name(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError("备份中没有清单 manifest.json：这不是 OneWindow 备份文件。") from None
    handle = tar.extractfile(member)
    try:
        manifest = json.loads(handle.read() if handle else b"")
    except (ValueError, UnicodeDecodeError):
        raise BackupError("备份清单 manifest.json 无法解析：备份文件已损坏。") from None
    keys = {"format", "vendor", "counts", "migrations", "audit", "members", "created_at"}
    if not isinstance(manifest, dict) or not keys <= manifest.keys():
        raise BackupError("备份清单 manifest.json 缺少必需的项目：这不是 OneWindow 备份文件。")
    if manifest["format"] != FORMAT:
        raise BackupError(f"备份格式版本 {manifest['format']!r} 不受支持（本程序为 {FORMAT}）。")
    members = manifest["members"]
    if not isinstance(members, dict) or DB_MEMBER.get(manifest["vendor"]) not in members:
        raise BackupError("备份清单未列出数据库文件：这不是 OneWindow 备份文件。")
    return manifest


def _unpack(src: Path, into: Path) -> dict[str, Any]:
    """Check the archive against its manifest and extract it into ``into``; nothing else is
    touched. Every member must be listed, with the listed size and SHA-256."""
    if not src.is_file():
        raise BackupError(f"备份文件不存在：{src}")
    try:
        with tarfile.open(src, "r:gz") as tar:
            manifest = _read_manifest(tar)
            listed = dict(manifest["members"])
            for member in tar.getmembers():
                if member.name == MANIFEST:
                    continue
                if not member.isfile() or not _safe_name(member.name):
                    raise BackupError(f"备份中有不安全的成员：{member.name}")
                expected = listed.pop(member.name, None)
                if expected is None:
                    raise BackupError(f"备份中有清单未列出的文件：{member.name}")
                _extract(tar, member, into / member.name, expected)
            if listed:
                raise BackupError(f"备份缺少清单列出的文件：{sorted(listed)[0]}")
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(f"备份文件已损坏或不是 .tar.gz 归档：{exc}") from None
    return manifest


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, out: Path, expected: Any) -> None:
    handle = tar.extractfile(member)
    assert handle is not None
    out.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with out.open("wb") as target:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            target.write(chunk)
    if not isinstance(expected, dict) or digest.hexdigest() != expected.get("sha256"):
        raise BackupError(f"文件 {member.name} 校验失败（SHA-256 与清单不符）：备份已损坏。")


def _check_sqlite_file(path: Path) -> None:
    try:
        copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = copy.execute("PRAGMA integrity_check").fetchone()
        finally:
            copy.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份中的数据库文件无法打开：{exc}") from None
    if not result or result[0] != "ok":
        raise BackupError("备份中的数据库文件未通过完整性检查。")


def _target_rows() -> int:
    """Accounts in the target database (0 when it has no tables yet)."""
    table = User._meta.db_table
    if table not in connection.introspection.table_names():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        return int(cursor.fetchone()[0])


def _check_target(manifest: dict[str, Any], force: bool) -> None:
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"备份来自 {manifest['vendor']} 数据库，当前配置的是 {connection.vendor}："
            "请设置对应的 DATABASE_URL。"
        )
    users = _target_rows()
    files = sum(1 for p in _media().rglob("*") if p.is_file()) if _media().exists() else 0
    if (users or files) and not force:
        raise BackupError(
            f"目标不是空的（已有用户 {users} 个、上传文件 {files} 个）：为免覆盖数据已拒绝恢复。"
            "确认要覆盖时请加 --force。"
        )


def _restore_sqlite(db_file: Path) -> None:
    """Copy the archived database into the target file through SQLite's backup API: the file
    stays the same one (no rename, no deleted write-ahead log), so a process that still holds
    a connection to it reads the restored data rather than a file that is gone."""
    target = Path(str(connection.settings_dict["NAME"]))
    connections.close_all()
    source = sqlite3.connect(str(db_file))
    try:
        destination = sqlite3.connect(str(target), timeout=30)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


def _restore_pg(db_file: Path) -> None:
    connections.close_all()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "-d",
            _pg_params()["dbname"],
            str(db_file),
        ],
        "pg_restore 恢复数据库",
    )


def _restore_files(staged: Path) -> None:
    media = _media()
    media.parent.mkdir(parents=True, exist_ok=True)
    old = media.with_name(media.name + ".before-restore")
    shutil.rmtree(old, ignore_errors=True)
    if media.exists():
        os.replace(media, old)
    if staged.exists():
        shutil.move(str(staged), str(media))
    else:
        media.mkdir()
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _workdir() -> Iterator[Path]:
    """A scratch directory next to the data, so the restored files move in by rename."""
    base = Path(settings.DATA_DIR)
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=base) as tmp:
        yield Path(tmp)


def backup_restore(src: Path, *, force: bool = False) -> Outcome:
    """Check ``src`` completely, then restore it; then compare with the manifest (docs/rules/audit.md §Z9)."""
    with _workdir() as tmp:
        manifest = _unpack(src, tmp)
        db_file = tmp / DB_MEMBER[manifest["vendor"]]
        if manifest["vendor"] == "sqlite":
            _check_sqlite_file(db_file)
        try:
            _check_target(manifest, force)
        except DatabaseError as exc:
            raise BackupError(f"无法使用目标数据库，请检查 DATABASE_URL：{exc}") from None
        if manifest["vendor"] == "sqlite":
            _restore_sqlite(db_file)
        else:
            _restore_pg(db_file)
        _restore_files(tmp / FILES.rstrip("/"))
    ensure_database()  # a backup from an older release gets the newer migrations
    return restore_check(manifest)


def restore_check(manifest: dict[str, Any]) -> Outcome:
    """Compare the restored database and files with ``manifest``; the lines are for people."""
    outcome = Outcome()
    outcome.lines.append(
        f"已从 {manifest['created_at']} 的备份（版本 {manifest.get('version', '?')}）恢复。"
    )
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        now = _facts(cursor, existing)
    wrong = [
        f"{table}：备份 {count} 行，恢复后 {now['counts'].get(table, '缺表')} 行"
        for table, count in manifest["counts"].items()
        if now["counts"].get(table) != count
    ]
    if wrong:
        outcome.ok = False
        outcome.lines.append(f"行数核对不一致 {len(wrong)} 张表：" + "；".join(wrong[:10]))
    else:
        outcome.lines.append(
            f"行数核对一致：{len(manifest['counts'])} 张表，共 "
            f"{sum(manifest['counts'].values())} 行。"
        )
    outcome.lines.append(_files_line(manifest, outcome))
    outcome.lines.extend(_audit_lines(manifest, chain_verify(), outcome))
    outcome.lines.append(
        "注意：备份不含密钥（SECRET_KEY、CERTIFICATE_SIGNING_KEY 等），请从密钥的保管处另行恢复。"
    )
    outcome.lines.append(
        "恢复完成，核对全部通过。" if outcome.ok else "恢复完成，但核对未通过，请检查。"
    )
    return outcome


def _files_line(manifest: dict[str, Any], outcome: Outcome) -> str:
    names = [name for name in manifest["members"] if name.startswith(FILES)]
    bad = []
    for name in names:
        path = _media() / name[len(FILES) :]
        data = path.read_bytes() if path.is_file() else None
        if data is None or hashlib.sha256(data).hexdigest() != manifest["members"][name]["sha256"]:
            bad.append(name[len(FILES) :])
    if bad:
        outcome.ok = False
        return f"上传文件核对不一致 {len(bad)} 个：{'、'.join(bad[:5])}"
    return f"上传文件核对一致：{len(names)} 个，内容逐字节相同（SHA-256）。"


def _audit_lines(manifest: dict[str, Any], report: Any, outcome: Outcome) -> list[str]:
    head = manifest["audit"]
    if not report.ok:
        outcome.ok = False
        b = report.first_break
        return [f"审计链校验失败：{b.reason}（数据表 {b.table}，记录 {b.row_pk}，序号 {b.seq}）"]
    if head["seq"] and not _head_matches(head):
        outcome.ok = False
        return [f"审计链头与备份清单不符：清单序号 {head['seq']} 哈希 {head['hash']}"]
    return [f"审计链完整：{report.links} 个节点，链头序号 {report.head_seq}，与备份清单一致。"]


def _head_matches(head: dict[str, Any]) -> bool:
    link = ChainLink.objects.filter(seq=head["seq"]).first()
    return link is not None and link.hash == head["hash"]
