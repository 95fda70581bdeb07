"""Matching and ranking (docs/rules/search.md §N2 to docs/rules/search.md §N6), pure over an ``Index``.

A query is read as words (whitespace-separated); every word must match an item for the item to
be found. A word is cleaned of stop-words, segmented with jieba, expanded by synonyms and matched
against names, aliases, keywords, department names, codes, pinyin and, tolerating one wrong
character, names and aliases.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from onewindow.search.index import Entry, Index
from onewindow.search.text import SEGMENTER, STOP_WORDS, is_pinyin, query_words

# Signal strengths (docs/rules/search.md §N5): exact name > alias > keyword > synonym > pinyin >
# fuzzy; a match inside a longer text scores by how much of it the query covers.
EXACT_NAME = 100.0
NAME_PART = 60.0  # + up to 30 by coverage
EXACT_ALIAS = 85.0
ALIAS_PART = 45.0  # + up to 25
EXACT_KEYWORD = 62.0
KEYWORD_PART = 35.0  # + up to 15
SYNONYM_ITEM = 55.0
SYNONYM_SHARE = 0.55  # a synonym's expansion scores this share of a direct match, capped:
SYNONYM_CAP = 55.0
CODE_EXACT = 100.0
CODE_PART = 50.0
PINYIN_EXACT = 45.0
PINYIN_PART = 30.0  # + up to 10
DEPARTMENT_PART = 20.0
FUZZY = 20.0  # + up to 10
# Terms found by segmentation add this share (at most) of their own score to the word's.
TERM_SHARE = 0.4
# docs/rules/search.md §N5: results scoring under this share of the best one are left out.
RELATIVE_CUTOFF = 0.25
# docs/rules/search.md §N5: usage adds USAGE_WEIGHT × ln(1 + applications).
USAGE_WEIGHT = 3.0
# docs/rules/search.md §N4 and docs/rules/search.md §N8: suggestions need at least this fuzzy score.
SUGGESTION_FLOOR = 40.0


def fuzzy_threshold(length: int) -> float:
    """The partial-ratio score one wrong, missing or extra character leaves a text of
    ``length`` characters (docs/rules/search.md §N4): 100 × (1 − 1 / (2n − 1))."""
    return 100.0 * (1 - 1 / (2 * length - 1)) - 0.01


@dataclass
class Word:
    core: str  # the word without its stop-words, e.g. 食品经营许可证
    terms: list[str]  # the segmented terms of the core (≥ 2 characters), core excluded
    expansions: list[str]  # synonym expansions of the core
    synonym_items: frozenset[int]


@dataclass
class Analysis:
    words: list[Word]
    truncated: bool
    normalised: str  # the words as read, for display

    @property
    def empty(self) -> bool:
        return not self.words


@dataclass
class Hit:
    entry: Entry
    relevance: float
    score: float
    how: str  # the strongest signal, e.g. "name", "alias", "pinyin", "fuzzy"


@dataclass
class Outcome:
    analysis: Analysis
    hits: list[Hit] = field(default_factory=list)


def analyse(raw: str, index: Index, cache_dir: Path | None = None) -> Analysis:
    words, truncated = query_words(raw)
    analysed = []
    for word in words:
        tokens = [word] if word.isascii() else SEGMENTER.cut(word, cache_dir)
        core = "".join(t for t in tokens if t not in STOP_WORDS)
        if not core:
            continue
        terms: list[str] = []
        if not core.isascii():
            for term in SEGMENTER.cut_for_search(core, cache_dir):
                if len(term) >= 2 and term != core and term not in STOP_WORDS:
                    terms.append(term)
        expansions: list[str] = []
        synonym_items: set[int] = set()
        for synonym in index.synonyms:
            if synonym.term == core or (len(synonym.term) >= 2 and synonym.term in core):
                expansions.extend(synonym.expansions)
                synonym_items |= synonym.item_ids
        analysed.append(
            Word(
                core,
                list(dict.fromkeys(terms)),
                list(dict.fromkeys(expansions)),
                frozenset(synonym_items),
            )
        )
    return Analysis(analysed, truncated, " ".join(words))


def _part(needle: str, hay: str, base: float, spread: float) -> float:
    """``needle`` inside ``hay`` (or ``hay`` inside ``needle``): base + spread × coverage."""
    if needle in hay:
        return base + spread * len(needle) / len(hay)
    if len(hay) >= 2 and hay in needle:
        return base + spread * len(hay) / len(needle)
    return 0.0


def direct(unit: str, entry: Entry) -> tuple[float, str]:
    """The best score of ``unit`` against the entry's own texts, and which text gave it."""
    best, how = 0.0, ""

    def take(score: float, label: str) -> None:
        nonlocal best, how
        if score > best:
            best, how = score, label

    if unit == entry.name_norm:
        take(EXACT_NAME, "name")
    else:
        take(_part(unit, entry.name_norm, NAME_PART, 30.0), "name")
    for alias in entry.aliases:
        take(EXACT_ALIAS if unit == alias else _part(unit, alias, ALIAS_PART, 25.0), "alias")
    for keyword in entry.keywords:
        score = EXACT_KEYWORD if unit == keyword else _part(unit, keyword, KEYWORD_PART, 15.0)
        take(score, "keyword")
    if len(unit) >= 2 and unit in entry.department:
        take(DEPARTMENT_PART, "department")
    if unit == entry.code_norm:
        take(CODE_EXACT, "code")
    elif unit.isascii() and len(unit) >= 3 and unit in entry.code_norm:
        take(CODE_PART, "code")
    if is_pinyin(unit):
        take(_pinyin(unit, entry), "pinyin")
    return best, how


def _pinyin(unit: str, entry: Entry) -> float:
    best = 0.0
    for full, initials in entry.pinyin:
        if unit in (full, initials):
            return PINYIN_EXACT
        if len(unit) >= 3 and unit in full:
            best = max(best, PINYIN_PART + 10.0 * len(unit) / len(full))
        if len(unit) >= 2 and unit in initials:
            best = max(best, PINYIN_PART - 2 + 10.0 * len(unit) / len(initials))
    return best


def _fuzzy(unit: str, index: Index) -> dict[int, float]:
    """Entries a name or alias of which is ``unit`` with one character wrong (docs/rules/search.md §N4)."""
    if len(unit) < 3 or unit.isascii():
        return {}
    threshold = fuzzy_threshold(len(unit))
    found: dict[int, float] = {}
    for _text, score, position in process.extract(
        unit, index.choices, scorer=fuzz.partial_ratio, score_cutoff=threshold, limit=None
    ):
        owner = index.owners[position]
        value = FUZZY + 10.0 * (score - threshold) / (100.0 - threshold)
        found[owner] = max(found.get(owner, 0.0), value)
    return found


def word_scores(word: Word, index: Index) -> dict[int, tuple[float, str]]:
    """Relevance of every entry the word matches (entry position → (score, signal))."""
    fuzzy = _fuzzy(word.core, index)
    weights = {t: TERM_SHARE * min(1.0, index.idf(t) / index.max_idf) for t in word.terms}
    scores: dict[int, tuple[float, str]] = {}
    for position, entry in enumerate(index.entries):
        best, how = direct(word.core, entry)
        if entry.item_id in word.synonym_items and best < SYNONYM_ITEM:
            best, how = SYNONYM_ITEM, "synonym"
        for expansion in word.expansions:
            score = min(SYNONYM_CAP, SYNONYM_SHARE * direct(expansion, entry)[0])
            if score > best:
                best, how = score, "synonym"
        if position in fuzzy and fuzzy[position] > best:
            best, how = fuzzy[position], "fuzzy"
        extra = 0.0
        for term, weight in weights.items():
            score = direct(term, entry)[0]
            if score:
                extra += weight * score
                if not best:
                    how = "term"
        total = best + extra
        if total > 0:
            scores[position] = (total, how)
    return scores


def rank(
    analysis: Analysis,
    index: Index,
    usage_for: Callable[[list[int]], dict[int, int]],
    allowed: Collection[int] | None = None,
) -> list[Hit]:
    """Items every word matches, best first (docs/rules/search.md §N5): relevance plus USAGE_WEIGHT × ln(1 + usage),
    ties by the catalog's order (sort, code). ``usage_for`` reads the usage of the matched
    items; ``allowed`` (item ids), when given, keeps only those items (the page's filters)."""
    if analysis.empty:
        return []
    combined: dict[int, tuple[float, str]] | None = None
    for word in analysis.words:
        scores = word_scores(word, index)
        if combined is None:
            combined = scores
        else:
            combined = {
                p: (combined[p][0] + s, combined[p][1])
                for p, (s, _h) in scores.items()
                if p in combined
            }
    if combined and allowed is not None:
        combined = {p: v for p, v in combined.items() if index.entries[p].item_id in allowed}
    if not combined:
        return []
    top = max(score for score, _how in combined.values())
    kept = {p: v for p, v in combined.items() if v[0] >= RELATIVE_CUTOFF * top}
    usage = usage_for([index.entries[p].item_id for p in kept])
    hits = []
    for position, (relevance, how) in kept.items():
        entry = index.entries[position]
        score = relevance + USAGE_WEIGHT * math.log1p(usage.get(entry.item_id, 0))
        hits.append(Hit(entry, relevance, score, how))
    hits.sort(key=lambda h: (-round(h.score, 6), *h.entry.order_key))
    return hits


def nearest(analysis: Analysis, index: Index, limit: int = 5) -> list[Entry]:
    """The entries closest to what was typed, for a page that found nothing (docs/rules/search.md §N8): the best
    fuzzy scores of names and aliases (pinyin for letters), at least SUGGESTION_FLOOR."""
    text = "".join(w.core for w in analysis.words)
    if not text:
        return []
    best: dict[int, float] = {}
    for choice_scores in _suggestion_scores(text, index):
        for position, score in choice_scores:
            if score >= SUGGESTION_FLOOR:
                best[position] = max(best.get(position, 0.0), score)
    ordered = sorted(best, key=lambda p: (-best[p], *index.entries[p].order_key))
    return [index.entries[p] for p in ordered[:limit]]


def _suggestion_scores(text: str, index: Index) -> Iterable[list[tuple[int, float]]]:
    if is_pinyin(text):
        fulls = [full for entry in index.entries for full, _i in entry.pinyin]
        owners = [p for p, entry in enumerate(index.entries) for _pair in entry.pinyin]
        yield [
            (owners[i], score)
            for _t, score, i in process.extract(text, fulls, scorer=fuzz.partial_ratio, limit=20)
        ]
        return
    yield [
        (index.owners[i], score)
        for _t, score, i in process.extract(text, index.choices, scorer=fuzz.ratio, limit=20)
    ]
    yield [
        (index.owners[i], score * 0.8)
        for _t, score, i in process.extract(
            text, index.choices, scorer=fuzz.partial_ratio, limit=20
        )
    ]
