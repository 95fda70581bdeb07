"""``get_FOO_display()`` without translating every label of the field on each call.

Django's ``Model._get_FIELD_display`` builds ``dict(make_hashable(field.flatchoices))`` on every
call, and hashing a lazy label translates it: a case's ``get_status_display`` translated all of
the status labels, so a supervisor's list of 50 cases spent about an eighth of its CPU in
gettext. ``install()`` replaces it with the same answer from a table built once per field and
active language. Values that are not hashable (none of ours) go the original way.

Installed from ``onewindow.core.apps`` at import time: Django imports every app's configuration
before any models module, and ``Field.contribute_to_class`` binds ``cls._get_FIELD_display`` as
the model class is created, so every model gets this one.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.translation import get_language

_original = models.Model._get_FIELD_display  # type: ignore[attr-defined]
_ATTRIBUTE = "_display_labels"


def labels_of(field: Any) -> dict[Any, Any]:
    """{value: label as text} of ``field``'s choices in the active language (built once)."""
    tables: dict[str | None, dict[Any, Any]] = field.__dict__.setdefault(_ATTRIBUTE, {})
    language = get_language()
    table = tables.get(language)
    if table is None:
        table = {}
        for value, label in field.flatchoices:
            try:
                table.setdefault(value, force_str(label, strings_only=True))
            except TypeError:  # an unhashable value: this field goes the original way
                table = {}
                break
        tables[language] = table
    return table


def _get_field_display(self: models.Model, field: Any) -> Any:
    value = getattr(self, field.attname)
    try:
        table = labels_of(field)
        if table:
            return force_str(table.get(value, value), strings_only=True)
    except TypeError:  # an unhashable value
        pass
    return _original(self, field)


def install() -> None:
    models.Model._get_FIELD_display = _get_field_display  # type: ignore[attr-defined]
