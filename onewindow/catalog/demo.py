"""``onewindow demo``: load or reset the demo data (placeholder until the demo loader lands)."""

from __future__ import annotations

from typing import Any


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("demo", help="load or reset the demo data")
    parser.set_defaults(func=lambda args: 0)


def load_demo(*, progress: bool = False) -> None:
    raise NotImplementedError


def print_logins() -> None:
    pass
