"""``onewindow stats rebuild``: recount every statistics rollup from the cases, set-based
(docs/rules/statistics.md §M3), e.g. after a calendar change or a bulk load without events.
``onewindow integrity``: the cross-table checks of ``onewindow.stats.integrity``."""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("stats", help="statistics rollups: rebuild them from the cases")
    parser.add_argument("action", choices=["rebuild"], help="rebuild: full set-based recount")
    parser.set_defaults(func=stats_command)


def stats_command(args: argparse.Namespace) -> int:
    from onewindow.core.commands import setup_django

    setup_django()
    from onewindow.stats.services import rebuild

    print(json.dumps(rebuild(), ensure_ascii=False))
    return 0


def add_integrity_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "integrity",
        help="check the data for duplicates and half-written cases (exit 1 on any finding)",
    )
    parser.set_defaults(func=integrity_command)


def integrity_command(args: argparse.Namespace) -> int:
    """Print each finding in Chinese; exit 1 when there is any (``onewindow.stats.integrity``)."""
    from onewindow.core.commands import setup_django

    setup_django()
    from onewindow.stats.integrity import CHECKS, integrity_check

    findings = integrity_check()
    for finding in findings:
        print(f"✗ {finding}")
    if findings:
        print(f"数据完整性检查：发现 {len(findings)} 类问题。")
        return 1
    print(f"数据完整性检查：{len(CHECKS)} 项检查全部通过。")
    return 0
