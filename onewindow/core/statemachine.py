"""One way every model with a status changes it: check, conditional UPDATE, refresh, event row.

Each model declares its ``Machine`` next to it: which statuses each target status may be entered
from, and how a refusal reads (its app's ``WrongState`` and ``ConcurrentChange`` subclasses).
``Machine.move`` then

1. refuses with the model's wrong-state error unless the object's status is allowed;
2. writes with one conditional UPDATE on (pk, status[, revision]), bumping the revision, so of
   two people acting on the same object at once exactly one succeeds and the other gets the
   model's concurrent-change error (and nothing is written for them);
3. updates the in-memory object (status, revision, the extra fields);
4. writes the event row through ``record(old, new)`` in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import F

from onewindow.core.errors import DomainError

M = TypeVar("M", bound=models.Model)
E = TypeVar("E")


@dataclass(frozen=True)
class Machine(Generic[M]):
    """The lifecycle of ``model``: ``transitions`` maps a status to the statuses it may be
    entered from; ``wrong_state(obj)`` and ``conflict(obj)`` build the refusals."""

    model: type[M]
    transitions: Mapping[str, frozenset[str]]
    wrong_state: Callable[[M], DomainError]
    conflict: Callable[[M], DomainError]
    status_field: str = "status"
    revision_field: str | None = "revision"

    def allowed_from(self, to: str) -> frozenset[str]:
        return self.transitions.get(to, frozenset())

    def check(self, obj: M, *, to: str, allowed_from: Iterable[str] | None = None) -> None:
        """Refuse unless ``obj``'s status may move to ``to`` (``allowed_from`` narrows it)."""
        allowed = self.allowed_from(to) if allowed_from is None else frozenset(allowed_from)
        if self._status(obj) not in allowed:
            raise self.wrong_state(obj)

    def move(
        self,
        obj: M,
        *,
        to: str,
        allowed_from: Iterable[str] | None = None,
        record: Callable[[str, str], E] | None = None,
        **fields: Any,
    ) -> E | None:
        """Move ``obj`` to ``to`` storing ``fields`` with it; returns what ``record`` wrote."""
        self.check(obj, to=to, allowed_from=allowed_from)
        old = self._status(obj)
        self.write(obj, **{self.status_field: to}, **fields)
        return record(old, to) if record is not None else None

    def write(self, obj: M, **fields: Any) -> None:
        """The conditional UPDATE alone: ``obj`` must still be in the status (and revision) it
        was read in. Also for changes that keep the status (a step of a review task)."""
        match: dict[str, Any] = {"pk": obj.pk, self.status_field: self._status(obj)}
        values = dict(fields)
        if self.revision_field is not None:
            match[self.revision_field] = getattr(obj, self.revision_field)
            values[self.revision_field] = F(self.revision_field) + 1
        if self.model._default_manager.filter(**match).update(**values) != 1:
            raise self.conflict(obj)
        if self.revision_field is not None:
            setattr(obj, self.revision_field, match[self.revision_field] + 1)
        for name, value in fields.items():
            setattr(obj, name, value)

    def _status(self, obj: M) -> str:
        return str(getattr(obj, self.status_field))


def lifecycle(pairs: Iterable[tuple[Iterable[str], str]]) -> dict[str, frozenset[str]]:
    """``[((from, …), to), …]`` as the mapping a ``Machine`` takes (targets may repeat)."""
    table: dict[str, set[str]] = {}
    for sources, to in pairs:
        table.setdefault(to, set()).update(sources)
    return {to: frozenset(sources) for to, sources in table.items()}
