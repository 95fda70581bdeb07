"""Serializer fields shared by every app's API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from onewindow.lib.idnumbers import mask_address, mask_id_number, mask_phone


class IdentityNumberField(serializers.CharField):
    """An identity number (ID card, credit code), masked (``1101**********002X``) unless the
    serializer's context says ``identity_visible`` (``cases.identity.identity_visible``):
    the one place the API decides, docs/rules/identity.md §F3."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text", "证件号码；无需完整号码的用户看到脱敏值（如 1101**********002X）"
        )
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        text = super().to_representation(value)
        return text if self.context.get("identity_visible") else mask_id_number(text)


class PhoneField(serializers.CharField):
    """A phone number, masked (``139****0001``) unless the context says ``identity_visible``
    (docs/rules/privacy.md §P4: the same readers as the identity number)."""

    def to_representation(self, value: Any) -> str:
        text = super().to_representation(value)
        return text if self.context.get("identity_visible") else mask_phone(text)


class AddressField(serializers.CharField):
    """An address, masked after its first six characters unless the context says
    ``identity_visible`` (docs/rules/privacy.md §P4)."""

    def to_representation(self, value: Any) -> str:
        text = super().to_representation(value)
        return text if self.context.get("identity_visible") else mask_address(text)
