"""``{{ number|identity:visible }}``: an identity number in full only for readers who need it
(``cases.identity.identity_visible``), masked otherwise (docs/rules/identity.md §F3)."""

from __future__ import annotations

from django import template

from onewindow.lib.idnumbers import mask_address, mask_id_number, mask_phone

register = template.Library()


@register.filter
def identity(number: str, visible: bool = False) -> str:
    return number if visible else mask_id_number(number)


@register.filter
def phone(number: str, visible: bool = False) -> str:
    """``{{ number|phone:visible }}``: a phone number in full only for readers who need it, masked
    otherwise (docs/rules/privacy.md §P4). Lists always mask: the full number is on the case."""
    return number if visible else mask_phone(number)


@register.filter
def address(text: str, visible: bool = False) -> str:
    """``{{ text|address:visible }}``: an address in full or masked (docs/rules/privacy.md §P4)."""
    return text if visible else mask_address(text)
