"""The ``Idempotency-Key`` header: read once, checked the same way on every endpoint.

A key is 1 to 100 printable ASCII characters without spaces (it is stored in a column of 100
characters); surrounding white space is dropped and an absent or empty header means "no key".
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.request import Request

HEADER = "Idempotency-Key"
KEY = re.compile(r"^[\x21-\x7e]{1,100}$")  # printable ASCII without the space, ≤ 100


def idempotency_key(request: Request) -> str:
    """The request's key, ``""`` when it has none; a malformed key is a 400."""
    key = request.headers.get(HEADER, "").strip()
    if key and not KEY.match(key):
        raise exceptions.ValidationError(
            {HEADER: [_("Idempotency-Key 须为 1 到 100 个可打印 ASCII 字符。")]}
        )
    return key


def idempotency_param(description: str) -> OpenApiParameter:
    """The optional header in the OpenAPI document, with what a repeat does on this endpoint."""
    return OpenApiParameter(
        HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False, description=description
    )
