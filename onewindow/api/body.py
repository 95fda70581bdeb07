"""The validated body or query string of a request, read through a serializer."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request


def request_body(
    serializer_class: type[serializers.Serializer], request: Request
) -> dict[str, Any]:
    """``request.data`` cleaned by ``serializer_class``; invalid fields are a 400 naming them."""
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def request_query(
    serializer_class: type[serializers.Serializer], request: Request
) -> dict[str, Any]:
    """``request.query_params`` cleaned by ``serializer_class``; a 400 names invalid ones."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)
