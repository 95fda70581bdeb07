"""Staff second factor (TOTP) and staff session limits (docs/decisions.md §S6, §S7).

django-otp does the cryptography and the bookkeeping: ``otp_totp.TOTPDevice`` (RFC 6238 codes,
replay refusal by time step, exponential throttling of wrong codes) and ``otp_static`` (the
one-time recovery codes). This module decides *who* needs it and what a session must carry:

* every staff role and the administrator (``roles.STAFF_ROLES``) signs in with a password **and**
  a code; until the code is given the session reaches only the second-factor pages and sign-out
  (``middleware.staff_session``);
* a staff member without a confirmed device enrols at their first sign-in: a QR code for an
  authenticator app, the code it shows to confirm, then ten recovery codes shown once;
* API tokens of staff are issued only against a password and a code (``accounts.api``).

The session records the device that verified it, when the user signed in and when they were
last seen; ``session_expired`` applies the idle and absolute limits (docs/decisions.md §S7).
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.accounts.models import User
from onewindow.accounts.roles import STAFF_ROLES
from onewindow.accounts.services import sessions_end
from onewindow.accounts.signals import security_event_send
from onewindow.core import clock

log = logging.getLogger("onewindow.security")

# Session keys (docs/decisions.md §S6, §S7).
VERIFIED_KEY = "ow_second_factor"  # the persistent id of the device that verified this session
SIGNED_IN_KEY = "ow_signed_in_at"  # epoch seconds of the password sign-in
SEEN_KEY = "ow_seen_at"  # epoch seconds of the last request (rewritten at most once a minute)
SEEN_RESOLUTION = 60

RECOVERY_CODES = 10
ISSUER = "OneWindow 一窗通办"
DEVICE_NAME = "authenticator"


def needs_second_factor(user: User) -> bool:
    """Every staff role and the administrator; applicants, agents and agencies do not."""
    return bool(user.is_authenticated) and (user.role in STAFF_ROLES or user.is_superuser)


def session_verified(session: SessionBase) -> bool:
    return bool(session.get(VERIFIED_KEY))


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


# --- enrolment --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Enrolment:
    """What an authenticator app needs: the secret (base32) and the otpauth:// address."""

    device: TOTPDevice
    secret: str
    uri: str


def _secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def enrolment_start(*, user: User) -> Enrolment:
    """The user's pending (unconfirmed) device, made now if they have none.

    Asking again shows the same secret until it is confirmed, so a reload of the page does not
    invalidate the QR code already scanned. Refused when a device is already confirmed: a second
    device is added only after a security administrator resets the first (``second_factor_reset``).
    """
    if confirmed_device(user) is not None:
        raise ValidationError(
            _("您已绑定动态口令，如需更换请联系安全管理员重置。"), code="enrolled"
        )
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    secret = _secret(device)
    label = f"{ISSUER}:{user.username}"
    uri = (
        f"otpauth://totp/{_quote(label)}?secret={secret}&issuer={_quote(ISSUER)}&digits=6&period=30"
    )
    return Enrolment(device=device, secret=secret, uri=uri)


def _quote(text: str) -> str:
    return quote(text, safe="")


@transaction.atomic
def enrolment_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending device with a code from the app; returns it and new recovery codes."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise ValidationError(_("没有待确认的动态口令，请重新开始绑定。"), code="no_enrolment")
    if not _verify(device, code):
        raise ValidationError(_("动态口令不正确，请输入验证器当前显示的6位数字。"), code="bad_code")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_renew(user=user, first=True)
    security_event_send("second_factor_enrolled", actor=user, target=user)
    log.info("second factor enrolled", extra={"user_id": user.pk})
    return device, codes


def recovery_codes_renew(*, user: User, first: bool = False) -> list[str]:
    """Ten fresh one-time recovery codes; the old ones stop working."""
    static, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    if not first:
        security_event_send("recovery_codes_renewed", actor=user, target=user)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- verification -----------------------------------------------------------------------------
def _normalise(code: str) -> str:
    return "".join(str(code).split()).lower()


def _verify(device: TOTPDevice | StaticDevice, code: str) -> bool:
    allowed, _reason = device.verify_is_allowed()
    if not allowed:
        return False
    return bool(device.verify_token(_normalise(code)))


def second_factor_check(*, user: User, code: str) -> TOTPDevice | StaticDevice:
    """The device that accepts ``code`` (the app's 6 digits, or a recovery code), or an error.

    Wrong codes slow the device down (django-otp's throttling doubles the wait after each); a
    used recovery code is gone; a TOTP code is refused a second time (replay).
    """
    code = _normalise(code)
    if not code:
        raise ValidationError(_("请输入动态口令。"), code="required")
    device = confirmed_device(user)
    if device is None:
        raise ValidationError(_("尚未绑定动态口令。"), code="not_enrolled")
    candidates: list[TOTPDevice | StaticDevice] = [device]
    if not (len(code) == device.digits and code.isdigit()):  # a recovery code (8 letters/digits)
        candidates = list(StaticDevice.objects.filter(user=user, confirmed=True))
    for candidate in candidates:
        allowed, _reason = candidate.verify_is_allowed()
        if not allowed:
            raise ValidationError(_("动态口令错误次数过多，请稍后再试。"), code="throttled")
        if candidate.verify_token(code):
            return candidate
    log.warning("second factor refused", extra={"user_id": user.pk})
    raise ValidationError(_("动态口令不正确。"), code="bad_code")


def session_mark_verified(request_session: SessionBase, device: TOTPDevice | StaticDevice) -> None:
    """Record the verifying device; the session key changes (a new privilege, a new key)."""
    request_session.cycle_key()
    request_session[VERIFIED_KEY] = device.persistent_id


@transaction.atomic
def second_factor_reset(*, user: User, actor: User | None = None) -> None:
    """Remove every device and recovery code of ``user`` and sign them out everywhere.

    At their next sign-in they enrol again. Used by the security administrator when a phone is
    lost (docs/decisions.md §S6).
    """
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    security_event_send("second_factor_reset", actor=actor, target=user)
    sessions_end(user=user, actor=actor)
    log.warning("second factor reset", extra={"user_id": user.pk})


def current_code(device: TOTPDevice, *, at: dt.datetime | None = None) -> str:
    """The code ``device`` shows at ``at`` (now): for the demo and the test helpers."""
    moment = (at or clock.now()).timestamp()
    counter = int((moment - device.t0) // device.step)
    return f"{hotp(device.bin_key, counter, digits=device.digits):0{device.digits}d}"


# --- session limits (docs/decisions.md §S7) ---------------------------------------------------
def session_start(session: SessionBase) -> None:
    now = clock.now().timestamp()
    session[SIGNED_IN_KEY] = now
    session[SEEN_KEY] = int(now)


def on_login(sender: object, request: HttpRequest, user: User, **kwargs: object) -> None:
    """``user_logged_in``: the session's clock starts (Django has already rotated its key)."""
    if request is not None and hasattr(request, "session"):
        session_start(request.session)


def session_expired(session: SessionBase, user: User) -> str | None:
    """Why this session must end now ("revoked", "idle", "absolute"), or None.

    Any user: the account's sessions were ended (``User.sessions_revoked_at``: a second-factor
    reset, a disabled account) after this one signed in. Staff also: STAFF_IDLE_MINUTES without a
    request, or STAFF_SESSION_HOURS after the sign-in. Applicants otherwise keep Django's cookie
    age (SESSION_COOKIE_AGE). Refreshes the last-seen time at most once a minute.
    """
    now = int(clock.now().timestamp())
    signed_in = session.get(SIGNED_IN_KEY)
    seen = session.get(SEEN_KEY)
    revoked = user.sessions_revoked_at
    if revoked is not None and (
        not isinstance(signed_in, int | float) or signed_in <= revoked.timestamp()
    ):
        return "revoked"
    if not needs_second_factor(user):
        return None
    if not isinstance(signed_in, int | float) or not isinstance(seen, int):
        # A session from before these limits: it starts counting now.
        session_start(session)
        return None
    if now - seen > settings.STAFF_IDLE_MINUTES * 60:
        return "idle"
    if now - signed_in > settings.STAFF_SESSION_HOURS * 3600:
        return "absolute"
    if now - seen >= SEEN_RESOLUTION:
        session[SEEN_KEY] = now
    return None
