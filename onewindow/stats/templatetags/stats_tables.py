"""The body of a statistics table, written in Python: a year's table by item is thousands of
cells, and the template language's loop, ``forloop.first`` test and filter per cell made the
public statistics page spend four fifths of its time rendering them. The output is the loop's:
each cell localized and escaped as ``{{ cell|default_if_none:"—" }}`` would, the first of each
row a row header."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django import template
from django.conf import settings
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

EMPTY = "—"


class _Cells:
    """Each distinct cell's text, made once per table (localizing asks the active language's
    formats for every number: most of the cost once the loop was gone)."""

    def __init__(self) -> None:
        self.plain_ints = not settings.USE_THOUSAND_SEPARATOR
        self.seen: dict[tuple[type, str], str] = {}

    def text(self, value: object) -> str:
        if value is None:
            return EMPTY
        if self.plain_ints and type(value) is int:
            return str(value)  # what number_format gives an int without grouping
        key = (type(value), str(value))  # Decimal("1.0") and Decimal("1.00") apart
        text = self.seen.get(key)
        if text is None:
            text = self.seen[key] = str(conditional_escape(str(localize(value))))
        return text


@register.filter
def table_body(rows: Iterable[Sequence[object]]) -> SafeString:
    """The ``<tr>`` rows of ``rows`` (lists of cells) for a ``<tbody>``."""
    cells = _Cells()
    out = []
    for row in rows:
        texts = [
            f'<th scope="row">{cells.text(cell)}</th>' if n == 0 else f"<td>{cells.text(cell)}</td>"
            for n, cell in enumerate(row)
        ]
        out.append("<tr>" + "".join(texts) + "</tr>")
    return mark_safe("".join(out))
