"""SM2 signatures (GB/T 32918, "SM3withSM2") over bytes, with gmssl's curve arithmetic.

gmssl is pure Python and well kept; it does the point arithmetic and the SM3-with-Z digest of
GB/T 32918.2 (the default signer id ``1234567812345678``). Two things it leaves to the caller are
done here: the private key and each signature's nonce ``k`` come from ``secrets`` (gmssl's own
``random_hex`` uses the ``random`` module, and a predictable ``k`` gives the private key away), and
a signature the arithmetic rejects (r = 0, r + k = n, s = 0) is retried with a new ``k``.

Keys and signatures are lower-case hex: a private key 64 digits, a public key 128 (x ‖ y), a
signature 128 (r ‖ s).
"""

from __future__ import annotations

import secrets

from gmssl import sm2

CURVE = sm2.default_ecc_table
N = int(CURVE["n"], 16)
_HEX = frozenset("0123456789abcdef")


def _random_scalar() -> int:
    """Uniform in [1, n - 2] (GB/T 32918.1: a private key must not be n - 1)."""
    return secrets.randbelow(N - 2) + 1


def keypair_generate() -> tuple[str, str]:
    """A new (private, public) key pair in hex."""
    private = _random_scalar()
    public = sm2.CryptSM2(private_key="", public_key="")._kg(private, CURVE["g"])
    return f"{private:064x}", str(public)


def public_key_of(private_hex: str) -> str:
    return str(sm2.CryptSM2(private_key="", public_key="")._kg(int(private_hex, 16), CURVE["g"]))


def _crypt(private_hex: str, public_hex: str) -> sm2.CryptSM2:
    """gmssl's signer with the public key as given: its constructor drops a "04" prefix with
    ``lstrip("04")``, which also eats any leading 0 and 4 digits of the key itself (one key in
    eight), after which nothing it signed verifies."""
    crypt = sm2.CryptSM2(private_key=private_hex, public_key="")
    crypt.public_key = public_hex
    return crypt


def sign(private_hex: str, public_hex: str, data: bytes) -> str:
    """The SM3withSM2 signature of ``data``."""
    signer = _crypt(private_hex, public_hex)
    while True:
        signature = signer.sign_with_sm3(data, f"{_random_scalar():064x}")
        if signature:
            return str(signature)


def verify(public_hex: str, data: bytes, signature: str) -> bool:
    """True when ``signature`` is ``data``'s under ``public_hex``; False for any malformed input."""
    if len(signature) != 128 or not set(signature) <= _HEX or len(public_hex) != 128:
        return False
    r, s = int(signature[:64], 16), int(signature[64:], 16)
    if not (0 < r < N and 0 < s < N):
        return False
    try:
        return bool(_crypt("", public_hex).verify_with_sm3(signature, data))
    except (ValueError, ZeroDivisionError, TypeError):
        return False
