"""``onewindow calendar ...`` (placeholder until the calendar lands)."""

from __future__ import annotations

from typing import Any


def add_parser(sub: Any) -> None:
    sub.add_parser("calendar", help="working-day calendar")
