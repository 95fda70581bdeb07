"""The demo catalog's aliases and keywords for the guide search (data/search_aliases.toml).

The general synonyms (护照, 开饭店, 营业执照…) are not the demo's: the search app's data
migration provides them to every installation. Aliases hang off items, so the catalog's own
delete in ``demo_reset`` removes them.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from onewindow.catalog.models import Item
from onewindow.search.services import aliases_set

DATA = Path(__file__).resolve().parent / "data" / "search_aliases.toml"


def load(today: dt.date) -> None:
    """Give every demo item its everyday names and keywords (``today`` is unused: the data
    does not depend on the date)."""
    with DATA.open("rb") as handle:
        entries = tomllib.load(handle)["items"]
    items = Item.objects.in_bulk(list(entries), field_name="code")
    missing = sorted(set(entries) - set(items))
    if missing:
        raise ValueError(f"search_aliases.toml names unknown items: {missing}")
    for code, entry in entries.items():
        aliases_set(
            item=items[code], aliases=entry.get("alias", ()), keywords=entry.get("keyword", ())
        )
