"""Personal data at rest (docs/rules/privacy.md §P1–§P5): SM4 sealing, blind indexes, keys and
rotation, masking and the logged full view, the retention job, the console and its API."""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from onewindow.accounts.models import User, identity_q, person_username
from onewindow.accounts.roles import Role
from onewindow.accounts.services import applicant_register_person
from onewindow.audit.models import AccessKind, CaseAccess, SecurityEvent
from onewindow.cases.models import Case, CaseStatus
from onewindow.certificates import services as certificate_services
from onewindow.certificates.models import Certificate, CertificateStatus, Delivery
from onewindow.certificates.tests.conftest import (
    accepted_case,
    grant_for_test,
    issue,
)
from onewindow.core import personal_data as pd
from onewindow.lib import sm4
from onewindow.lib.idnumbers import (
    make_citizen_id,
    mask_address,
    mask_id_number,
    mask_phone,
)
from onewindow.notifications.models import OutboxMessage
from onewindow.privacy import services
from onewindow.privacy.models import Anonymisation
from onewindow.testing import EZHOU, Personas, sent_to


def fresh_id() -> str:
    """An ID number no test has used: other dates, other sequences (build the rule)."""
    born = dt.date(1950, 1, 1) + dt.timedelta(days=random.randrange(20_000))
    return make_citizen_id(EZHOU, born, random.randrange(1, 999))


def fresh_phone() -> str:
    return f"139{random.randrange(10_000_000, 99_999_999)}"


# --- the cipher (docs/rules/privacy.md §P1) ----------------------------------------------
def test_openssl_and_gmssl_give_the_same_sm4_bytes() -> None:
    key, iv = secrets.token_bytes(16), secrets.token_bytes(16)
    for n in range(0, 49):
        data = secrets.token_bytes(n)
        ours = sm4.cbc_encrypt(key, iv, data, use_openssl=False)
        if sm4.OPENSSL_SM4:
            assert sm4.cbc_encrypt(key, iv, data, use_openssl=True) == ours
            assert sm4.cbc_decrypt(key, iv, ours, use_openssl=True) == data
        assert sm4.cbc_decrypt(key, iv, ours, use_openssl=False) == data


def test_the_standards_sm4_example() -> None:
    """GB/T 32907-2016 Appendix A.1: one block under its own key."""
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    sealed = sm4.cbc_encrypt(key, b"\0" * 16, key, use_openssl=False)
    assert sealed[:16].hex() == "681edf34d206965e86b3e94f536e4246"


def test_hmac_sm3_without_openssl_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = sm4.hmac_sm3(b"k" * 70, b"abc")
    monkeypatch.setattr(sm4, "OPENSSL_SM3", False)
    assert sm4.hmac_sm3(b"k" * 70, b"abc") == expected


def test_a_changed_byte_or_another_key_does_not_open() -> None:
    enc, mac = secrets.token_bytes(16), secrets.token_bytes(32)
    sealed = bytearray(sm4.seal(enc, mac, b"13907110001"))
    assert sm4.unseal(enc, mac, bytes(sealed)) == b"13907110001"
    sealed[20] ^= 1
    with pytest.raises(sm4.SealBroken):
        sm4.unseal(enc, mac, bytes(sealed))
    with pytest.raises(sm4.SealBroken):
        sm4.unseal(enc, secrets.token_bytes(32), sm4.seal(enc, mac, b"x"))


# --- the fields (docs/rules/privacy.md §P1, §P2) ------------------------------------------
def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_a_users_numbers_are_sealed_and_found_through_the_blind_index(db: Any) -> None:
    number, phone = fresh_id(), fresh_phone()
    user = applicant_register_person(
        full_name="林静", id_number=number, phone=phone, password="Ezhou-citizen-2026"
    )
    stored = _raw("accounts_user", "id_number", user.pk)
    assert stored.startswith("sm4$") and number not in stored
    assert phone not in _raw("accounts_user", "phone", user.pk)
    assert user.username == person_username(number) and number not in user.username
    again = User.objects.get(pk=user.pk)
    assert (again.id_number, again.phone) == (number, phone)
    assert User.objects.get(identity_q("id_number", number)) == user
    assert User.objects.get(identity_q("phone", phone)) == user
    with pytest.raises(TypeError, match="sealed"):
        User.objects.filter(id_number=number).exists()
    assert not User.objects.filter(pk=user.pk, id_number="").exists()  # "not given" still works
    # Unique through the index, whatever the random IV made of the sealed text.
    twin = User(username="twin", id_number=number, role=Role.APPLICANT)
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_update_fields_keeps_the_index_in_step(db: Any) -> None:
    user = User.objects.create(username="u1", phone=fresh_phone())
    user.phone = phone = fresh_phone()
    user.save(update_fields=["phone"])
    assert User.objects.get(identity_q("phone", phone)) == user


def test_the_application_form_is_sealed_whole(granted: Case) -> None:
    address = "鄂州市鄂城区滨湖南路" + str(random.randrange(1, 999)) + "号"
    granted.form_data = {"address": address, "note": "门面"}
    granted.save(update_fields=["form_data"])
    raw = _raw("cases_case", "form_data", granted.pk)
    assert address not in raw and "sm4$" in raw
    assert Case.objects.get(pk=granted.pk).form_data == {"address": address, "note": "门面"}
    Case.objects.filter(pk=granted.pk).update(form_data={"address": "x"})  # update() seals too
    assert "sm4$" in _raw("cases_case", "form_data", granted.pk)
    assert Case.objects.get(pk=granted.pk).form_data == {"address": "x"}


def test_people_sign_in_with_their_numbers(db: Any) -> None:
    number, phone = fresh_id(), fresh_phone()
    applicant_register_person(
        full_name="林静", id_number=number, phone=phone, password="Ezhou-citizen-2026"
    )
    for login in (number, number.lower(), phone):
        assert Client().login(username=login, password="Ezhou-citizen-2026"), login


def test_a_failed_sign_in_with_an_unknown_number_leaves_no_number(db: Any) -> None:
    from axes.models import AccessAttempt

    number = fresh_id()
    response = Client().post(
        "/accounts/login/", {"username": number, "password": "wrong-password-1"}
    )
    assert response.status_code == 200
    (attempt,) = AccessAttempt.objects.all()
    assert number not in attempt.username and number not in attempt.post_data


# --- keys (docs/rules/privacy.md §P3) ------------------------------------------------------
@pytest.fixture
def own_keys(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_KEY_DIR = tmp_path / "data-keys"
    return Path(settings.DATA_KEY_DIR)


def test_keys_are_files_of_their_own_made_at_first_use(own_keys: Path) -> None:
    sealed = pd.encrypt("13907110001")
    files = sorted(p.name for p in own_keys.iterdir())
    assert files[0] == "index.key" and files[1].startswith("sm4-") and len(files) == 2
    assert all(os.stat(own_keys / f).st_mode & 0o777 == 0o600 for f in files)
    assert pd.key_of(sealed) == files[1].removesuffix(".key")


def test_rotation_reseals_everything_and_old_keys_can_go(db: Any, own_keys: Path) -> None:
    phone = fresh_phone()
    user = User.objects.create(username="rot", phone=phone, id_number=fresh_id())
    old = pd.key_of(_raw("accounts_user", "phone", user.pk))
    new = pd.key_rotate()
    assert new != old and pd.keyring().current.key_id == new  # type: ignore[union-attr]
    assert User.objects.get(pk=user.pk).phone == phone  # the old key still opens it
    assert pd.reseal_all() >= 2
    assert pd.key_of(_raw("accounts_user", "phone", user.pk)) == new
    assert set(pd.key_usage()) == {new}
    (own_keys / f"{old}.key").unlink()
    assert User.objects.get(pk=user.pk).phone == phone
    assert User.objects.get(identity_q("phone", phone)) == user  # the index key never rotates


def test_a_missing_key_is_an_error_not_garbage(db: Any, own_keys: Path) -> None:
    user = User.objects.create(username="lost", phone=fresh_phone())
    key_id = pd.key_of(_raw("accounts_user", "phone", user.pk))
    (own_keys / f"{key_id}.key").unlink()
    pd.keyring().load()
    with pytest.raises(pd.PersonalDataKeyMissing):
        User.objects.get(pk=user.pk)


# --- Must show: no identity number in clear in the database file ----------------------------
def _text_columns() -> list[tuple[str, str]]:
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                found.append((table, column.name))
    return found


def _tables_holding(value: str) -> list[str]:
    quote = connection.ops.quote_name
    hits = []
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            cursor.execute(
                f"SELECT COUNT(*) FROM {quote(table)} WHERE CAST({quote(column)} AS TEXT) LIKE %s",
                [f"%{value}%"],
            )
            if cursor.fetchone()[0]:
                hits.append(f"{table}.{column}")
    return hits


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_identity_number_phone_or_address_in_clear_anywhere_in_the_database(
    personas: Personas, version: Any, region: Any, tmp_path: Path
) -> None:
    """A case from registration to delivery, by page and service, then the database file's raw
    bytes (SQLite, with its WAL) and every column of every table (both backends) are searched for
    the applicant's and the receiver's numbers, the phones and the address."""
    number, phone = fresh_id(), fresh_phone()
    client = Client()
    response = client.post(
        "/accounts/register/person/",
        {
            "full_name": "欧阳明",
            "id_number": number,
            "phone": phone,
            "password": "Ezhou-citizen-2026",
            "password_confirm": "Ezhou-citizen-2026",
        },
    )
    assert response.status_code == 302
    applicant = User.objects.get(identity_q("id_number", number))
    case = accepted_case(version, applicant=applicant, clerk=personas.clerk, region=region)
    address = f"鄂州市华容区葛店镇{random.randrange(100, 999)}号"
    Case.objects.filter(pk=case.pk).update(form_data={"site": address, "mobile": phone})
    grant_for_test(case, approver=personas.approver_a)
    issue(case, Case.objects.get(pk=case.pk).decision)
    receiver = fresh_id()
    certificate_services.delivery_choose(
        case=case, actor=applicant, method="post", address=address, phone=phone
    )
    OutboxMessage.objects.create(
        channel="sms",
        recipient=phone,
        body="您的证照已寄出。",
        subject="送达",
        next_attempt_at=dt.datetime(2025, 10, 1, tzinfo=dt.UTC),
        created_at=dt.datetime(2025, 10, 1, tzinfo=dt.UTC),
    )
    Delivery.objects.filter(case=case).update(receiver_id_number=receiver)
    assert Certificate.objects.get(case=case).holder_id_number == number
    secrets_ = [number, receiver, phone, address]
    for value in secrets_:
        assert _tables_holding(value) == [], value
    if connection.vendor == "sqlite":
        path = Path(str(connection.settings_dict["NAME"]))
        if path.exists():  # the file the suite runs on (scripts/test.sh), and its WAL
            raw = path.read_bytes() + (
                Path(f"{path}-wal").read_bytes() if Path(f"{path}-wal").exists() else b""
            )
        else:  # an in-memory test database: its pages, copied to a file by SQLite itself
            copy = tmp_path / "copy.sqlite3"
            target = sqlite3.connect(copy)
            connection.connection.backup(target)
            target.close()
            raw = copy.read_bytes()
        for value in secrets_:
            assert value.encode() not in raw, value
            assert value.encode("utf-16-le") not in raw, value


# --- masking and the logged full view (docs/rules/privacy.md §P4) --------------------------
def test_the_masks() -> None:
    assert mask_phone("13907110001") == "139****0001"
    assert mask_address("鄂州市鄂城区滨湖南路1号") == "鄂州市鄂城区******"
    assert mask_address("鄂州市") == "鄂州*"
    assert mask_id_number("11010519491231002X") == "1101**********002X"


def test_a_staff_full_view_is_logged_and_a_masked_one_is_not(
    personas: Personas, certificate: Any
) -> None:
    case = certificate.case
    clerk = Client()
    clerk.force_login(personas.clerk)
    page = clerk.get(f"/intake/{case.pk}/").content.decode()
    assert personas.applicant.id_number in page and personas.applicant.phone in page
    (full,) = CaseAccess.objects.filter(case_id=case.pk, kind=AccessKind.PERSONAL)
    assert full.user_id == personas.clerk.pk
    supervisor = Client()
    supervisor.force_login(personas.supervisor)
    api = supervisor.get(f"/api/v1/cases/{case.pk}/certificate/").json()
    assert api["certificate"]["holder_id_number"] == mask_id_number(personas.applicant.id_number)
    assert not CaseAccess.objects.filter(
        kind=AccessKind.PERSONAL, user=personas.supervisor
    ).exists()
    # The applicant reading their own case leaves no record, as for every view.
    own = Client()
    own.force_login(personas.applicant)
    assert own.get(f"/cases/{case.pk}/certificate/").status_code == 200
    assert CaseAccess.objects.filter(kind=AccessKind.PERSONAL).count() == 1


def test_the_delivery_event_keeps_the_address_masked(personas: Personas, certificate: Any) -> None:
    address = "鄂州市鄂城区滨湖南路1号"
    certificate_services.delivery_choose(
        case=certificate.case,
        actor=personas.applicant,
        method="post",
        address=address,
        phone="13907110001",
    )
    event = certificate.case.events.get(action="delivery_chosen")
    assert event.data["address"] == mask_address(address)
    assert all(address not in m.body for m in sent_to(personas.applicant.phone))
    # The API: in full for the deciding department, masked for the supervisor.
    url = f"/api/v1/cases/{certificate.case_id}/certificate/"
    for name, shown, phone in (
        ("clerk", address, "13907110001"),
        ("supervisor", mask_address(address), mask_phone("13907110001")),
    ):
        client = Client()
        client.force_login(personas.get(name))
        delivery = client.get(url).json()["delivery"]
        assert (delivery["address"], delivery["recipient_phone"]) == (shown, phone), name


# --- retention (docs/rules/privacy.md §P5) -------------------------------------------------
def _close(case: Case, when: dt.datetime) -> None:
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.COMPLETED, closed_at=when)


def test_retention_anonymises_old_closed_cases_only(
    personas: Personas, certificate: Any, version: Any, region: Any, settings: Any
) -> None:
    settings.PERSONAL_DATA_RETENTION_YEARS = 3
    now = dt.datetime(2030, 6, 1, 9, tzinfo=dt.UTC)
    old = certificate.case
    Case.objects.filter(pk=old.pk).update(form_data={"site": "鄂州市鄂城区古楼街道1号"})
    certificate_services.delivery_choose(
        case=old,
        actor=personas.applicant,
        method="post",
        address="鄂州市鄂城区古楼街道1号",
        phone="13907110001",
    )
    _close(old, dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    # still in force: kept, however old
    assert not services.retention_due(now).exists()
    Certificate.objects.filter(pk=certificate.pk).update(status=CertificateStatus.CANCELLED)
    # a walk-in record (no password, never signed in) whose only case is old
    walk_in = User(
        username=person_username(number := fresh_id()),
        id_number=number,
        phone=fresh_phone(),
        full_name="窗口登记人",
        role=Role.APPLICANT,
        applicant_kind="person",
    )
    walk_in.set_unusable_password()
    walk_in.save()
    theirs = accepted_case(version, applicant=walk_in, clerk=personas.clerk, region=region)
    _close(theirs, dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    recent = accepted_case(
        version, applicant=personas.applicant, clerk=personas.clerk, region=region
    )
    _close(recent, dt.datetime(2029, 1, 1, tzinfo=dt.UTC))

    assert set(services.retention_due(now)) == {old, theirs}
    assert services.retention_run(now=now) == 2
    assert services.retention_run(now=now) == 0  # once
    old.refresh_from_db()
    assert old.form_data == {} and Anonymisation.objects.get(case=old).values >= 4
    holder = Certificate.objects.get(pk=certificate.pk).holder_id_number
    assert holder == mask_id_number(personas.applicant.id_number)
    delivery = Delivery.objects.get(case=old)
    assert (delivery.address, delivery.recipient_phone) == ("", "")
    assert all(not m.recipient and not m.body for m in OutboxMessage.objects.filter(case=old))
    walk_in.refresh_from_db()
    assert (walk_in.id_number, walk_in.phone, walk_in.is_active) == ("", "", False)
    assert not User.objects.filter(identity_q("id_number", number)).exists()
    personas.applicant.refresh_from_db()
    assert personas.applicant.id_number  # a registered account is the person's own: kept
    assert not Anonymisation.objects.filter(case=recent).exists()


# --- the console and its API (security administrator only) ---------------------------------
@pytest.mark.parametrize(
    "name", ["security", "admin", "auditor", "supervisor", "clerk", "applicant"]
)
def test_only_the_security_administrator_reaches_the_console(
    own_keys: Path, personas: Personas, name: str
) -> None:
    client = Client()
    client.force_login(personas.get(name))
    page = client.get("/security/personal-data/")
    api = client.get("/api/v1/security/personal-data/")
    rotate = client.post("/api/v1/security/personal-data/rotate/")
    if name == "security":
        assert (page.status_code, api.status_code, rotate.status_code) == (200, 200, 201)
        assert "个人信息保护" in page.content.decode()
        assert api.json()["current_key"].startswith("sm4-")
        assert rotate.json()["key_id"] != api.json()["current_key"]
        assert SecurityEvent.objects.filter(action="data_key_rotated").count() == 1
    else:
        assert (page.status_code, api.status_code, rotate.status_code) == (404, 404, 404)
        assert not SecurityEvent.objects.filter(action="data_key_rotated").exists()


def test_the_console_runs_the_retention_job_and_rotates(own_keys: Path, personas: Personas) -> None:
    client = Client()
    client.force_login(personas.security)
    before = pd.keyring().current.key_id  # type: ignore[union-attr]
    response = client.post("/security/personal-data/", {"action": "rotate"}, follow=True)
    assert "已启用新密钥" in response.content.decode()
    assert pd.keyring().current.key_id != before  # type: ignore[union-attr]
    response = client.post("/security/personal-data/", {"action": "retention"}, follow=True)
    assert "已匿名化到期办件 0 件" in response.content.decode()
    response = client.post("/security/personal-data/", {"action": "nonsense"}, follow=True)
    assert "无法识别的操作" in response.content.decode()
    assert client.post("/api/v1/security/personal-data/retention/").json() == {"anonymised": 0}
    assert SecurityEvent.objects.filter(action="retention_run").count() == 2
