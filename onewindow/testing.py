"""Shared test personas: one named user per role, built with the real services.

A pytest plugin. The root conftest loads it with ``pytest_plugins = ["onewindow.testing"]``;
then any test asks for the ``personas`` fixture::

    def test_reviewers_see_only_their_department(client, personas):
        client.force_login(personas.reviewer_b)
        ...

Every persona's password is ``PASSWORD``. ``personas.dept_a`` (鄂州市市场监督管理局) holds the
clerk, handler, reviewer, approver, chief and ``head_a``, the agency head (机关负责人) who
approves extensions; ``gov_head`` is the government head (本级人民政府负责人, in no department)
who approves joint-handling extensions; ``personas.dept_b`` (鄂州市住房和城乡建设局) holds
``reviewer_b``; ``personas.window`` is the clerk's window, serving department A. ``outsider`` is an
applicant with no relation to anything.

While the fixture is in use, passwords are hashed with a fast hasher first in the list (Argon2,
the production hasher, costs about 0.2 s per hash); Argon2 hashes are still verified.

Staff sign in with a second factor (docs/decisions.md §S6). Every staff persona is enrolled (a
confirmed TOTP device); ``otp_code(user)`` is the code their authenticator would show, for tests
that sign in through the real pages. ``Client.force_login`` stands for the whole sign-in: for a
staff user it enrols them when needed and marks the session verified, as the second-factor page
does (``sign_in``). A test of the second factor itself signs in with ``client.login`` or the login
page, which give a password-only session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import pytest
from django.test import Client, override_settings
from django.test.client import ClientMixin
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from onewindow.accounts import services
from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.accounts.second_factor import VERIFIED_KEY, current_code, needs_second_factor
from onewindow.audit.triggers import triggers_suspended
from onewindow.catalog.models import Department, Window
from onewindow.core import clock
from onewindow.lib.idnumbers import make_citizen_id, make_credit_code
from onewindow.notifications.models import OutboxMessage

__all__ = [
    "PASSWORD",
    "PERSONA_NAMES",
    "Personas",
    "browser_sign_in",
    "enrol",
    "login_with_code",
    "make_personas",
    "otp_code",
    "personas",
    "sign_in",
]

PASSWORD = "Test-pass-123"
EZHOU = "420700"  # 鄂州市 administrative division code
FAST_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
DEPT_A = ("SCJG", "鄂州市市场监督管理局")
DEPT_B = ("ZJJ", "鄂州市住房和城乡建设局")

# name, role, full name, department ("a"/"b"/None)
STAFF = (
    ("agent", Role.AGENT, "李娜（代办员）", None),
    ("clerk", Role.CLERK, "王芳", "a"),
    ("handler_a", Role.HANDLER, "刘洋", "a"),
    ("reviewer_a", Role.REVIEWER, "陈静", "a"),
    ("reviewer_b", Role.REVIEWER, "杨磊", "b"),
    ("approver_a", Role.APPROVER, "赵敏", "a"),
    ("chief_a", Role.CHIEF, "黄海", "a"),
    ("head_a", Role.HEAD, "郭建国（局长）", "a"),
    ("gov_head", Role.GOV_HEAD, "马志远（副市长）", None),
    ("supervisor", Role.SUPERVISOR, "周明（电子监察）", None),
    ("admin", Role.ADMIN, "吴刚（中心管理员）", None),
    ("auditor", Role.AUDITOR, "徐丽（审计管理员）", None),
    ("security", Role.SECURITY_ADMIN, "沈卫（安全管理员）", None),
)
PERSONA_NAMES = ("applicant", "enterprise", *(s[0] for s in STAFF), "outsider")


@dataclass(frozen=True)
class Personas:
    """The users, departments and window every app's tests share."""

    dept_a: Department
    dept_b: Department
    window: Window
    applicant: User
    enterprise: User
    agent: User
    clerk: User
    handler_a: User
    reviewer_a: User
    reviewer_b: User
    approver_a: User
    chief_a: User
    head_a: User
    gov_head: User
    supervisor: User
    admin: User
    auditor: User
    security: User
    outsider: User
    password: ClassVar[str] = PASSWORD

    def get(self, name: str) -> User:
        """A persona by name (see ``PERSONA_NAMES``), for parametrised cross-role tests."""
        if name not in PERSONA_NAMES:
            raise KeyError(name)
        user: User = getattr(self, name)
        return user

    def users(self) -> dict[str, User]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in PERSONA_NAMES}


def make_personas() -> Personas:
    """Create the personas in the current database (the ``personas`` fixture calls this)."""
    dept_a, _created = Department.objects.get_or_create(
        code=DEPT_A[0], defaults={"name": DEPT_A[1], "short_name": "市场监管局"}
    )
    dept_b, _created = Department.objects.get_or_create(
        code=DEPT_B[0], defaults={"name": DEPT_B[1], "short_name": "住建局"}
    )
    window, _created = Window.objects.get_or_create(
        number="A01", defaults={"name": "市场准入综合窗口", "area": "一楼A区"}
    )
    window.departments.add(dept_a)
    departments = {"a": dept_a, "b": dept_b, None: None}
    staff = {
        name: services.user_create(
            username=name,
            password=PASSWORD,
            role=role,
            full_name=full_name,
            department=departments[dept],
            windows=[window] if role == Role.CLERK else [],
        )
        for name, role, full_name, dept in STAFF
    }
    for user in staff.values():
        if needs_second_factor(user):
            enrol(user)
    applicants = {
        "applicant": _person("张伟", dt.date(1985, 6, 15), 11, "13907110001"),
        "enterprise": services.applicant_register_enterprise(
            full_name="鄂州市示范科技有限公司",
            credit_code=make_credit_code("91420700MA4K00001"),
            legal_representative="孙强",
            phone="13907110002",
            password=PASSWORD,
        ),
        "outsider": _person("钱多多", dt.date(1990, 3, 8), 24, "13907110003"),
    }
    return Personas(dept_a=dept_a, dept_b=dept_b, window=window, **applicants, **staff)


def _person(name: str, born: dt.date, seq: int, phone: str) -> User:
    return services.applicant_register_person(
        full_name=name, id_number=make_citizen_id(EZHOU, born, seq), phone=phone, password=PASSWORD
    )


@pytest.fixture
def personas(db: None) -> Iterator[Personas]:
    """One persona per role, two departments and a window (see the module docstring)."""
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield make_personas()


def enrol(user: User) -> TOTPDevice:
    """The user's confirmed TOTP device, made now if they have none (as the enrolment page does)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device


def otp_code(user: User) -> str:
    """A code the user's device accepts now: this time step's, or the next one's when this step
    was used already (django-otp refuses a step twice; it accepts one step of clock drift)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    moment = clock.now()
    step = int((moment.timestamp() - device.t0) // device.step)
    if device.last_t is not None and device.last_t >= step:
        moment += dt.timedelta(seconds=device.step * (device.last_t + 1 - step))
    return current_code(device, at=moment)


def login_with_code(client: Client, username: str, password: str = PASSWORD) -> bool:
    """Sign in as a person would: the password, then (staff) the authenticator's code on the
    second-factor page; the user is enrolled first when they are not. True when both passed."""
    if not client.login(username=username, password=password):
        return False
    user = User.objects.get(username=username)
    if not needs_second_factor(user):
        return True
    enrol(user)
    response = client.post(reverse("accounts:second_factor"), {"code": otp_code(user)})
    return response.status_code == 302


def browser_sign_in(
    page: Any, base: str, user: User, password: str = PASSWORD, *, login: str = "/accounts/login/"
) -> None:
    """Sign a Playwright ``page`` in through the real pages: the password, then (staff) the code
    their authenticator shows on the second-factor page."""
    page.goto(f"{base}{login}")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.locator("#login-form [type=submit], main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert login not in page.url, f"{user.username} could not sign in"
    if needs_second_factor(user):
        assert "/accounts/2fa/" in page.url, page.url
        page.fill("input[name=code]", otp_code(user))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        assert "/accounts/2fa/" not in page.url, f"{user.username}: the code was refused"


_force_login = ClientMixin.force_login


def sign_in(client: ClientMixin, user: User, backend: str | None = None) -> None:
    """Sign ``client`` in as ``user``, the second factor included for staff (the plugin makes
    this ``Client.force_login``; benchmarks outside pytest call it directly)."""
    _force_login(client, user, backend)
    if needs_second_factor(user):
        device = enrol(user)
        session = client.session
        session[VERIFIED_KEY] = device.persistent_id
        session.save()


def pytest_configure(config: pytest.Config) -> None:
    """Django's test flush (after every transactional test) empties every table, the append-only
    ones too: it runs with the audit triggers suspended, as the maintenance path does
    (docs/rules/audit.md §Z6). Outside the tests ``django-admin flush`` stays refused."""
    from django.core.management.commands import flush

    original = flush.Command.handle

    def handle(self: flush.Command, **options: object) -> None:
        from django.db import transaction

        database = str(options.get("database") or "default")
        with transaction.atomic(using=database), triggers_suspended(database):
            original(self, **options)

    flush.Command.handle = handle  # type: ignore[method-assign]
    ClientMixin.force_login = sign_in  # type: ignore[method-assign,assignment]


def client_for(user: User) -> Client:
    """A page client signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


def api_for(user: User) -> APIClient:
    """An API client authenticated as ``user``."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def sent_to(recipient: str, messages: Any = None) -> list[OutboxMessage]:
    """The outbox messages (of ``messages``, default all) to ``recipient``, oldest first. The
    recipient column is sealed (docs/rules/privacy.md §P1), so the database cannot filter it."""
    rows = (messages if messages is not None else OutboxMessage.objects.all()).order_by("pk")
    return [m for m in rows if m.recipient == recipient]
