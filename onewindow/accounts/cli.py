"""``onewindow unlock``: lift a sign-in lockout (docs/decisions.md §S1) before its cool-off ends."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "unlock", help="lift a sign-in lockout of an account (any of its login names) or an address"
    )
    parser.add_argument("--username", help="login name: username, ID number, credit code or phone")
    parser.add_argument("--ip", help="client address")
    parser.set_defaults(func=unlock_command)


def unlock_command(args: argparse.Namespace) -> int:
    if not args.username and not args.ip:
        print("参数错误 （invalid arguments）：请指定 --username 或 --ip")
        raise SystemExit(2)
    from onewindow.core.commands import setup_django

    setup_django()
    from onewindow.accounts.lockout import lockout_lift

    removed = lockout_lift(username=args.username or "", ip=args.ip or "")
    target = "；".join(
        part
        for part in (
            f"账号 {args.username}" if args.username else "",
            f"地址 {args.ip}" if args.ip else "",
        )
        if part
    )
    print(f"已解除登录锁定（{target}），删除失败记录 {removed} 条 (attempt records removed).")
    return 0
