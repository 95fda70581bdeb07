"""A small HTML reader for accessibility and no-CDN checks on rendered pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}
EXTERNAL = re.compile(r"""(?:https?:)?//(?!testserver[/:"'])[\w.-]+""", re.IGNORECASE)


@dataclass
class PageFacts:
    html_lang: str = ""
    h1_count: int = 0
    landmarks: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    label_for: set[str] = field(default_factory=set)
    controls: list[tuple[str, str]] = field(default_factory=list)  # (tag, id) needing a label
    th_without_scope: int = 0
    stylesheets: list[tuple[str, str]] = field(default_factory=list)  # (href, media)
    scripts: list[str] = field(default_factory=list)
    external_urls: list[str] = field(default_factory=list)
    # <ul>/<ol> carrying a role: it loses its list semantics and its <li>s are orphans (axe
    # "list" / "listitem", serious)
    lists_with_role: list[str] = field(default_factory=list)

    @property
    def unlabelled(self) -> list[tuple[str, str]]:
        return [(tag, id_) for tag, id_ in self.controls if not id_ or id_ not in self.label_for]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.facts = PageFacts()
        self._in_label_without_for = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        f = self.facts
        if "id" in a:
            f.ids.add(a["id"])
        for name in ("href", "src", "action"):
            if name in a and EXTERNAL.match(a[name]):
                f.external_urls.append(a[name])
        if tag == "html":
            f.html_lang = a.get("lang", "")
        elif tag == "h1":
            f.h1_count += 1
        elif tag in {"header", "nav", "main", "footer"}:
            f.landmarks.add(tag)
        elif tag == "label":
            if a.get("for"):
                f.label_for.add(a["for"])
            else:
                self._in_label_without_for += 1
        elif tag in {"input", "select", "textarea"}:
            if tag == "input" and a.get("type", "text") in UNLABELLED_TYPES:
                return
            if not (self._in_label_without_for or a.get("aria-label")):
                f.controls.append((tag, a.get("id", "")))
        elif tag in {"ul", "ol"} and a.get("role"):
            f.lists_with_role.append(f"<{tag} role={a['role']}>")
        elif tag == "th" and "scope" not in a:
            f.th_without_scope += 1
        elif tag == "link" and a.get("rel") == "stylesheet":
            f.stylesheets.append((a.get("href", ""), a.get("media", "")))
        elif tag == "script" and a.get("src"):
            f.scripts.append(a["src"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._in_label_without_for:
            self._in_label_without_for -= 1


def read(html: str | bytes) -> PageFacts:
    reader = _Reader()
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    return reader.facts
