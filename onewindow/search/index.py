"""The search index (docs/rules/search.md §N7): every published item with its name, aliases,
keywords and their pinyin, plus the synonyms, kept in memory per process.

The index is rebuilt when the stored ``IndexStamp`` token differs from the one it was built at:
one cheap query per search. Every save or delete of an item, version, department, alias or
synonym sets a new token (search.signals), so a publish, a new alias or an edited synonym is
seen by the next search in every process.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from onewindow.catalog.models import ItemVersion, VersionStatus
from onewindow.search.models import AliasKind, IndexStamp, ItemAlias, Synonym
from onewindow.search.text import SEGMENTER, normalise, pinyin_forms


@dataclass(frozen=True)
class Entry:
    """One published item as the matcher sees it (normalised texts)."""

    item_id: int
    version_id: int
    code: str
    code_norm: str
    sort: int
    name: str  # as published, for display
    name_norm: str
    department: str  # normalised, for matching
    department_name: str  # as recorded, for display
    aliases: tuple[str, ...]
    keywords: tuple[str, ...]
    # (full pinyin, initials) of the name and of each alias.
    pinyin: tuple[tuple[str, str], ...]

    @property
    def order_key(self) -> tuple[int, str]:
        return (self.sort, self.code)


@dataclass(frozen=True)
class SynonymEntry:
    term: str
    expansions: tuple[str, ...]
    item_ids: frozenset[int]


@dataclass
class Index:
    token: str
    entries: list[Entry]
    synonyms: list[SynonymEntry]
    # Every name and alias, for the fuzzy matcher, and the entry each belongs to.
    choices: list[str] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)
    _df: dict[str, int] = field(default_factory=dict)
    _blobs: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for position, entry in enumerate(self.entries):
            for text in (entry.name_norm, *entry.aliases):
                self.choices.append(text)
                self.owners.append(position)
            self._blobs.append(
                "|".join((entry.name_norm, *entry.aliases, *entry.keywords, entry.department))
            )

    def idf(self, term: str) -> float:
        """log(1 + N / (1 + items whose texts contain the term)): rare terms weigh more."""
        if term not in self._df:
            self._df[term] = sum(1 for blob in self._blobs if term in blob)
        return math.log(1 + len(self.entries) / (1 + self._df[term]))

    @property
    def max_idf(self) -> float:
        return math.log(1 + len(self.entries)) if self.entries else 1.0


def stamp_token() -> str:
    return IndexStamp.objects.values_list("token", flat=True).first() or ""


def index_build(token: str) -> Index:
    """Read the published catalog, aliases and synonyms (four queries) into an ``Index``."""
    versions = ItemVersion.objects.filter(status=VersionStatus.PUBLISHED).values_list(
        "pk", "item_id", "item__code", "item__sort", "name", "item__department__name"
    )
    aliases: dict[int, list[str]] = defaultdict(list)
    keywords: dict[int, list[str]] = defaultdict(list)
    for item_id, text, kind in ItemAlias.objects.values_list("item_id", "text", "kind"):
        target = keywords if kind == AliasKind.KEYWORD else aliases
        if norm := normalise(text):
            target[item_id].append(norm)
    entries = []
    for version_id, item_id, code, sort, name, department in versions:
        name_norm = normalise(name)
        item_aliases = tuple(dict.fromkeys(aliases[item_id]))
        entries.append(
            Entry(
                item_id=item_id,
                version_id=version_id,
                code=code,
                code_norm=normalise(code),
                sort=sort,
                name=name,
                name_norm=name_norm,
                department=normalise(department),
                department_name=department,
                aliases=item_aliases,
                keywords=tuple(dict.fromkeys(keywords[item_id])),
                pinyin=tuple(pinyin_forms(text) for text in (name_norm, *item_aliases)),
            )
        )
    entries.sort(key=lambda e: e.order_key)
    synonyms = []
    for synonym in Synonym.objects.filter(is_active=True).prefetch_related("items"):
        term = normalise(synonym.term)
        if not term:
            continue
        expansions = tuple(e for e in (normalise(t) for t in synonym.expansion_list()) if e)
        item_ids = frozenset(item.pk for item in synonym.items.all())
        synonyms.append(SynonymEntry(term, expansions, item_ids))
    index = Index(token=token, entries=entries, synonyms=synonyms)
    words = [*index.choices, *(k for e in entries for k in e.keywords)]
    words += [s.term for s in synonyms] + [x for s in synonyms for x in s.expansions]
    SEGMENTER.add_words(words, cache_dir())
    return index


def cache_dir() -> Path:
    """Where jieba keeps its dictionary cache (one file of about 9 MB)."""
    return Path(settings.DATA_DIR) / "cache" / "jieba"


_LOCK = threading.Lock()
_CURRENT: Index | None = None


def current_index() -> Index:
    """The index for the stored token: the one in memory, or a new one (built once per change,
    by one thread; the others wait for it)."""
    global _CURRENT
    token = stamp_token()
    index = _CURRENT
    if index is not None and index.token == token:
        return index
    with _LOCK:
        index = _CURRENT
        if index is None or index.token != token:
            index = index_build(token)
            _CURRENT = index
    return index


def search_warm() -> None:
    """Load jieba's dictionary and build the index now rather than on the first search
    (``onewindow run`` calls it before the web workers start, so they inherit both)."""
    current_index()


def index_forget() -> None:
    """Drop the index in memory (tests; the next search rebuilds it)."""
    global _CURRENT
    _CURRENT = None
