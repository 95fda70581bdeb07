"""What every log line says about the request or background job it was written for.

docs/operations.md §W7: a web line carries ``request_id`` (the proxy's X-Request-ID when it is
well-formed, else a new one), ``user`` (id, once the request has loaded it), ``method`` and
``path``; a background job's line carries ``job`` and ``job_run`` in its place. The values live
in a context variable, so a line logged anywhere below the view or the job function gets them
without being passed anything; ``ContextFilter`` (on the console handler, settings.LOGGING) copies
them onto each record.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils.functional import empty
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

# A proxy's id is reused only when it cannot smuggle anything into a log line or a header.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
FIELDS = ("request_id", "user", "method", "path", "job", "job_run")

_current: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "onewindow_log_context", default=None
)


def request_id_from(header: str | None) -> str:
    """The proxy's X-Request-ID when it matches ``REQUEST_ID``, else a fresh uuid4 hex."""
    if header and REQUEST_ID.match(header):
        return header
    return uuid.uuid4().hex


def new_run_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def log_context(**fields: Any) -> Iterator[dict[str, Any]]:
    """Attach ``fields`` to every line logged in this block (in this thread or task); the
    returned dict may be filled in later (the user, once known)."""
    values = {key: value for key, value in fields.items() if value is not None}
    token = _current.set(values)
    try:
        yield values
    finally:
        _current.reset(token)


def current() -> dict[str, Any]:
    return dict(_current.get() or {})


class ContextFilter(logging.Filter):
    """Copies the current context onto the record (fields a caller passed in ``extra`` win) and
    renders it as ``context`` for the text format: ``rid=… user=… GET /path`` or ``job=… run=…``."""

    def filter(self, record: logging.LogRecord) -> bool:
        values = _current.get() or {}
        if "request" in values and not hasattr(record, "user"):
            user_id = loaded_user_id(values["request"])
            if user_id is not None:
                record.user = user_id
        for key in FIELDS:
            if key in values and not hasattr(record, key):
                setattr(record, key, values[key])
        field = record.__dict__.get
        parts = []
        if field("request_id"):
            parts.append(f"rid={field('request_id')}")
        if field("user") is not None:
            parts.append(f"user={field('user')}")
        if field("method"):
            parts.append(f"{field('method')} {field('path', '')}")
        if field("job"):
            parts.append(f"job={field('job')} run={field('job_run', '-')}")
        record.context = " ".join(parts) or "-"
        return True


def loaded_user_id(request: Any) -> Any:
    """The signed-in user's id once the request has loaded its user; never a query of its own
    just for a log line (an anonymous or not yet loaded user: None)."""
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:
        return None
    return getattr(wrapped, "pk", None)


def json_formatter() -> logging.Formatter:
    """python-json-logger: one object a line with ``time`` (ISO 8601, UTC), ``level``,
    ``logger``, ``message`` and every context field and ``extra`` the line has."""
    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
        reserved_attrs=[*RESERVED_ATTRS, "context", "color_message", "request"],
        json_ensure_ascii=False,
    )
