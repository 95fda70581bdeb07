"""Renewal of a licence (ALL Art. 50, docs/rules/licensing.md §B6): writes.

行政许可法第五十条：被许可人需要延续依法取得的行政许可的有效期的，应当在该行政许可有效期届满
三十日前向作出行政许可决定的行政机关提出申请。……行政机关应当根据被许可人的申请，在该行政许可
有效期届满前作出是否准予延续的决定；逾期未作决定的，视为准予延续。

The flow reuses the case chain instead of a parallel one:

1. ``renewal_start``: the holder (or their agent with a mandate in force) opens a renewal: an
   online draft case against the item's *published* version, linked to the certificate by a
   ``Renewal`` row. The draft's checklist keeps only the materials marked "延续时提交" (the
   item's simplified renewal list). The holder fills and submits it on the ordinary application
   page / API.
2. ``renewal_submit_check`` (registered with ``cases.services.SUBMIT_CHECKS``): the submission is
   the application in the sense of Art. 50, so it is refused unless the certificate is still
   valid and today is no later than 30 calendar days before its expiry.
3. Intake, review and the decision run as for any case. A grant reaches ``certificate_issue``,
   which for a renewal case extends the renewed certificate instead of issuing a new one
   (``renewal_grant``): same serial and QR code, a new validity period per the item version,
   re-signed. The renewal case's delivery then hands over that certificate.
4. ``renewals_deem`` (background loop): a submitted renewal with no decision when the expiry
   date has passed is deemed granted: the certificate is extended and re-signed with the
   "deemed" mark the verification page shows, an event row is written, the holder notified,
   and the case flagged ``deemed_renewal`` for the supervision rule of the same name.

The 30 days are calendar days (日): Art. 82's working days count only the agency's own time
limits, not the holder's. A certificate valid until 2026-03-31 may be renewed until 2026-03-01.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from onewindow.cases import fields as form_fields
from onewindow.cases.models import Case, CaseStatus, FlagKind
from onewindow.cases.services import application_start
from onewindow.cases.transitions import event_record, flag_raise
from onewindow.catalog.models import ItemVersion
from onewindow.certificates import signing
from onewindow.certificates.errors import RenewalRefused
from onewindow.certificates.models import (
    Certificate,
    CertificateStatus,
    Renewal,
    RenewalOutcome,
)
from onewindow.certificates.selectors import (
    AWAITING_DECISION,
    acts_for_applicant,
    open_renewal,
    renewal_refusal,
    renewal_version,
)
from onewindow.certificates.validity import renewal_period_end
from onewindow.core import clock

log = logging.getLogger("onewindow.certificates")

RENEWAL_TYPE = "延续"  # the default form's application_type choice (a stored value)


@transaction.atomic
def renewal_start(*, certificate: Certificate, actor: Any, now: dt.datetime | None = None) -> Case:
    """Open (or return the already open) renewal draft of ``certificate`` for its holder."""
    now = now or clock.now()
    today = clock.local_date(now)
    locked = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("case", "case__item_version", "case__region", "case__applicant")
        .get(pk=certificate.pk)
    )
    if not acts_for_applicant(actor, locked.case, today=today):
        raise RenewalRefused(_("只有持证人或其委托的代办人可以申请延续。"))
    existing = open_renewal(locked)
    if existing is not None:
        if existing.case.status == CaseStatus.DRAFT:
            return existing.case
        raise RenewalRefused(
            _("该证照已有延续申请正在办理（办件 %(n)s），请勿重复申请。") % {"n": existing.case}
        )
    if reason := renewal_refusal(locked, today=today):
        raise RenewalRefused(reason)
    version = renewal_version(locked)
    assert version is not None  # renewal_refusal said so
    holder = locked.case.applicant
    case = application_start(
        item_version=version,
        actor=actor,
        region=locked.case.region,
        applicant=holder if actor.pk != holder.pk else None,
        today=today,
        now=now,
    )
    # The item's simplified renewal list: only the lines marked "延续时提交".
    case.materials.filter(material__for_renewal=False).delete()
    case.form_data = _renewal_form(locked.case, version, today)
    Case.objects.filter(pk=case.pk).update(form_data=case.form_data)
    assert locked.valid_until is not None
    Renewal.objects.create(
        certificate=locked, case=case, expires_on=locked.valid_until, created_at=now
    )
    event_record(
        case,
        actor=actor,
        action="renewal_started",
        new=CaseStatus.DRAFT,
        reason=_("申请延续证照 %(s)s（有效期至 %(d)s）")
        % {"s": locked.serial, "d": locked.valid_until.isoformat()},
        public=False,
        now=now,
        data={"serial": locked.serial, "certificate": locked.pk},
    )
    return case


def _renewal_form(original: Case, version: ItemVersion, today: dt.date) -> dict[str, Any]:
    """The renewal's application form, prefilled from the licence's own application (the fields
    the version still has), dated today, marked 延续 where the form asks for the type."""
    specs = {spec.name: spec for spec in form_fields.fields_for(version)}
    data = {name: value for name, value in (original.form_data or {}).items() if name in specs}
    if "application_date" in specs:
        data["application_date"] = today.isoformat()
    kind = specs.get("application_type")
    if kind is not None and RENEWAL_TYPE in kind.choices:
        data["application_type"] = RENEWAL_TYPE
    return data


def renewal_submit_check(case: Case, today: dt.date) -> None:
    """A renewal case's submission is the Art. 50 application: refused when it is late, the
    certificate has expired or ended, or the item no longer allows renewal."""
    # Every submission asks; most are no renewal: a one-column look-up first (the three-table
    # join cost a third of a submission's CPU to build, for nothing).
    found = list(
        Renewal.objects.filter(case_id=case.pk).order_by().values_list("certificate_id")[:1]
    )
    if not found:
        return
    certificate = Certificate.objects.select_related("case__item_version").get(pk=found[0][0])
    if reason := renewal_refusal(certificate, today=today):
        raise RenewalRefused(reason)


# --- granted or deemed: the certificate's validity is extended -------------------------------


def _extend(
    renewal: Renewal, *, new_until: dt.date, deemed: bool, actor: Any, now: dt.datetime
) -> Certificate:
    """Extend and re-sign the renewed certificate; an event on the certificate's own case."""
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=renewal.certificate_id)
    )
    if certificate.status != CertificateStatus.VALID:
        raise RenewalRefused(
            _("证照已%(s)s，不能延续。") % {"s": CertificateStatus(certificate.status).label}
        )
    if not signing.signature_valid(certificate):
        # Re-signing a row changed behind our back would launder the change.
        raise RenewalRefused(
            _("证照记录校验未通过（可能已被篡改），不能延续，请联系系统管理员核查。")
        )
    old_until = certificate.valid_until
    certificate.valid_until = new_until
    certificate.renewed_on = clock.local_date(now)
    certificate.renewal_deemed = deemed
    sealed = signing.seal(certificate)
    certificate.save(update_fields=["valid_until", "renewed_on", "renewal_deemed", *sealed])
    event_record(
        certificate.case,
        actor=actor,
        action="renewal_deemed" if deemed else "certificate_renewed",
        old=certificate.case.status,
        reason=_renewal_reason(certificate, old_until, deemed),
        now=now,
        data=_renewal_data(certificate, old_until, renewal),
    )
    return certificate


def _renewal_reason(certificate: Certificate, old_until: dt.date | None, deemed: bool) -> str:
    values = {
        "s": certificate.serial,
        "o": old_until.isoformat() if old_until else "",
        "n": certificate.valid_until.isoformat() if certificate.valid_until else "",
    }
    if deemed:
        return (
            _(
                "证照 %(s)s 有效期 %(o)s 届满前未作出是否准予延续的决定，依照行政许可法第五十条"
                "视为准予延续，有效期延续至 %(n)s。"
            )
            % values
        )
    return _("证照 %(s)s 准予延续，有效期由 %(o)s 延续至 %(n)s。") % values


def _renewal_data(
    certificate: Certificate, old_until: dt.date | None, renewal: Renewal
) -> dict[str, Any]:
    return {
        "serial": certificate.serial,
        "certificate": certificate.pk,
        "renewal_case": renewal.case_id,
        "old_valid_until": old_until.isoformat() if old_until else None,
        "valid_until": certificate.valid_until.isoformat() if certificate.valid_until else None,
    }


def renewal_grant(*, renewal: Renewal, case: Case, actor: Any, now: dt.datetime) -> Certificate:
    """A grant of the renewal case (called by ``certificate_issue`` in the decision's
    transaction): the renewed certificate runs on for the item version's period. A renewal
    already deemed granted by law keeps the validity it got then."""
    new_until = renewal_period_end(version=case.item_version, expires_on=renewal.expires_on)
    claimed = Renewal.objects.filter(pk=renewal.pk, outcome="").update(
        outcome=RenewalOutcome.GRANTED, decided_at=now, new_valid_until=new_until
    )
    if claimed != 1:
        return Certificate.objects.get(pk=renewal.certificate_id)
    certificate = _extend(renewal, new_until=new_until, deemed=False, actor=actor, now=now)
    assert certificate.valid_until is not None
    event_record(
        case,
        old=case.status,
        actor=actor,
        action="certificate_renewed",
        now=now,
        reason=_renewal_reason(certificate, renewal.expires_on, False),
        data=_renewal_data(certificate, renewal.expires_on, renewal),
    )
    return certificate


def _deemable() -> Any:
    """Renewals whose certificate's expiry date passed with the agency still silent."""
    return Renewal.objects.filter(
        outcome="",
        case__status__in=AWAITING_DECISION,
        certificate__status=CertificateStatus.VALID,
        # Still the validity the renewal was applied for (not extended in between).
        certificate__valid_until=F("expires_on"),
    )


def renewals_deem(
    *, today: dt.date | None = None, now: dt.datetime | None = None, batch: int = 200
) -> int:
    """ALL Art. 50: no decision by the expiry date → deemed renewed. Idempotent and safe in
    several workers: each batch locks the candidate rows, claims them with one conditional
    UPDATE (outcome still blank), then extends each certificate in the same transaction.
    Returns how many renewals were deemed."""
    now = now or clock.now()
    today = today or clock.local_date(now)
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                _deemable()
                .filter(expires_on__lt=today)
                .select_for_update(of=("self",))
                .select_related("case", "case__item_version", "case__department")
                .order_by("expires_on", "pk")[:batch]
            )
            if not rows:
                return done
            Renewal.objects.filter(pk__in=[r.pk for r in rows], outcome="").update(
                outcome=RenewalOutcome.DEEMED, decided_at=now
            )
            for renewal in rows:
                try:
                    with transaction.atomic():
                        _deem(renewal, now)
                except RenewalRefused:
                    # A certificate row that no longer verifies is not re-signed; the renewal
                    # stays recorded as deemed for the administrators to repair the row.
                    log.error(
                        "renewal %s deemed but certificate %s not extended: tampered",
                        renewal.pk,
                        renewal.certificate_id,
                    )
            done += len(rows)
        if len(rows) < batch:
            return done


def _deem(renewal: Renewal, now: dt.datetime) -> None:
    new_until = renewal_period_end(version=renewal.case.item_version, expires_on=renewal.expires_on)
    Renewal.objects.filter(pk=renewal.pk).update(new_valid_until=new_until)
    if not signing.signature_valid(Certificate.objects.get(pk=renewal.certificate_id)):
        raise RenewalRefused("tampered")
    certificate = _extend(renewal, new_until=new_until, deemed=True, actor=None, now=now)
    reason = _renewal_reason(certificate, renewal.expires_on, True)
    event_record(
        renewal.case,
        old=renewal.case.status,
        actor=None,
        action="renewal_deemed",
        now=now,
        reason=reason,
        data=_renewal_data(certificate, renewal.expires_on, renewal),
    )
    flag_raise(renewal.case, kind=FlagKind.DEEMED_RENEWAL, now=now, note=reason)
