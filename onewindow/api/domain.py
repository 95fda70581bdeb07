"""Domain errors as API answers.

Every app's API maps the services' errors the same way: a licensing rule that refuses the action
(``CaseError``) is a 400 with its code and message, a concurrent change (``ConcurrentChange``) a
409, form and model validation a 400 naming the fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions

from onewindow.api.schema import ERROR
from onewindow.cases.errors import CaseError, ConcurrentChange

__all__ = ["CONFLICT", "Conflict", "Refused", "domain_errors"]

CONFLICT = {409: OpenApiResponse(ERROR, description="对象刚被他人处理或已发生变化，请刷新后重试")}


class Refused(exceptions.APIException):
    """A licensing rule forbids the action (CaseError)."""

    status_code = 400
    default_code = "case_error"


class Conflict(exceptions.APIException):
    """Someone else changed the object since it was read (ConcurrentChange)."""

    status_code = 409
    default_code = "conflict"


@contextmanager
def domain_errors() -> Iterator[None]:
    """CaseError → 400, ConcurrentChange → 409, Django validation → 400 with field errors."""
    try:
        yield
    except ConcurrentChange as err:
        raise Conflict(err.message, err.code) from err
    except CaseError as err:
        raise Refused(err.message, err.code) from err
    except DjangoValidationError as err:
        detail = (
            err.message_dict if hasattr(err, "error_dict") else {"non_field_errors": err.messages}
        )
        raise exceptions.ValidationError(detail) from err
