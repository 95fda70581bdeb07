"""``onewindow backup DEST`` and ``onewindow restore SRC`` (docs/rules/audit.md §Z8, §Z9)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parsers(sub: Any) -> None:
    backup = sub.add_parser(
        "backup", help="back up the database and the uploaded files into one .tar.gz archive"
    )
    backup.add_argument("dest", type=Path, help="archive file, or a directory to put it in")
    backup.set_defaults(func=backup_command)
    restore = sub.add_parser(
        "restore",
        help="restore a backup archive after checking it; then verify counts and the audit chain",
    )
    restore.add_argument("src", type=Path, help="archive made by onewindow backup")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that already holds data"
    )
    restore.set_defaults(func=restore_command)


def backup_command(args: argparse.Namespace) -> int:
    from onewindow.core.commands import setup_django

    setup_django()
    from onewindow.backup.archive import backup_create

    result = backup_create(args.dest)
    print(f"备份完成 (backup written)：{result.path}")
    print(
        f"  {result.tables} 张表共 {result.rows} 行，文件 {result.files} 个，"
        f"审计链头序号 {result.audit_seq}，{result.size:,} 字节。"
    )
    return 0


def restore_command(args: argparse.Namespace) -> int:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()  # not setup_django: the target is migrated after the restore, not before
    from onewindow.backup.archive import backup_restore

    outcome = backup_restore(args.src, force=args.force)
    for line in outcome.lines:
        print(line)
    return 0 if outcome.ok else 1
