"""SM2 signatures on certificates (docs/rules/audit.md §Z12): every certificate is signed with
the active key, the key id is recorded, a change the HMAC key could cover still fails the SM2
check, rotation keeps old certificates verifying, and certificates from before SM2 keep their HMAC."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from onewindow.audit import keys
from onewindow.audit.models import SigningKey
from onewindow.certificates import signing
from onewindow.certificates.models import Certificate
from onewindow.lib import sm2


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


def verify_page(client: Client, certificate: Certificate) -> str:
    url = reverse("certificates:verify_token", args=[certificate.token])
    return str(client.get(url).content.decode())


def test_sm2_signs_and_verifies_and_refuses_anything_else() -> None:
    private, public = sm2.keypair_generate()
    signature = sm2.sign(private, public, "食品经营许可证".encode())
    assert sm2.verify(public, "食品经营许可证".encode(), signature)
    assert not sm2.verify(public, "食品经营许可证 ".encode(), signature)
    _other_private, other_public = sm2.keypair_generate()
    assert not sm2.verify(other_public, "食品经营许可证".encode(), signature)
    for bad in ("", "zz" * 64, "0" * 128, signature[:-2], "f" * 128):
        assert not sm2.verify(public, b"x", bad)
    # a fresh nonce every time: two signatures of the same bytes differ, both verify
    again = sm2.sign(private, public, b"same")
    assert again != sm2.sign(private, public, b"same") and sm2.verify(public, b"same", again)


@pytest.mark.skipif(not sm2.NATIVE, reason="tongsuopy (a dependency) is not installed")
def test_tongsuo_and_gmssl_accept_each_others_keys_and_signatures() -> None:
    """The native path (Tongsuo) and the pure-Python one (gmssl) are interchangeable: the same
    public key from a private one, and each verifies what the other signed, refusing a change."""
    for _ in range(5):
        private, public = sm2.keypair_generate()
        assert sm2.public_key_of(private, native=False) == public
        for signer in (True, False):
            signature = sm2.sign(private, public, "准予行政许可决定书".encode(), native=signer)
            for checker in (True, False):
                assert sm2.verify(public, "准予行政许可决定书".encode(), signature, native=checker)
                assert not sm2.verify(
                    public, "准予行政许可决定".encode(), signature, native=checker
                )
    assert not sm2.verify("0" * 128, b"x", signature, native=True)  # not a point on the curve


def test_a_public_key_starting_with_04_signs_and_verifies() -> None:
    """gmssl's constructor takes a key starting with "04" for a prefixed point and strips it with
    lstrip("04"), eating every leading 0 and 4 digit: one key in 256 signed what it could never
    verify (a demo test failed on one in CI). ``lib.sm2`` hands gmssl the key untouched."""
    found = 0
    for _ in range(6000):
        private, public = sm2.keypair_generate()
        if public.startswith("04"):
            for data in (b"decision", "许可".encode()):
                for native in {sm2.NATIVE, False}:  # gmssl's path is the one that had the bug
                    signature = sm2.sign(private, public, data, native=native)
                    assert sm2.verify(public, data, signature, native=native), public[:8]
            found += 1
            if found == 2:
                break
    assert found == 2


def test_an_issued_certificate_carries_an_sm2_signature_and_its_key(certificate, settings):
    assert certificate.sm2_key_id and len(certificate.sm2_signature) == 128
    key = SigningKey.objects.get(key_id=certificate.sm2_key_id)
    assert sm2.verify(key.public_key, signing.canonical(certificate), certificate.sm2_signature)
    private_file = settings.SIGNING_KEY_DIR / f"{key.key_id}.sm2"
    assert private_file.stat().st_mode & 0o077 == 0  # readable by the server only
    assert key.public_key not in private_file.read_text()
    assert signing.sm2_valid(certificate) is True


def test_a_change_the_hmac_could_cover_still_fails_the_sm2_check(client, certificate):
    """Someone with database access and the HMAC key re-signs a changed row: SM2 catches it."""
    certificate.holder_name = "李四"
    certificate.signature = signing.sign(certificate)  # the HMAC recomputed
    Certificate.objects.filter(pk=certificate.pk).update(
        holder_name="李四", signature=certificate.signature
    )
    changed = Certificate.objects.get(pk=certificate.pk)
    assert signing.hmac_valid(changed)
    assert signing.sm2_valid(changed) is False
    assert not signing.signature_valid(changed)
    html = verify_page(client, changed)
    assert 'data-state="tampered"' in html and "李四" not in html


def test_the_verification_page_and_api_name_the_sm2_key(client, certificate):
    html = verify_page(client, certificate)
    assert 'data-signed-with="sm2"' in html and certificate.sm2_key_id in html
    body = client.get(f"/api/v1/certificates/verify/{certificate.token}/").json()
    assert body["signed_with"] == "sm2" and body["key_id"] == certificate.sm2_key_id


def test_a_certificate_from_before_sm2_still_verifies_by_its_hmac(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(sm2_key_id="", sm2_signature="")
    old = Certificate.objects.get(pk=certificate.pk)
    assert signing.sm2_valid(old) is None and signing.signature_valid(old)
    html = verify_page(client, old)
    assert 'data-state="valid"' in html and 'data-signed-with="hmac"' in html


def test_rotation_signs_new_certificates_and_old_ones_keep_verifying(certificate, personas):
    old_key = certificate.sm2_key_id
    new_key = keys.key_generate(actor=personas.security)
    assert keys.key_active()[0].key_id == new_key.key_id
    assert signing.signature_valid(Certificate.objects.get(pk=certificate.pk))
    key_id, signature = keys.sign(b"next certificate")
    assert key_id == new_key.key_id != old_key
    assert keys.verify(key_id, b"next certificate", signature)
    assert not keys.verify(old_key, b"next certificate", signature)


def test_a_private_key_file_that_does_not_match_is_refused(certificate, settings):
    key = SigningKey.objects.get(key_id=certificate.sm2_key_id)
    other_private, _public = sm2.keypair_generate()
    (settings.SIGNING_KEY_DIR / f"{key.key_id}.sm2").write_text(other_private)
    with pytest.raises(keys.SigningKeyMissing):
        keys.sign(b"x")


def test_the_security_administrator_rotates_keys_page_and_api(personas, certificate):
    security = Client()
    security.force_login(personas.security)
    page = security.get("/security/keys/").content.decode()
    assert certificate.sm2_key_id in page and "（当前）" in page
    assert security.post("/security/keys/").status_code == 302
    assert SigningKey.objects.count() == 2
    listed = security.get("/api/v1/security/signing-keys/").json()
    assert [k["current"] for k in listed] == [True, False]
    assert listed[1]["key_id"] == certificate.sm2_key_id and all(k["present"] for k in listed)
    assert security.post("/api/v1/security/signing-keys/").status_code == 201
    assert SigningKey.objects.count() == 3


@pytest.mark.parametrize("name", ["admin", "auditor", "approver_a", "applicant"])
def test_nobody_else_sees_or_rotates_the_keys(personas, certificate, name):
    other = Client()
    other.force_login(personas.get(name))
    assert other.get("/security/keys/").status_code == 404
    assert other.post("/security/keys/").status_code == 404
    assert other.get("/api/v1/security/signing-keys/").status_code == 404
    assert other.post("/api/v1/security/signing-keys/").status_code == 404
    assert SigningKey.objects.count() == 1


def test_a_signing_key_row_is_append_only(certificate):
    from onewindow.audit.append_only import AppendOnlyError

    key = SigningKey.objects.get()
    key.public_key = "0" * 128
    with pytest.raises(AppendOnlyError):
        key.save()
    with pytest.raises(AppendOnlyError):
        SigningKey.objects.update(public_key="0" * 128)
