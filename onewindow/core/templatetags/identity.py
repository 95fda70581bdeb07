"""``{{ number|identity:visible }}``: an identity number in full only for readers who need it
(``cases.identity.identity_visible``), masked otherwise (docs/rules/identity.md §F3)."""

from __future__ import annotations

from django import template

from onewindow.lib.idnumbers import mask_id_number

register = template.Library()


@register.filter
def identity(number: str, visible: bool = False) -> str:
    return number if visible else mask_id_number(number)
