"""SM3 (GB/T 32905-2016), the hash the audit chain uses (docs/rules/audit.md §Z3).

``gmssl`` (pure Python) is the dependency that guarantees SM3 on every machine; it costs about
10 ms a hash here. OpenSSL 3 ships SM3 too and Python's ``hashlib`` reaches it at about 15 µs,
so the OpenSSL digest is used whenever it is present and gmssl otherwise. Both give the same
digest (tested against the standard's example, ``sm3_hex(b"abc")``).
"""

from __future__ import annotations

import hashlib

from gmssl import func, sm3


def _openssl_has_sm3() -> bool:
    try:
        hashlib.new("sm3")
    except ValueError:
        return False
    return True


OPENSSL_SM3 = _openssl_has_sm3()


def sm3_hex_gmssl(data: bytes) -> str:
    """The SM3 digest of ``data`` in lower-case hex, computed by gmssl."""
    return str(sm3.sm3_hash(func.bytes_to_list(data)))


def sm3_hex(data: bytes) -> str:
    """The SM3 digest of ``data`` in lower-case hex (64 characters)."""
    if OPENSSL_SM3:
        return hashlib.new("sm3", data).hexdigest()
    return sm3_hex_gmssl(data)
