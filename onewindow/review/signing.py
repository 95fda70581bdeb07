"""The SM2 signature of a licensing decision (docs/rules/audit.md §Z12).

A decision is made once and never changed. At that moment it is signed with the active SM2 key
(``audit.keys``) over its content and the fingerprint the case already keeps of every file it was
decided on (each stored file's SHA-256, by checklist material). A later change to
the decision row, or to a file it was decided on, no longer verifies.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from onewindow.audit import keys
from onewindow.cases.models import CaseFile
from onewindow.review.models import Decision

SIGNATURE_VERSION = "v1"


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def documents(case_id: int) -> list[list[Any]]:
    """[material id, file SHA-256] of every file of the case, in a fixed order."""
    rows = CaseFile.objects.filter(case_material__case_id=case_id).values_list(
        "case_material__material_id", "stored__sha256"
    )
    return sorted([material, digest] for material, digest in rows)


def canonical(decision: Decision) -> bytes:
    """The bytes the signature covers: the decision's fields and its documents' hashes."""
    fields: dict[str, Any] = {
        "version": SIGNATURE_VERSION,
        "case": decision.case_id,
        "kind": decision.kind,
        "reasons": decision.reasons,
        "remedies": decision.remedies,
        "conditions": decision.conditions,
        "decided_by": decision.decided_by_id,
        "decided_on": _date(decision.decided_on),
        "certificate_due": _date(decision.certificate_due),
        "at": decision.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "documents": documents(decision.case_id),
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def seal(decision: Decision) -> None:
    """Sign the (unsaved or just made) decision with the active key."""
    decision.sm2_key_id, decision.sm2_signature = keys.sign(canonical(decision))


def sm2_valid(decision: Decision) -> bool | None:
    """True or False; None for a decision made before SM2 signing."""
    if not decision.sm2_signature:
        return None
    return keys.verify(decision.sm2_key_id, canonical(decision), decision.sm2_signature)
