"""Which tables are chained (docs/rules/audit.md §Z1, §Z2): append-only, hash-chained.

One list for every trail. Registering a model takes two steps, both checked by
``audit/tests/test_registry.py``: its label here, and a migration that runs
``onewindow.audit.operations.ChainTable(<db_table>)`` (the triggers). In scope and why:

- ``cases.CaseEvent``: the case event trail, the legal record of every step of a licensing case
  (who, when, old → new status, reason).
- ``audit.CaseAccess``: staff views of a case, its files and documents (docs/rules/audit.md §Z11):
  a view cannot be hidden afterwards.
- ``audit.SigningKey``: the public SM2 keys that sign certificates (docs/rules/audit.md §Z12): a
  public key swapped for an attacker's would let forged certificates verify.
- ``audit.SecurityEvent``: roles assigned, second factors reset, sessions ended, lockouts lifted,
  keys made (docs/rules/audit.md §Z13): what the audit administrator checks the other two
  administrators by.

Not (yet) chained, each for a stated reason (docs/rules/audit.md §Z7): complaint, supervision card
and letter and bad-review events (accountability trails; the demo reset and one supervision
test still delete them, to move to the maintenance path first), queue ticket events (an
operational log of the hall whose actor is set to NULL when a user is deleted).
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

CHAINED_MODELS: tuple[str, ...] = (
    "cases.CaseEvent",
    "audit.CaseAccess",
    "audit.SigningKey",
    "audit.SecurityEvent",
)


def chained_models() -> list[type[models.Model]]:
    return [apps.get_model(label) for label in CHAINED_MODELS]


def chained_tables() -> dict[str, type[models.Model]]:
    """``db_table`` → model, for every chained model."""
    return {model._meta.db_table: model for model in chained_models()}
