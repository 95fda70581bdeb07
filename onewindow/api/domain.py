"""Domain errors as API answers, and permission classes from the one role table.

Every app's API maps the services' errors the same way (``onewindow.api.errors.api_error``): a
rule that refuses the action (``DomainError``) is a 400 with its code and message, a concurrent
change (``ConcurrentChange``) a 409, form values that break the item's schema a 400 naming the
fields; ``domain_errors`` adds Django's model validation (a 400 naming the fields as they are).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from onewindow.accounts.roles import Perm, has_perm
from onewindow.api.errors import Conflict, Refused, api_error
from onewindow.api.schema import ERROR
from onewindow.core.errors import DomainError

__all__ = ["CONFLICT", "Conflict", "HasPerm", "Refused", "domain_errors"]

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


class HasPerm(BasePermission):
    """Subclass with ``perm`` (and a Chinese ``message``): the role table decides."""

    perm: Perm
    message = "没有权限。"

    def has_permission(self, request: Request, view: Any) -> bool:
        return has_perm(request.user, self.perm)
