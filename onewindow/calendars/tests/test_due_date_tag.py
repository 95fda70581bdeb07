"""``{% due_date %}`` (calendars/templatetags/due_dates.py) writes what its former template wrote,
for every kind of due date, in both languages and date formats."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from onewindow.lib.workdays import Due

# calendars/_due_date.html as it was, rendered with {"due": …, "fmt": …}.
FORMER = (
    '{% load i18n %}{% if not due %}—{% elif due.paused %}<span class="badge badge-due-paused">'
    '{% translate "暂停计时" %}</span> <span class="muted">{% blocktranslate with '
    "day=due.date|date:fmt %}（原定 {{ day }}，恢复计时后按暂停的工作日顺延）{% endblocktranslate %}"
    "</span>{% else %}<time datetime=\"{{ due.date|date:'Y-m-d' }}\">{{ due.date|date:fmt }}"
    '</time>{% if due.provisional %}<span class="due-provisional" title="{% translate '
    "'该日期的计算涉及节假日安排尚未公布的年份，按临时日历计算，公布后可能调整' %}\">"
    '{% translate "（临时）" %}<span class="visually-hidden">{% translate '
    '"该日期的计算涉及节假日安排尚未公布的年份，按临时日历计算，公布后可能调整" %}</span></span>'
    "{% endif %}{% endif %}"
)
DAY = dt.date(2027, 1, 8)
VALUES = [
    None,
    Due(DAY, False),
    Due(DAY, True),
    Due(DAY, False, paused=True),
    Due(DAY, True, paused=True),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("fmt", ["Y-m-d", "Y年n月j日", "DATE_FORMAT"])
@pytest.mark.parametrize("value", VALUES)
def test_the_tag_writes_what_the_template_wrote(value: Due | None, fmt: str, language: str) -> None:
    with translation.override(language):
        former = Template(FORMER).render(Context({"due": value, "fmt": fmt}))
        tag = Template("{% load due_dates %}{% due_date value fmt %}").render(
            Context({"value": value, "fmt": fmt})
        )
    assert tag == former
    assert ("2027" in tag) == (value is not None)


def test_the_default_format_is_iso() -> None:
    html = Template("{% load due_dates %}{% due_date value %}").render(
        Context({"value": Due(DAY, False)})
    )
    assert html == '<time datetime="2027-01-08">2027-01-08</time>'
