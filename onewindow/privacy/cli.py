"""``onewindow personal-data``: the SM4 keys and the retention job from the command line
(docs/rules/privacy.md §P3, §P5)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "personal-data", help="personal data: key status, rotation, resealing, retention"
    )
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("status", help="the current key, values per key, cases due for retention")
    actions.add_parser("rotate", help="a new SM4 key seals from now on; reseal everything under it")
    actions.add_parser("reseal", help="reseal every value not under the newest key")
    actions.add_parser("retention", help="anonymise the closed cases past their retention period")
    parser.set_defaults(func=personal_data_command)


def personal_data_command(args: argparse.Namespace) -> int:
    from onewindow.core.commands import setup_django

    setup_django()
    from onewindow.core import personal_data
    from onewindow.privacy import services

    if args.action == "rotate":
        key_id, resealed = services.key_rotate()
        print(f"新密钥 {key_id} 已启用，重新加密 {resealed} 项 (key rotated, values resealed).")
    elif args.action == "reseal":
        print(f"重新加密 {personal_data.reseal_all()} 项 (values resealed).")
    elif args.action == "retention":
        print(f"匿名化到期办件 {services.retention_run()} 件 (cases anonymised).")
    else:
        status = services.status()
        print(f"当前密钥 (current key): {status.current}")
        for key_id, count in sorted(status.usage.items()):
            print(f"  {key_id or '未加密 (not sealed)'}: {count}")
        print(f"到期待匿名化 (due): {status.due}；已匿名化 (anonymised): {status.anonymised}")
    return 0
