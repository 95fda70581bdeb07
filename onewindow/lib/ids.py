"""Row ids from URLs and query strings, bounded to what a 64-bit primary key can hold.

An id of 19 or more digits can name no row, and SQLite cannot even bind it (``OverflowError``),
so such a path does not match at all (404) and such a query value is treated as invalid.
"""

from __future__ import annotations

MAX_DIGITS = 18  # 10**18 - 1 < 2**63 - 1: every value fits a BigAutoField
ID_SCHEMA = {"type": "integer", "minimum": 0, "maximum": 10**MAX_DIGITS - 1}


class IdConverter:
    """``<id:case_id>``: like ``<int:…>``, but at most 18 digits."""

    regex = f"[0-9]{{1,{MAX_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def parse_id(raw: str) -> int | None:
    """A query-string id: ASCII digits only (``"²".isdigit()`` is true, ``int("²")`` fails) and
    no longer than a primary key can be; None for anything else."""
    raw = raw.strip()
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw.lstrip("0")) > MAX_DIGITS:
        return None
    return int(raw)
