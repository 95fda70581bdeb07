"""SM2 signing keys (docs/rules/audit.md §Z12): generate, rotate, sign, verify.

The private key of each ``SigningKey`` row is the file ``<SIGNING_KEY_DIR>/<key_id>.sm2`` (hex,
mode 0600), written once; the database holds the public key, append-only and chained. The newest
key whose file is present signs. With none, the first signature makes one (a new installation
signs its first certificate without a manual step); the security administrator rotates keys on
their console, and old keys keep verifying what they signed.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction

from onewindow.audit.models import SecurityAction, SigningKey
from onewindow.audit.security_events import security_event_record
from onewindow.core import clock
from onewindow.lib import sm2

log = logging.getLogger("onewindow.security")


class SigningKeyMissing(RuntimeError):
    """A key's private file is absent or does not match its public key."""


def _path(key_id: str) -> Path:
    return Path(settings.SIGNING_KEY_DIR) / f"{key_id}.sm2"


def key_generate(*, actor: object = None) -> SigningKey:
    """A new key pair: the private half to its file, the public half to a new row."""
    private, public = sm2.keypair_generate()
    key_id = f"sm2-{clock.now():%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
    directory = Path(settings.SIGNING_KEY_DIR)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(_path(key_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(private + "\n")
    with transaction.atomic():
        key = SigningKey.objects.create(
            key_id=key_id,
            public_key=public,
            created_at=clock.now(),
            created_by_id=getattr(actor, "pk", None),
        )
    security_event_record(action=SecurityAction.SIGNING_KEY_GENERATED, actor=actor, detail=key_id)
    log.warning("signing key generated", extra={"key_id": key_id})
    return key


def _private(key: SigningKey) -> str | None:
    try:
        private = _path(key.key_id).read_text().strip()
    except OSError:
        return None
    if sm2.public_key_of(private) != key.public_key:
        raise SigningKeyMissing(f"{key.key_id}: the private key file does not match")
    return private


def key_active() -> tuple[SigningKey, str]:
    """The newest key with its private file, generated when there is none."""
    for key in SigningKey.objects.order_by("-created_at", "-pk"):
        private = _private(key)
        if private is not None:
            return key, private
    key = key_generate()
    private = _private(key)
    assert private is not None
    return key, private


def sign(data: bytes) -> tuple[str, str]:
    """(key id, SM2 signature) of ``data`` with the active key."""
    key, private = key_active()
    return key.key_id, sm2.sign(private, key.public_key, data)


def verify(key_id: str, data: bytes, signature: str) -> bool:
    """True when ``signature`` was made over ``data`` by the key ``key_id``."""
    key = SigningKey.objects.filter(key_id=key_id).first()
    return key is not None and sm2.verify(key.public_key, data, signature)


def keys_list() -> list[SigningKey]:
    """Every key, newest first, with whether its private file is on this machine."""
    keys = list(SigningKey.objects.order_by("-created_at", "-pk"))
    for key in keys:
        key.present = _path(key.key_id).exists()  # type: ignore[attr-defined]
    return keys
