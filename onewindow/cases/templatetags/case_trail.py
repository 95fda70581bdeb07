"""``{{ event|on_behalf }}``: 「代办员 X 代表 Y 办理」 under an agent's action in a case trail
(docs/rules/mandates.md §T5)."""

from __future__ import annotations

from django import template

from onewindow.cases.models import CaseEvent
from onewindow.cases.trail import on_behalf_text

register = template.Library()


@register.filter
def on_behalf(event: CaseEvent) -> str:
    return on_behalf_text(event)
