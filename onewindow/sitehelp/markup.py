"""Plain text with a few line marks turned into safe HTML (docs/rules/publicity.md §L1).

Announcements and help pages are written as plain text, never as HTML: every character the
author typed is escaped, so ``<script>`` shows as text. Blank lines separate blocks; a block
whose first line starts with ``## `` is a sub-heading, lines starting with ``- `` are a list,
lines starting with ``1. `` (any number) are numbered steps, anything else a paragraph whose
line breaks are kept.
"""

from __future__ import annotations

import re

from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

_STEP = re.compile(r"^\d{1,3}[.．、]\s*")


def render_plain_text(text: str, *, heading_level: int = 2) -> SafeString:
    """The HTML of ``text``: escaped, in headings, lists and paragraphs."""
    blocks = [b for b in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")) if b.strip()]
    parts: list[str] = []
    for block in blocks:
        lines = [line.strip() for line in block.strip().split("\n") if line.strip()]
        if lines[0].startswith("## "):
            parts.append(format_html("<h{0}>{1}</h{0}>", heading_level, lines[0][3:].strip()))
            lines = lines[1:]
            if not lines:
                continue
        if all(line.startswith("- ") for line in lines):
            items = format_html_join("", "<li>{}</li>", ((line[2:].strip(),) for line in lines))
            parts.append(format_html("<ul>{}</ul>", items))
        elif all(_STEP.match(line) for line in lines):
            items = format_html_join("", "<li>{}</li>", ((_STEP.sub("", line),) for line in lines))
            parts.append(format_html("<ol>{}</ol>", items))
        else:
            joined = mark_safe(
                "<br>".join(str(conditional_escape(line)) for line in lines)
            )  # each line escaped
            parts.append(format_html("<p>{}</p>", joined))
    return mark_safe("\n".join(parts))  # built only from format_html pieces
