"""Reads of the busiest pages and transitions compiled to SQL once, then run with new values.

Building a queryset and compiling it (``filter``, ``select_related``, the compiler's
``pre_sql_setup`` and ``as_sql``) costs our hot paths far more CPU than running the statement:
profiling an acceptance on SQLite found about 85 % of each read's time in Django before the
database was reached (docs/decisions.md §O4). A ``Prepared`` read is written as an ordinary
queryset, built once per database connection alias with a placeholder value for each parameter
and compiled; afterwards each call puts the real values where the placeholders were and runs the
same SQL, turning the rows into model instances (``select_related`` and annotations included) or
tuples exactly as Django's own iterables do, through the same converters.

    TASKS_OF_CASE = Prepared(
        lambda p: Task.objects.filter(case_id=p.case).select_related("department"),
        case=int,
    )
    tasks = TASKS_OF_CASE.all(case=case.pk)

What a prepared read cannot be, checked when it is compiled (an error in the first test that
runs it, not a wrong answer): a parameter the SQL does not carry as one value of its own (inside
a ``LIKE`` pattern, a list for ``__in``), ``prefetch_related``, ``values()`` dictionaries, or a
``values_list`` whose columns Django would reorder. Parameters are ``int`` or ``str``, and ``None``
is refused at call time (``= NULL`` is not ``IS NULL``: give it a read of its own). The parameters
are compared for equality: an integer outside the 64-bit range matches no row, so the read
answers nothing without asking the database (an id from a URL can be any number). The build
function must not read the clock or the language: what it computes is kept.

This reads Django's compiler the way ``django.db.models.query.ModelIterable`` does (Django 5.2,
the pinned version; ``onewindow/lib/tests/test_prepared.py`` compares every shape with the
ordinary queryset's answer).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]  # not in the stubs
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)

T = TypeVar("T")

# Placeholder values nobody stores: negative ids beyond any sequence, strings with control bytes.
_INT_BASE = -7_340_000_000_000_000
_SMALLEST, _LARGEST = -(2**63), 2**63 - 1  # a 64-bit integer column
_counter = itertools.count(1)
_lock = threading.Lock()


class Placeholders:
    """What the build function receives: ``p.case`` is the placeholder of parameter ``case``."""

    def __init__(self, types: dict[str, type]) -> None:
        self._values: dict[str, Any] = {}
        for name, kind in types.items():
            n = next(_counter)
            if kind is int:
                self._values[name] = _INT_BASE - n
            elif kind is str:
                self._values[name] = f"\x1fprepared:{name}:{n}\x1f"
            else:
                raise TypeError(f"prepared parameter {name!r}: int or str, not {kind!r}")

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"prepared read has no parameter {name!r}") from None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position in params, parameter name)
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]
    model: type[Model] | None  # None: rows are tuples
    start: int
    end: int
    init_list: tuple[str, ...]
    populators: tuple[Any, ...]
    annotations: tuple[tuple[str, int], ...]
    width: int


class Prepared(Generic[T]):
    """A read compiled once per database alias (see the module's docstring)."""

    def __init__(self, build: Callable[[Any], QuerySet[Any]], **types: type) -> None:
        self._build = build
        self._types = types
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def _compile(self, alias: str) -> _Compiled:
        connection = connections[alias]
        key = (alias, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is not None:
            return compiled
        with _lock:
            placeholders = Placeholders(self._types)
            queryset = self._build(placeholders).using(alias)
            compiled = _compile(queryset, placeholders, connection)
            self._compiled[key] = compiled
        return compiled

    def all(self, using: str = "default", **values: Any) -> list[T]:
        unknown = set(values) - set(self._types)
        if unknown:
            raise TypeError(f"prepared read: unknown parameters {sorted(unknown)}")
        compiled = self._compile(using)
        connection = connections[using]
        params = list(compiled.params)
        for position, name in compiled.slots:
            value = _checked(name, values.get(name), self._types[name])
            if type(value) is int and not _SMALLEST <= value <= _LARGEST:
                return []  # no row has it: Django's exact lookups answer so too
            params[position] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: list[Any] = cursor.fetchall()
        if compiled.converters:
            rows = [_converted(row, compiled.converters, connection) for row in rows]
        if compiled.model is None:
            return [tuple(row[: compiled.width]) for row in rows]  # type: ignore[misc]
        return [_instance(compiled, using, row) for row in rows]

    @classmethod
    def existence(cls, build: Callable[[Any], QuerySet[Any]], **types: type) -> Prepared[Any]:
        """Whether ``build``'s queryset has a row (``exists``): one id read, no ordering."""
        return cls(lambda p: build(p).order_by().values_list("pk")[:1], **types)

    def exists(self, using: str = "default", **values: Any) -> bool:
        return bool(self.all(using, **values))

    def first(self, using: str = "default", **values: Any) -> T | None:
        """The first row (write the limit into the queryset: ``[:1]``)."""
        rows = self.all(using, **values)
        return rows[0] if rows else None


def _checked(name: str, value: Any, kind: type) -> Any:
    if type(value) is bool or not isinstance(value, kind):
        raise TypeError(f"prepared parameter {name!r}: expected {kind.__name__}, got {value!r}")
    return value


def _converted(row: Sequence[Any], converters: Any, connection: Any) -> list[Any]:
    values = list(row)
    for position, functions, expression in converters:
        value = values[position]
        for function in functions:
            value = function(value, expression, connection)
        values[position] = value
    return values


def _instance(compiled: _Compiled, alias: str, row: Sequence[Any]) -> Any:
    assert compiled.model is not None
    obj = compiled.model.from_db(alias, compiled.init_list, row[compiled.start : compiled.end])
    for populator in compiled.populators:
        populator.populate(row, obj)
    for name, position in compiled.annotations:
        setattr(obj, name, row[position])
    return obj


def _compile(queryset: QuerySet[Any], placeholders: Placeholders, connection: Any) -> _Compiled:
    if queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
        raise ValueError("a prepared read cannot prefetch_related")
    iterable = queryset._iterable_class
    if iterable not in (ModelIterable, ValuesListIterable):
        raise ValueError(f"a prepared read gives models or values_list tuples, not {iterable}")
    query = queryset.query
    compiler = query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    for value in params:  # a placeholder folded into another value (LIKE '%…%', JSON) is lost
        if (
            isinstance(value, str)
            and "\x1fprepared:" in value
            and value not in placeholders._values.values()
        ):
            raise ValueError(f"a prepared parameter is folded into a value of the SQL: {sql}")
    slots = []
    for name, placeholder in placeholders._values.items():
        found = [
            i for i, v in enumerate(params) if type(v) is type(placeholder) and v == placeholder
        ]
        if not found:
            raise ValueError(f"prepared parameter {name!r} is not one value of the SQL: {sql}")
        slots += [(i, name) for i in found]
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    converters = tuple(
        (position, tuple(functions), expression)
        for position, (functions, expression) in compiler.get_converters(fields).items()
    )
    if compiler.has_composite_fields(fields):
        raise ValueError("a prepared read cannot select composite fields")
    if iterable is ValuesListIterable:
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        chosen = list(getattr(queryset, "_fields", None) or ())
        if chosen and chosen != names[: len(chosen)]:
            raise ValueError("a prepared values_list must name its columns in Django's order")
        return _Compiled(
            sql, tuple(params), tuple(slots), converters, None, 0, 0, (), (), (), compiler.col_count
        )
    klass_info = compiler.klass_info
    select = compiler.select
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    return _Compiled(
        sql=sql,
        params=tuple(params),
        slots=tuple(slots),
        converters=converters,
        model=klass_info["model"],
        start=start,
        end=end,
        init_list=tuple(f[0].target.attname for f in select[start:end]),
        populators=tuple(get_related_populators(klass_info, select, queryset.db)),
        annotations=tuple((compiler.annotation_col_map or {}).items()),
        width=compiler.col_count,
    )
