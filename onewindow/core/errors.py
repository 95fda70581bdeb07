"""The one family of domain errors every app raises, and the JSON shape of an error answer.

A service refuses an action by raising a ``DomainError`` whose ``message`` is for the user and
whose ``code`` names the reason. Each app subclasses the kinds below (``CaseError``,
``CardError``…) and keeps its own codes; the kind alone decides how the refusal is answered:

- ``DomainError``: a rule forbids the action now → HTTP 400 with the error's code;
- ``Forbidden``: this user may never do it (role or department) → HTTP 403;
- ``WrongState``: the object's status does not allow the action → HTTP 400;
- ``ConcurrentChange``: somebody else changed the object between reading and writing → 409;
- ``Invalid``: values break a schema; ``errors`` maps field → messages → 400 naming the fields.

Pages turn them into messages; ``onewindow.api.errors.api_error`` maps them to HTTP, once.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule forbids this action. ``message`` is for the user, ``code`` for programs."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Forbidden(DomainError):
    """The user's role or department may not do this at all."""

    code = "forbidden"


class WrongState(DomainError):
    """The object's status does not allow the action."""

    code = "wrong_status"


class ConcurrentChange(DomainError):
    """Somebody else changed the object between reading and writing it."""

    code = "conflict"


class Invalid(DomainError):
    """Submitted values break a schema: ``errors`` maps a field (or ``__all__``) to messages.

    ``field`` names the request field the values came in (``errors`` nest under it), or is empty
    when the values are the request's own fields.
    """

    code = "invalid"
    field = ""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(next(iter(errors.values()))[0])
        self.errors = errors


def error_body(code: str, message: str, errors: Any = None) -> dict[str, Any]:
    """Every JSON error answer: ``{"code", "message"[, "errors"]}`` with a Chinese message."""
    body: dict[str, Any] = {"code": code, "message": message}
    if errors is not None:
        body["errors"] = errors
    return body
