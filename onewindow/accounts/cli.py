"""``onewindow unlock``: lift a sign-in lockout (docs/decisions.md §S1) before its cool-off ends.
``onewindow create-admin``: make one of the three administrators on a new installation
(docs/decisions.md §S9); afterwards the security administrator assigns roles on their console."""

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
    create = sub.add_parser(
        "create-admin",
        help="create the system, security or audit administrator (三员分立); the password is "
        "asked for twice, or read from ONEWINDOW_NEW_PASSWORD",
    )
    create.add_argument("username")
    create.add_argument(
        "--role", required=True, choices=["admin", "security_admin", "auditor"], help="which one"
    )
    create.add_argument("--full-name", default="", help="the person's name")
    create.set_defaults(func=create_admin_command)


def create_admin_command(args: argparse.Namespace) -> int:
    import getpass
    import os

    password = os.environ.get("ONEWINDOW_NEW_PASSWORD", "")
    if not password:
        password = getpass.getpass("密码 (password): ")
        if getpass.getpass("再次输入密码 (again): ") != password:
            print("两次输入的密码不一致 (the passwords differ).")
            return 1
    from onewindow.core.commands import setup_django

    setup_django()
    from django.core.exceptions import ValidationError

    from onewindow.accounts import services
    from onewindow.accounts.roles import Role

    try:
        user = services.user_create(
            username=args.username,
            password=password,
            role=Role(args.role),
            full_name=args.full_name,
        )
    except ValidationError as exc:
        for message in exc.messages:
            print(f"错误 (error): {message}")
        return 1
    print(
        f"已创建{Role(args.role).label} {user.username}；首次登录时须绑定动态口令 "
        "(created; the second factor is enrolled at the first sign-in)."
    )
    return 0


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
