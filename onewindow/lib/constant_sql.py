"""Conditions on a fixed status written into the SQL, so SQLite can use a partial index.

A partial index (``Index(..., condition=Q(status__in=["open", "waiting_material"]))``) is only
usable by a query whose ``WHERE`` contains the index's condition term for term, ``status IN
('open', 'waiting_material')`` (SQLite's rule: https://sqlite.org/partialindex.html, "Queries
Using Partial Indexes"). Django sends every value as a bound parameter, ``status IN (?, ?)``, and SQLite plans the statement
before it sees the values: the partial index is never chosen. A reviewer's inbox over a
department with 50,000 pending tasks then read the department's every task and sorted them,
about 140 ms, where the index answers a page in under 1 ms (docs/decisions.md §O5).

``constant_in("status", TASK_PENDING)`` and ``constant_is("status", CaseStatus.SUBMITTED)`` are
the same conditions as ``Q(status__in=…)`` and ``Q(status=…)``, with the values written into the
SQL as literals, in the order given, the way the schema editor writes the index's condition. Only
identifier-like constants from the code are accepted (letters, digits, underscores), never a
value a user typed, so nothing can be injected; anything else is a ``ValueError``. PostgreSQL
(client-side binding: it sees literals either way) answers the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, Q
from django.db.models.lookups import Exact, In

_CONSTANT = re.compile(r"[A-Za-z0-9_]+")


def _literal(value: Any) -> str:
    text = str(value) if isinstance(value, str) else None
    if text is None or not _CONSTANT.fullmatch(text):
        raise ValueError(f"not an identifier-like constant: {value!r}")
    return f"'{text}'"


@CharField.register_lookup
class ConstantExact(Exact):
    """``column = 'value'`` with the value in the SQL text."""

    lookup_name = "constant"

    def get_prep_lookup(self) -> Any:
        return _literal(self.rhs)

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return self.rhs, []

    def get_rhs_op(self, connection: Any, rhs: str) -> str:
        return str(connection.operators["exact"] % rhs)


@CharField.register_lookup
class ConstantIn(In):
    """``column IN ('a', 'b')`` with the values in the SQL text, in the order given."""

    lookup_name = "constant_in"

    def get_prep_lookup(self) -> Any:
        return [_literal(value) for value in self.rhs]

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if not self.rhs:
            raise ValueError("constant_in needs at least one value")
        return "(" + ", ".join(self.rhs) + ")", []


def constant_is(field: str, value: str) -> Q:
    """``Q(field=value)`` with ``value`` written into the SQL."""
    return Q(**{f"{field}__constant": value})


def constant_in(field: str, values: Iterable[str]) -> Q:
    """``Q(field__in=values)`` with the values written into the SQL, in this order; one value
    is ``field = 'value'``, as the schema editor writes ``Q(field=value)``."""
    values = list(values)
    if len(values) == 1:
        return constant_is(field, values[0])
    return Q(**{f"{field}__constant_in": values})
