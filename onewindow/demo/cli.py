"""``onewindow demo``: load the demo data into an empty database, or wipe and reload it.

Parsed before Django is set up, so this module imports no models: the loader
(``demo.catalog``) is imported once ``setup_django`` has run, as every sub-command does.
"""

from __future__ import annotations

import argparse
import base64
import sys
import time
from typing import Any

from django_otp.oath import hotp

from onewindow.core.commands import setup_django
from onewindow.demo import DEFAULT_COUNT, MAX_CASES
from onewindow.demo.personas import DEMO_TOTP_SECRET


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "demo",
        help="load the demo data (catalog, users and a year of generated cases) into an empty "
        "database (--reset: wipe the demo data and reload)",
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="delete all cases (with their tasks, decisions, certificates, cards, letters and "
        "files), the catalog and the demo users first, then load the demo data again",
    )
    cases = parser.add_mutually_exclusive_group()
    cases.add_argument(
        "--cases",
        type=_case_count,
        default=DEFAULT_COUNT,
        metavar="N",
        help=f"generate N cases over the year ending today (default {DEFAULT_COUNT})",
    )
    cases.add_argument(
        "--no-cases",
        dest="cases",
        action="store_const",
        const=0,
        help="load the catalog and the demo users only, without generated cases",
    )
    parser.add_argument(
        "--code",
        action="store_true",
        help="print the current one-time code of the demo staff accounts' second factor "
        "(docs/decisions.md §S6) and exit",
    )
    parser.set_defaults(func=demo_command)


def _case_count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"办件数须为整数：{value!r}") from None
    if not 0 <= number <= MAX_CASES:
        raise argparse.ArgumentTypeError(f"办件数须在 0 至 {MAX_CASES} 之间。")
    return number


def demo_code() -> str:
    """The code an authenticator with the demo secret shows now (RFC 6238: 30 s, 6 digits)."""
    counter = int(time.time()) // 30
    return f"{hotp(base64.b32decode(DEMO_TOTP_SECRET), counter, digits=6):06d}"


def demo_command(args: argparse.Namespace) -> int:
    if args.code:
        print(demo_code())
        return 0
    setup_django()  # migrates a fresh database first
    from django.db.models import ProtectedError

    from onewindow.demo.catalog import (
        demo_data_present,
        demo_reset,
        load_demo,
        present_message,
        print_logins,
    )

    present = demo_data_present()
    if present and not args.reset:
        print(
            present_message(present)
            + "如需删除这些目录数据和演示用户并重新加载，请运行：onewindow demo --reset",
            file=sys.stderr,
        )
        return 1
    started = time.monotonic()
    try:
        if args.reset:
            demo_reset()
        generated = load_demo(progress=True, cases=args.cases)
    except ProtectedError:
        print(
            "无法重置演示数据：其他数据（如非演示用户或办件）仍引用这些部门、窗口或事项。",
            file=sys.stderr,
        )
        return 1
    print(f"演示数据已加载，用时 {time.monotonic() - started:.1f} 秒。")
    if generated is not None:
        print(
            f"已生成近一年的办件 {generated.cases} 件、监察牌 {generated.cards} 张、"
            f"督办函 {generated.letters} 份。"
        )
    print_logins()
    return 0
