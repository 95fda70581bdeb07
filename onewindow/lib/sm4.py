"""SM4 (GB/T 32907-2016) sealing of short values: the cipher personal data is kept in at rest
(docs/rules/privacy.md §P1).

A sealed value is ``iv (16) | SM4-CBC ciphertext (PKCS#7) | tag (16)`` where the tag is the
first 16 bytes of HMAC-SM3 over the associated data, the IV and the ciphertext
(encrypt-then-MAC): a changed byte, or a value copied to another column, fails to open instead of
decrypting to something else.

SM4 itself comes from ``cryptography`` (OpenSSL's SM4, about 5 µs a value) when that build has
it, and from ``gmssl`` (pure Python, about 170 µs a value) otherwise; both give the same bytes
(tested). HMAC-SM3 is Python's ``hmac`` over OpenSSL's SM3 when present, gmssl's otherwise.
"""

from __future__ import annotations

import hmac
import secrets

from gmssl import sm4 as gmssl_sm4

from onewindow.lib.sm3 import OPENSSL_SM3, sm3_hex_gmssl

try:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    Cipher(algorithms.SM4(b"\0" * 16), modes.CBC(b"\0" * 16)).encryptor()
    OPENSSL_SM4 = True
except Exception:
    OPENSSL_SM4 = False

BLOCK = 16
TAG = 16


class SealBroken(ValueError):
    """A sealed value whose tag does not match: altered, truncated or sealed under another key."""


def _pad(data: bytes) -> bytes:
    n = BLOCK - len(data) % BLOCK
    return data + bytes([n]) * n


def _unpad(data: bytes) -> bytes:
    n = data[-1] if data else 0
    if not 1 <= n <= BLOCK or data[-n:] != bytes([n]) * n:
        raise SealBroken("bad padding")
    return data[:-n]


def cbc_encrypt(
    key: bytes, iv: bytes, plaintext: bytes, *, use_openssl: bool = OPENSSL_SM4
) -> bytes:
    """SM4-CBC with PKCS#7 padding."""
    if use_openssl:
        encryptor = Cipher(algorithms.SM4(key), modes.CBC(iv)).encryptor()
        return encryptor.update(_pad(plaintext)) + encryptor.finalize()  # type: ignore[no-any-return]
    cipher = gmssl_sm4.CryptSM4()
    cipher.set_key(key, gmssl_sm4.SM4_ENCRYPT)
    return bytes(cipher.crypt_cbc(iv, plaintext))  # gmssl pads with PKCS#7 itself


def cbc_decrypt(
    key: bytes, iv: bytes, ciphertext: bytes, *, use_openssl: bool = OPENSSL_SM4
) -> bytes:
    if not ciphertext or len(ciphertext) % BLOCK:
        raise SealBroken("ciphertext length")
    if use_openssl:
        decryptor = Cipher(algorithms.SM4(key), modes.CBC(iv)).decryptor()
        return _unpad(decryptor.update(ciphertext) + decryptor.finalize())
    cipher = gmssl_sm4.CryptSM4()
    cipher.set_key(key, gmssl_sm4.SM4_DECRYPT)
    return bytes(cipher.crypt_cbc(iv, ciphertext))  # gmssl strips the PKCS#7 padding


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC (RFC 2104) over SM3."""
    if OPENSSL_SM3:
        return hmac.new(key, data, "sm3").digest()
    block = 64
    if len(key) > block:
        key = bytes.fromhex(sm3_hex_gmssl(key))
    key = key.ljust(block, b"\0")
    inner = bytes.fromhex(sm3_hex_gmssl(bytes(k ^ 0x36 for k in key) + data))
    return bytes.fromhex(sm3_hex_gmssl(bytes(k ^ 0x5C for k in key) + inner))


def seal(enc_key: bytes, mac_key: bytes, plaintext: bytes, *, aad: bytes = b"") -> bytes:
    """Encrypt ``plaintext`` under a fresh random IV and append its tag."""
    iv = secrets.token_bytes(BLOCK)
    body = iv + cbc_encrypt(enc_key, iv, plaintext)
    return body + hmac_sm3(mac_key, aad + body)[:TAG]


def unseal(enc_key: bytes, mac_key: bytes, sealed: bytes, *, aad: bytes = b"") -> bytes:
    """The plaintext of ``sealed``; ``SealBroken`` if its tag does not match."""
    if len(sealed) < 2 * BLOCK + TAG:
        raise SealBroken("too short")
    body, tag = sealed[:-TAG], sealed[-TAG:]
    if not hmac.compare_digest(hmac_sm3(mac_key, aad + body)[:TAG], tag):
        raise SealBroken("tag")
    return cbc_decrypt(enc_key, body[:BLOCK], body[BLOCK:])
