"""The statistics table body written in Python (stats_tables.table_body) gives what the
template loop it replaced gave, cell for cell, in both languages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from onewindow.stats.templatetags.stats_tables import table_body

LOOP = Template(
    "{% for row in rows %}<tr>{% for cell in row %}{% if forloop.first %}"
    '<th scope="row">{{ cell|default_if_none:"—" }}</th>{% else %}'
    '<td>{{ cell|default_if_none:"—" }}</td>{% endif %}{% endfor %}</tr>{% endfor %}'
)

ROWS: list[list[object]] = [
    ["鄂州市市场监督管理局", 12345, Decimal("98.5"), None, "100.0%"],
    ["<script>alert(1)</script> & 住建", -7, Decimal("0.333"), 0, None],
    [None, 1_000_000, Decimal("-2"), "—", "a \"quoted\" 'name'"],
    ["重复", Decimal("1.0"), Decimal("1.00"), 1, "1", True],
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_same_html_as_the_template_loop(language: str) -> None:
    with translation.override(language):
        assert table_body(ROWS) == LOOP.render(Context({"rows": ROWS}))


def test_grouped_thousands_also_the_same(settings: object) -> None:
    settings.USE_THOUSAND_SEPARATOR = True  # type: ignore[attr-defined]
    with translation.override("en"):
        assert "1,000,000" in table_body(ROWS)
        assert table_body(ROWS) == LOOP.render(Context({"rows": ROWS}))


def test_cells_are_escaped() -> None:
    html = table_body([["<b>", "&"]])
    assert html == '<tr><th scope="row">&lt;b&gt;</th><td>&amp;</td></tr>'
    assert table_body([]) == ""
