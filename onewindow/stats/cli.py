"""``onewindow stats rebuild``: recount every statistics rollup from the cases, set-based
(docs/rules/statistics.md §M3), e.g. after a calendar change or a bulk load without events."""

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
