"""``onewindow supervise``: one supervision sweep, for deployments with several machines (cron)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "supervise", help="run one electronic-supervision sweep (issue due cards) and print counts"
    )
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD")
    parser.add_argument("--batch", type=int, default=200, help="cards per write transaction")
    parser.set_defaults(func=supervise_command)


def supervise_command(args: argparse.Namespace) -> int:
    from onewindow.core.commands import setup_django

    setup_django()
    from onewindow.supervision.services.sweep import supervision_sweep, sweep_summary

    if args.batch < 1:
        print("参数错误 (invalid arguments): --batch 必须为正整数")
        return 2
    result = supervision_sweep(today=args.today, batch=args.batch)
    print(json.dumps(sweep_summary(result), ensure_ascii=False))
    return 0
