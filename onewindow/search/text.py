"""Query text: normalisation, stop-words, word segmentation (jieba) and pinyin
(docs/rules/search.md §N1, docs/rules/search.md §N3).

Pure functions apart from the segmenter, which loads jieba's dictionary once, lazily, under a
lock, with its log quiet and its cache file in a directory the caller names.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import jieba
from pypinyin import lazy_pinyin

# docs/rules/search.md §N1: longer input is cut to this many characters before anything else.
MAX_QUERY_CHARS = 100
# At most this many whitespace-separated words are read; the rest of the query is ignored.
MAX_WORDS = 8

# docs/rules/search.md §N1: words that say what the citizen wants to do, not what they want done.
STOP_WORDS = frozenset(
    [
        "办",
        "办理",
        "办个",
        "办张",
        "办一个",
        "申请",
        "申办",
        "申领",
        "怎么",
        "如何",
        "怎样",
        "怎么办",
        "怎么样",
        "怎么弄",
        "我要",
        "我想",
        "我",
        "想",
        "要",
        "想要",
        "想开",
        "需要",
        "去",
        "在",
        "哪里",
        "哪儿",
        "哪",
        "的",
        "了",
        "吗",
        "呢",
        "啊",
        "吧",
        "个",
        "一个",
        "一下",
        "开",
        "开个",
        "请问",
        "可以",
        "能",
        "能不能",
        "应该",
        "到",
        "找",
        "给",
        "帮",
        "帮我",
        "什么",
        "手续",
        "流程",
        "材料",
        "办法",
        "事项",
        "业务",
        "咨询",
        "查询",
        "指南",
        "办事",
        "网上",
        "在线",
    ]
)

_KEPT_CATEGORIES = ("L", "N")  # letters (incl. Chinese characters) and digits; the rest is dropped


def normalise(text: str) -> str:
    """Full-width → half-width (NFKC), lower case, and only letters, Chinese characters and
    digits kept: punctuation, symbols, emoji and whitespace are dropped."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in _KEPT_CATEGORIES)


def query_words(raw: str) -> tuple[list[str], bool]:
    """The query's words (split on whitespace, each normalised, empty ones dropped) and whether
    the query was cut to ``MAX_QUERY_CHARS``. A query of letters only is one word (pinyin is
    typed with or without spaces)."""
    text = unicodedata.normalize("NFKC", raw or "")
    truncated = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]
    words = [w for w in (normalise(part) for part in text.split()) if w]
    if len(words) > 1 and all(w.isascii() and w.isalpha() for w in words):
        words = ["".join(words)]
    return words[:MAX_WORDS], truncated


def is_pinyin(text: str) -> bool:
    return text.isascii() and text.isalpha()


def pinyin_forms(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of a normalised text: 营业执照 → ("yingyezhizhao", "yyzz").
    Letters and digits in the text stay as they are."""
    # Letters and digits come back one character a syllable (pypinyin accepts a list here).
    syllables = lazy_pinyin(text, errors=cast(Any, _each_character))
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s)
    return full, initials


def _each_character(chars: str) -> list[str]:
    return list(chars)


class Segmenter:
    """jieba, initialised on first use (about a second; its dictionary cache is kept in
    ``cache_dir``), with the catalog's names and aliases as user words."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokenizer: Any = None
        self._words: set[str] = set()

    def _ready(self, cache_dir: Path | None) -> Any:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    jieba.setLogLevel(logging.WARNING)
                    tokenizer = jieba.Tokenizer()
                    if cache_dir is not None:
                        cache_dir.mkdir(parents=True, exist_ok=True)
                        tokenizer.tmp_dir = str(cache_dir)
                    tokenizer.initialize()
                    self._tokenizer = tokenizer
        return self._tokenizer

    def add_words(self, words: Iterable[str], cache_dir: Path | None = None) -> None:
        """Teach jieba the catalog's own words, so 营业执照 or 开饭店 stay one token."""
        tokenizer = self._ready(cache_dir)
        with self._lock:
            for word in words:
                if len(word) >= 2 and word not in self._words:
                    tokenizer.add_word(word, freq=20000)
                    self._words.add(word)

    def cut(self, text: str, cache_dir: Path | None = None) -> list[str]:
        """Precise mode: 办理食品经营许可证 → 办理 / 食品经营许可 / 证."""
        return [t for t in self._ready(cache_dir).cut(text, HMM=False) if t]

    def cut_for_search(self, text: str, cache_dir: Path | None = None) -> list[str]:
        """Search mode: the precise tokens and the shorter words inside them."""
        return [t for t in self._ready(cache_dir).cut_for_search(text, HMM=False) if t]

    @property
    def loaded(self) -> bool:
        return self._tokenizer is not None


SEGMENTER = Segmenter()
