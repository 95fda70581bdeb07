"""Domain errors as API answers.

Every app's API maps the services' errors the same way (``onewindow.api.errors.api_error``): a
rule that refuses the action (``DomainError``) is a 400 with its code and message, a concurrent
change (``ConcurrentChange``) a 409, form values that break the item's schema a 400 naming the
fields; ``domain_errors`` adds Django's model validation (a 400 naming the fields as they are).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions

from onewindow.api.errors import Conflict, Refused, api_error
from onewindow.api.schema import ERROR
from onewindow.core.errors import DomainError

__all__ = ["CONFLICT", "Conflict", "Refused", "domain_errors"]

CONFLICT = {409: OpenApiResponse(ERROR, description="对象刚被他人处理或已发生变化，请刷新后重试")}


@contextmanager
def domain_errors() -> Iterator[None]:
    """Domain errors as ``api_error`` maps them; Django validation → 400 with field errors."""
    try:
        yield
    except DomainError as err:
        raise api_error(err) from err
    except DjangoValidationError as err:
        detail = (
            err.message_dict if hasattr(err, "error_dict") else {"non_field_errors": err.messages}
        )
        raise exceptions.ValidationError(detail) from err
