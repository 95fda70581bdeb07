"""Personal data: key rotation and the retention job (docs/rules/privacy.md §P3, §P5).

P5: a case closed more than ``PERSONAL_DATA_RETENTION_YEARS`` ago, none of whose certificates is
still in force, is anonymised: its application form, the certificate holder's identity number
(kept masked, so the register still tells holders apart), the delivery's receiver, address and
phone, and the recipients and texts of its notifications are blanked; the applicant record the
window made (no password, never signed in) goes too once none of its cases keeps personal data.
Registered accounts stay: they are the person's own, closed on their request, not by this job.
What remains of the case is what the law keeps: its number, item, dates, decision and trail.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from onewindow.accounts.models import User
from onewindow.accounts.signals import security_event_send
from onewindow.cases.models import Case
from onewindow.certificates.models import Certificate, CertificateStatus, Delivery
from onewindow.core import clock
from onewindow.core import personal_data as pd
from onewindow.lib.idnumbers import mask_id_number
from onewindow.notifications.models import OutboxMessage
from onewindow.privacy.models import Anonymisation

log = logging.getLogger("onewindow.security")

ANONYMOUS = "（已匿名化）"


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    now = now or clock.now()
    years = settings.PERSONAL_DATA_RETENTION_YEARS
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def retention_due(now: dt.datetime | None = None) -> QuerySet[Case]:
    """Cases closed before the cutoff, not anonymised yet, with no certificate in force."""
    now = now or clock.now()
    in_force = Certificate.objects.filter(status=CertificateStatus.VALID).filter(
        Q(valid_until=None) | Q(valid_until__gte=clock.local_date(now))
    )
    return (
        Case.objects.filter(closed_at__lt=retention_cutoff(now), anonymisation=None)
        .exclude(pk__in=in_force.values("case_id"))
        .order_by("closed_at", "pk")
    )


@transaction.atomic
def case_anonymise(case: Case, *, now: dt.datetime | None = None) -> Anonymisation:
    """Blank the personal data of one case (P5); returns the record of it."""
    now = now or clock.now()
    locked = Case.objects.select_for_update().get(pk=case.pk)
    existing = Anonymisation.objects.filter(case=locked).first()
    if existing is not None:
        return existing
    values = 0
    if locked.form_data:
        values += len(locked.form_data)
        Case.objects.filter(pk=locked.pk).update(form_data={})
    for certificate in Certificate.objects.filter(case=locked):
        masked = mask_id_number(certificate.holder_id_number)
        if masked != certificate.holder_id_number:
            Certificate.objects.filter(pk=certificate.pk).update(holder_id_number=masked)
            values += 1
    for delivery in Delivery.objects.filter(case=locked):
        blank = [
            f for f in ("receiver_id_number", "address", "recipient_phone") if getattr(delivery, f)
        ]
        if blank:
            Delivery.objects.filter(pk=delivery.pk).update(**{f: "" for f in blank})
            values += len(blank)
    messages = OutboxMessage.objects.filter(case=locked)
    values += messages.count()
    messages.update(recipient="", recipient_index="", body="")
    applicant = _walk_in_record_anonymise(locked)
    record = Anonymisation.objects.create(
        case=locked, at=now, values=values + int(applicant), applicant_anonymised=applicant
    )
    log.info("case %s anonymised (%s values)", locked.pk, record.values)
    return record


def _walk_in_record_anonymise(case: Case) -> bool:
    """The window's applicant record, once no other case of it keeps personal data."""
    user = User.objects.select_for_update().get(pk=case.applicant_id)
    if user.has_usable_password() or user.last_login is not None or not user.id_number:
        return False
    others = Case.objects.filter(applicant=user).exclude(pk=case.pk).filter(anonymisation=None)
    if others.exists():
        return False
    user.id_number, user.phone, user.email = "", "", ""
    user.full_name, user.legal_representative = ANONYMOUS, ""
    user.username, user.is_active = f"anonymised-{user.pk}", False
    user.save(
        update_fields=[
            "id_number",
            "phone",
            "email",
            "full_name",
            "legal_representative",
            "username",
            "is_active",
        ]
    )
    return True


def retention_run(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """P5, the daily job: anonymise up to ``limit`` due cases; returns how many."""
    now = now or clock.now()
    done = 0
    for case in retention_due(now)[:limit]:
        case_anonymise(case, now=now)
        done += 1
    if done:
        log.warning("retention: %s case(s) anonymised", done)
    return done


@dataclass(frozen=True)
class KeyStatus:
    current: str
    usage: dict[str, int]
    key_files: list[str]
    due: int
    anonymised: int
    retention_years: int


def status(*, now: dt.datetime | None = None) -> KeyStatus:
    ring = pd.keyring()
    assert ring.current is not None
    return KeyStatus(
        current=ring.current.key_id,
        usage=pd.key_usage(),
        key_files=sorted(ring.keys),
        due=retention_due(now).count(),
        anonymised=Anonymisation.objects.count(),
        retention_years=settings.PERSONAL_DATA_RETENTION_YEARS,
    )


def key_rotate(*, actor: Any = None) -> tuple[str, int]:
    """P3: a new key seals from now on and every stored value is resealed under it; returns the
    new key's id and how many values were rewritten. Recorded on the security trail."""
    key_id = pd.key_rotate()
    resealed = pd.reseal_all()
    security_event_send("data_key_rotated", actor=actor, detail=f"{key_id}，重新加密 {resealed} 项")
    return key_id, resealed


def retention_run_now(*, actor: Any) -> int:
    """The security administrator runs the retention job at once (console, API); recorded."""
    done = retention_run()
    security_event_send("retention_run", actor=actor, detail=f"匿名化办件 {done} 件")
    return done
