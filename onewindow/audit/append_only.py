"""The ORM half of append-only (docs/rules/audit.md §Z1): a chained model's rows are written once.

The database triggers refuse every UPDATE and DELETE whoever sends it; this mixin makes the ORM
say so before the query is sent, in words, for ``save()`` of a stored row, ``delete()`` and the
queryset's ``update()`` / ``delete()``. Imports no models, so any app's models may use it.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext as _


class AppendOnlyError(Exception):
    """A change or deletion of a row of an append-only (chained) table."""


def _refuse(model: type[models.Model]) -> NoReturn:
    raise AppendOnlyError(
        _("“%(name)s”只能追加，不能修改或删除（审计链）。") % {"name": model._meta.verbose_name}
    )


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        _refuse(self.model)

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse(self.model)


class AppendOnlyManager(models.Manager.from_queryset(AppendOnlyQuerySet)):  # type: ignore[misc]
    pass


class AppendOnly(models.Model):
    """Base of a chained model: rows can be created, never saved again or deleted."""

    objects = AppendOnlyManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse(type(self))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        _refuse(type(self))
