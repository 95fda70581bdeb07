"""The case endpoints' error mapping: the shared one, plus the application form's field errors.

An application form that breaks the item's field schema (``fields.FormInvalid``) answers 400
with its problems under ``form_data``, field by field, so that a client can show each message
next to its field; every other error maps as on every endpoint (``api.domain.domain_errors``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rest_framework import exceptions

from onewindow.api.domain import domain_errors
from onewindow.cases.fields import FormInvalid


@contextmanager
def case_errors() -> Iterator[None]:
    """``domain_errors``, with FormInvalid → 400 ``{"form_data": {field: [messages]}}``."""
    with domain_errors():
        try:
            yield
        except FormInvalid as err:
            raise exceptions.ValidationError({"form_data": err.errors}) from err
