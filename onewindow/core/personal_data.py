"""Personal data at rest: SM4-sealed columns, blind indexes, keys and rotation
(docs/rules/privacy.md §P1–§P4).

P1: identity numbers, mobile numbers, addresses (and the whole application form, which holds
them) are stored sealed by ``lib.sm4`` as ``sm4$<key id>$<base64>``; the model fields below seal
on the way in and open on the way out, so code reads and writes plain values. A sealed column
cannot be searched (a fresh IV every write): asking ``filter(id_number=…)`` raises instead of
silently finding nothing.

P2: a lookup by number goes through a blind index, HMAC-SM3 under a separate key over the
normalised value and its kind (``blind_index("id", number)``), kept in a column beside the sealed
one; uniqueness is a constraint on that column.

P3: the keys are files in ``DATA_KEY_DIR`` (outside the database and the repository, mode 0600):
``sm4-<time>-<hex>.key`` (16 random bytes in hex; the newest seals, every present one opens) and
``index.key`` (the blind-index key, never rotated: the index must stay stable). A new
installation makes both at first use. ``key_rotate`` adds a key; ``reseal_all`` rewrites every
sealed value under the newest key, after which the old files can go.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.apps import apps as global_apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, router
from django.db.models.lookups import Exact, IsNull

from onewindow.lib import sm4

log = logging.getLogger("onewindow.security")

PREFIX = "sm4$"
INDEX_FILE = "index.key"
RELOAD_SECONDS = 60  # another process's new key is picked up within this


class PersonalDataKeyMissing(ImproperlyConfigured):
    """A sealed value names a key whose file is not in ``DATA_KEY_DIR``."""


@dataclass(frozen=True)
class _Key:
    key_id: str
    enc: bytes
    mac: bytes


def _derive(master: bytes, key_id: str) -> _Key:
    return _Key(
        key_id,
        sm4.hmac_sm3(master, b"onewindow personal data: sm4")[:16],
        sm4.hmac_sm3(master, b"onewindow personal data: mac"),
    )


class Keyring:
    """The keys of one directory, re-read when a value names an unknown key or every minute."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.keys: dict[str, _Key] = {}
        self.current: _Key | None = None
        self.index_key = b""
        self.loaded_at = 0.0
        self.lock = threading.Lock()

    def load(self) -> None:
        keys: dict[str, _Key] = {}
        if self.directory.is_dir():
            for path in sorted(self.directory.glob("sm4-*.key")):
                master = bytes.fromhex(path.read_text().strip())
                keys[path.stem] = _derive(master, path.stem)
        if not keys:
            keys = {(k := self._write_new()).key_id: k}
        self.keys = keys
        self.current = keys[max(keys)]
        self.index_key = self._index_key()
        self.loaded_at = time.monotonic()

    def _write(self, name: str, secret: bytes) -> bool:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(self.directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return False
        with os.fdopen(fd, "w") as file:
            file.write(secret.hex() + "\n")
        return True

    def _write_new(self) -> _Key:
        now = time.time()
        stamp = f"{time.strftime('%Y%m%d%H%M%S', time.gmtime(now))}{int(now * 1e6) % 10**6:06d}"
        key_id = f"sm4-{stamp}-{secrets.token_hex(3)}"  # sorts by time: the newest seals
        master = secrets.token_bytes(16)
        self._write(f"{key_id}.key", master)
        log.warning("personal data key generated", extra={"key_id": key_id})
        return _derive(master, key_id)

    def _index_key(self) -> bytes:
        path = self.directory / INDEX_FILE
        if not path.exists():
            self._write(INDEX_FILE, secrets.token_bytes(32))
        return bytes.fromhex(path.read_text().strip())

    def fresh(self) -> Keyring:
        with self.lock:
            if self.current is None or time.monotonic() - self.loaded_at > RELOAD_SECONDS:
                self.load()
        return self

    def key(self, key_id: str) -> _Key:
        found = self.fresh().keys.get(key_id)
        if found is None:
            with self.lock:
                self.load()
            found = self.keys.get(key_id)
        if found is None:
            raise PersonalDataKeyMissing(
                f"personal data key {key_id} is not in DATA_KEY_DIR ({self.directory})"
            )
        return found

    def rotate(self) -> str:
        with self.lock:
            key = self._write_new()
            self.load()
            if self.current is None or self.current.key_id != key.key_id:
                self.current = self.keys[key.key_id]
        return key.key_id


_rings: dict[str, Keyring] = {}
_rings_lock = threading.Lock()


def keyring() -> Keyring:
    """The keyring of the configured ``DATA_KEY_DIR`` (tests point it at a directory of their own)."""
    directory = str(settings.DATA_KEY_DIR)
    with _rings_lock:
        ring = _rings.get(directory)
        if ring is None:
            ring = _rings[directory] = Keyring(Path(directory))
    return ring.fresh()


def encrypt(text: str, *, aad: str = "") -> str:
    """``text`` sealed under the newest key; the empty string stays empty (nothing to hide, and
    "not given" stays queryable)."""
    if not text:
        return ""
    ring = keyring()
    key = ring.current
    assert key is not None
    sealed = sm4.seal(key.enc, key.mac, text.encode(), aad=f"{key.key_id}|{aad}".encode())
    return f"{PREFIX}{key.key_id}${base64.b64encode(sealed).decode('ascii')}"


def decrypt(stored: str, *, aad: str = "") -> str:
    """The plain value of a stored one. A value without the prefix is plain already (written
    before its column was sealed; the sealing migration rewrites them all)."""
    if not stored or not stored.startswith(PREFIX):
        return stored or ""
    _, key_id, body = stored.split("$", 2)
    key = keyring().key(key_id)
    plain = sm4.unseal(key.enc, key.mac, base64.b64decode(body), aad=f"{key_id}|{aad}".encode())
    return plain.decode()


def key_of(stored: str) -> str:
    """The id of the key a stored value is sealed under ("" for empty or plain)."""
    if not stored or not stored.startswith(PREFIX):
        return ""
    return stored.split("$", 2)[1]


def blind_index(kind: str, value: str) -> str:
    """P2: the HMAC-SM3 of a normalised value, for equality lookups and uniqueness ("" for "")."""
    if not value:
        return ""
    return sm4.hmac_sm3(keyring().index_key, f"{kind}:{value}".encode()).hex()


# --- model fields -----------------------------------------------------------------------------
SEALED_FIELDS: list[models.Field[Any, Any]] = []


class _EmptyOnlyExact(Exact):
    """``field=""`` (not given) is the one equality a sealed column can answer."""

    def get_prep_lookup(self) -> Any:
        if self.rhs != "":
            raise TypeError(
                f"{self.lhs.target.name} is sealed (docs/rules/privacy.md §P1): look it up "
                "through its blind index"
            )
        return ""


class _SealedMixin:
    """Shared by the sealed fields: registered for rotation, lookups refused (P1)."""

    def contribute_to_class(self, cls: Any, name: str, *args: Any, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)  # type: ignore[misc]
        if not cls._meta.abstract:
            SEALED_FIELDS.append(self)  # type: ignore[arg-type]

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None

    def get_transform(self, lookup_name: str) -> Any:
        return None


class SealedCharField(_SealedMixin, models.TextField):  # type: ignore[type-arg]
    """A short personal value (identity number, phone, address) sealed with SM4 (P1).

    ``max_length`` bounds the plain value (forms and serializers check it); the column is text,
    the sealed form being about three times longer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value) if isinstance(value, str) else value

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]  # one line, not a text area
        return models.Field.formfield(
            self, **{"form_class": forms.CharField, "max_length": self.max_length, **kwargs}
        )

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if isinstance(value, str) and not value.startswith(PREFIX):
            return encrypt(value)
        return value


class SealedJSONField(_SealedMixin, models.JSONField):  # type: ignore[type-arg]
    """A JSON document sealed whole (the application form: names, numbers, addresses). Stored as
    a JSON string holding the sealed text, so the column type stays JSON on every backend."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        loaded = super().from_db_value(value, expression, connection)
        if isinstance(loaded, str) and loaded.startswith(PREFIX):
            return json.loads(decrypt(loaded))
        return loaded

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(PREFIX):
            return value
        return encrypt(json.dumps(value, ensure_ascii=False, cls=self.encoder))


class BlindIndexField(models.CharField):  # type: ignore[type-arg]
    """P2: the blind index of another field of the same row, computed on every save.

    ``save(update_fields=[...])`` must name it with its source; models with one list them in
    ``BLIND_INDEXES`` and add them (``blind_update_fields``)."""

    def __init__(self, *args: Any, source: str = "", kind: str = "", **kwargs: Any) -> None:
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"], kwargs["kind"] = self.source, self.kind
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = blind_index(self.kind, getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


def blind_update_fields(model: type[models.Model], update_fields: Any) -> Any:
    """``update_fields`` plus the blind indexes of any sealed source named in it."""
    if update_fields is None:
        return None
    names = set(update_fields)
    for field in model._meta.concrete_fields:
        if isinstance(field, BlindIndexField) and field.source in names:
            names.add(field.name)
    return names


def sealed_columns() -> Iterator[tuple[type[models.Model], str]]:
    """Every (model, field name) sealed under P1, for rotation and reports."""
    seen: set[tuple[str, str]] = set()
    for field in SEALED_FIELDS:
        model = field.model
        key = (model._meta.label, field.name)
        # migrations build historical copies of the models: only the live registry's count
        if model._meta.apps is global_apps and key not in seen:
            seen.add(key)
            yield model, field.name


def seal_existing(app_label: str, model_name: str, fields: list[str]) -> Any:
    """A ``RunPython`` function sealing the values a column held in clear before it became a
    sealed field (reading passes a plain value through; writing seals it)."""

    def run(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        for row in model.objects.only("pk", *fields).iterator():
            model.objects.filter(pk=row.pk).update(**{name: getattr(row, name) for name in fields})

    return run


def key_rotate() -> str:
    """P3: a new key that seals from now on; returns its id. Old values open as before until
    ``reseal_all`` rewrites them."""
    key_id = keyring().rotate()
    log.warning("personal data key rotated", extra={"key_id": key_id})
    return key_id


def key_usage() -> dict[str, int]:
    """How many stored values each key seals (``""``: values not sealed yet), over every sealed
    column: what ``reseal_all`` has left to do, and which key files may go."""
    counts: dict[str, int] = {}
    for model, name in sealed_columns():
        with _raw(model) as cursor:
            cursor.execute(f"SELECT {_q(model, name)} FROM {_q(model)}")
            for (stored,) in cursor.fetchall():
                text = _stored_text(stored)
                if text:
                    counts[key_of(text)] = counts.get(key_of(text), 0) + 1
    return counts


def reseal_all(*, batch: int = 500) -> int:
    """Rewrite every sealed value not under the newest key (or not sealed yet) under it; returns
    how many values were rewritten. Safe to run again or beside the site: each row is updated
    from the value it holds."""
    current = keyring().current
    assert current is not None
    done = 0
    for model, name in sealed_columns():
        manager = model._base_manager
        with _raw(model) as cursor:
            cursor.execute(f"SELECT {_q(model, 'pk')}, {_q(model, name)} FROM {_q(model)}")
            stale = [
                pk
                for pk, stored in cursor.fetchall()
                if _stale(_stored_text(stored), current.key_id)
            ]
        for start in range(0, len(stale), batch):
            for row in manager.filter(pk__in=stale[start : start + batch]).only("pk", name):
                manager.filter(pk=row.pk).update(**{name: getattr(row, name)})
                done += 1
    return done


def _stale(text: str, current: str) -> bool:
    return bool(text) and key_of(text) != current


def _stored_text(stored: Any) -> str:
    """A column's raw value as text: sealed JSON columns hold a JSON string around it."""
    if stored is None:
        return ""
    if isinstance(stored, (bytes, bytearray, memoryview)):
        stored = bytes(stored).decode()
    text = str(stored)
    if text.startswith('"') and text.endswith('"'):
        try:
            loaded = json.loads(text)
        except ValueError:
            return text
        return loaded if isinstance(loaded, str) else text
    return text


def _q(model: type[models.Model], field: str = "") -> str:
    """A quoted table (or column) name of ``model``, for the raw reads above."""
    quote = connections[router.db_for_read(model)].ops.quote_name
    if not field:
        return quote(model._meta.db_table)
    target = model._meta.pk if field == "pk" else model._meta.get_field(field)
    return quote(target.column)  # type: ignore[union-attr,arg-type]


def _raw(model: type[models.Model]) -> Any:
    return connections[router.db_for_read(model)].cursor()
