"""The server-side signatures of a certificate (docs/product.md §C6): HMAC-SHA256 over its fields,
and an SM2 signature over the same bytes (docs/rules/audit.md §Z12).

The signature covers every field the holder and a verifier rely on, serialised canonically
(sorted-key JSON, UTF-8, dates in ISO format, the time of a status change in UTC). The key is
``settings.CERTIFICATE_SIGNING_KEY`` and never leaves the server, so a row changed directly in
the database (holder, validity, status …) no longer matches and verification says "tampered".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings

from onewindow.audit import keys
from onewindow.certificates.models import Certificate

# Bump when the serialised fields change; old rows then need re-signing by a migration.
SIGNATURE_VERSION = "v1"
DEFAULT_ITEM_TYPE = "licensing"


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _moment(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical(certificate: Certificate) -> bytes:
    """The bytes the signature is computed over."""
    fields: dict[str, Any] = {
        "version": SIGNATURE_VERSION,
        "case": certificate.case_id,
        "serial": certificate.serial,
        "token": certificate.token,
        "title": certificate.title,
        "holder_name": certificate.holder_name,
        "holder_id_number": certificate.holder_id_number,
        "item_code": certificate.item_code,
        "item_name": certificate.item_name,
        "department_name": certificate.department_name,
        "scope": certificate.scope,
        "issued_on": _date(certificate.issued_on),
        "valid_from": _date(certificate.valid_from),
        "valid_until": _date(certificate.valid_until),
        "status": certificate.status,
        "status_reason": certificate.status_reason,
        "status_changed_at": _moment(certificate.status_changed_at),
    }
    # Fields added after v1 are covered only when they differ from their default, so every
    # certificate signed before they existed still verifies without re-signing.
    if certificate.item_type != DEFAULT_ITEM_TYPE:
        fields["item_type"] = certificate.item_type
    if certificate.renewed_on is not None:
        fields["renewed_on"] = _date(certificate.renewed_on)
        fields["renewal_deemed"] = certificate.renewal_deemed
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sign(certificate: Certificate) -> str:
    """The hex HMAC-SHA256 of the certificate's canonical fields."""
    key = settings.CERTIFICATE_SIGNING_KEY.encode()
    return hmac.new(key, canonical(certificate), hashlib.sha256).hexdigest()


def hmac_valid(certificate: Certificate) -> bool:
    """True when the stored HMAC matches the stored fields (constant-time compare)."""
    return hmac.compare_digest(sign(certificate).encode(), (certificate.signature or "").encode())


def seal(certificate: Certificate) -> list[str]:
    """Sign the certificate's current fields: the HMAC and the SM2 signature with the active key
    (docs/rules/audit.md §Z12). Returns the fields written, for ``save(update_fields=…)``."""
    certificate.signature = sign(certificate)
    certificate.sm2_key_id, certificate.sm2_signature = keys.sign(canonical(certificate))
    return ["signature", "sm2_key_id", "sm2_signature"]


def sm2_valid(certificate: Certificate) -> bool | None:
    """The SM2 check: True or False, None for a certificate issued before SM2 signing."""
    if not certificate.sm2_signature:
        return None
    return keys.verify(certificate.sm2_key_id, canonical(certificate), certificate.sm2_signature)


def signature_valid(certificate: Certificate) -> bool:
    """True when the stored fields match the HMAC and, when it has one, the SM2 signature."""
    return hmac_valid(certificate) and sm2_valid(certificate) is not False
