"""Reads of certificates and deliveries, with their access checks, and the public verification.

Access follows the cases app: a refusal is a logged 404 (``core.access.deny``). The public
verification needs no login; it is rate-limited per client address and shows the holder masked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.request import Request

from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import staff_in_department
from onewindow.audit.access import case_access_record
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.selectors import mandate_covers
from onewindow.catalog.models import ItemVersion, VersionStatus
from onewindow.certificates import signing
from onewindow.certificates.models import (
    Certificate,
    CertificateStatus,
    Delivery,
    DeliveryMethodChoice,
    DeliveryStatus,
    Renewal,
    RenewalOutcome,
)
from onewindow.certificates.pdf import renewal_note
from onewindow.certificates.validity import RESULT_CERTIFICATE, latest_application_day
from onewindow.certificates.wording import wording
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.core.ratelimit import rate_spend
from onewindow.lib.idnumbers import check_citizen_id, mask_id_number

DEFAULT_VERIFY_PER_MINUTE = 30
_TOKEN = re.compile(r"^[A-Za-z0-9_\-]{1,32}$")
_LONGEST_SERIAL = 40


def _raise_deny(request: HttpRequest | Request, *, target: str, reason: str) -> Exception:
    plain = request._request if isinstance(request, Request) else request
    return deny(plain, target=target, reason=reason)


# --- access -------------------------------------------------------------------------------------


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related(
        "item_version", "item_version__item", "department", "applicant", "agent"
    ).exclude(status=CaseStatus.DRAFT)


def can_read_result(user: Any, case: Case) -> bool:
    """The applicant, their agent with a mandate in force, staff of the case's department, or a
    supervisor (Perm.CASE_READ_ALL)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (
            acts_for_applicant(user, case)
            or staff_in_department(user, case.department_id)
            or has_perm(user, Perm.CASE_READ_ALL)
        )
    )


def case_get_for_result(request: HttpRequest | Request, *, case_id: int) -> Case:
    """A case whose certificate and delivery the user may see; otherwise a logged 404."""
    case = _cases().filter(pk=case_id).first()
    if case is None or not can_read_result(request.user, case):
        raise _raise_deny(request, target=f"case:{case_id}:certificate", reason="no read access")
    case_access_record(request, case)  # staff only (docs/rules/audit.md §Z11)
    return case


def certificate_get_for_reader(request: HttpRequest | Request, *, case_id: int) -> Certificate:
    """The certificate of a case the user may read (for the page and the PDF)."""
    case = case_get_for_result(request, case_id=case_id)
    certificate = result_certificates(case).select_related("case").first()
    if certificate is None:
        raise _raise_deny(request, target=f"case:{case_id}:certificate", reason="no certificate")
    if certificate.case_id == case.pk:
        certificate.case = case
    return certificate


def certificate_get_for_manager(request: HttpRequest | Request, *, case_id: int) -> Certificate:
    """The certificate for a lifecycle action: CERTIFICATE_MANAGE staff of the issuing
    department only (approver, chief); anyone else a logged 404."""
    certificate = Certificate.objects.select_related(
        "case", "case__department", "case__applicant", "case__item_version"
    ).filter(case_id=case_id)
    found = certificate.first()
    user = request.user
    if (
        found is None
        or not has_perm(user, Perm.CERTIFICATE_MANAGE)
        or not staff_in_department(user, found.case.department_id)
    ):
        raise _raise_deny(
            request, target=f"case:{case_id}:certificate", reason="not a certificate manager"
        )
    return found


def case_get_for_delivery(request: HttpRequest | Request, *, case_id: int) -> Case:
    """A case whose delivery method the user may choose: the applicant (or agent) or a clerk of
    the case's department."""
    case = _cases().filter(pk=case_id).first()
    user = request.user
    if case is None or not (acts_for_applicant(user, case) or is_delivery_clerk(user, case)):
        raise _raise_deny(request, target=f"case:{case_id}:delivery", reason="may not deliver")
    return case


def case_get_for_delivery_clerk(request: HttpRequest | Request, *, case_id: int) -> Case:
    """A case of the clerk's own department (Perm.CASE_HANDOVER); otherwise a logged 404."""
    case = _cases().filter(pk=case_id).first()
    if case is None or not is_delivery_clerk(request.user, case):
        raise _raise_deny(
            request, target=f"case:{case_id}:delivery", reason="not a clerk of the department"
        )
    case_access_record(request, case)  # docs/rules/audit.md §Z11
    return case


def case_get_for_receipt(request: HttpRequest | Request, *, case_id: int) -> Case:
    """A case whose posted certificate the user may confirm received: clerk or applicant."""
    return case_get_for_delivery(request, case_id=case_id)


def deliveries_pending(user: Any) -> QuerySet[Case]:
    """待送达/待领取: granted cases of the clerk's department, the nearest certificate due first."""
    department_id = getattr(user, "department_id", None)
    if not has_perm(user, Perm.CASE_HANDOVER) or department_id is None:
        return Case.objects.none()
    return (
        Case.objects.select_related(
            "item_version", "applicant", "department", "delivery", "certificate", "decision"
        )
        .filter(department_id=department_id, status=CaseStatus.GRANTED)
        .order_by("decision__certificate_due", "pk")
    )


def allowed_actions(
    user: Any, case: Case, certificate: Certificate | None, delivery: Delivery | None
) -> list[str]:
    """What ``user`` may do now on the case's result (pages and API show the same choices)."""
    granted = case.status == CaseStatus.GRANTED
    clerk = is_delivery_clerk(user, case)
    applicant = acts_for_applicant(user, case)
    pending = delivery is None or delivery.status == DeliveryStatus.PENDING
    method = delivery.method if delivery else ""
    actions = []
    if granted and pending and (clerk or applicant):
        actions.append("choose")
    if granted and clerk and pending and method in ("", DeliveryMethodChoice.WINDOW):
        actions.append("handover")
    if granted and clerk and pending and method == DeliveryMethodChoice.POST:
        actions.append("send")
    if granted and (clerk or applicant) and delivery and delivery.status == DeliveryStatus.SENT:
        actions.append("confirm")
    manager = has_perm(user, Perm.CERTIFICATE_MANAGE) and staff_in_department(
        user, case.department_id
    )
    # A renewal case shows the certificate it renewed; its lifecycle belongs to its own case.
    if certificate is None or certificate.case_id != case.pk:
        return actions
    if manager and certificate.status == CertificateStatus.VALID:
        actions += ["revoke", "withdraw", "cancel"]
    if applicant:
        under_way = open_renewal(certificate)
        submitted = under_way is not None and under_way.case.status != CaseStatus.DRAFT
        if not submitted and not renewal_refusal(certificate, today=clock.today()):
            actions.append("renew")
    return actions


def delivery_of(case: Case) -> Delivery | None:
    return Delivery.objects.filter(case=case).first()


def certificate_of(case: Case) -> Certificate | None:
    """The certificate the case delivers: its own, or the one a granted renewal extended."""
    return result_certificates(case).first()


# --- public delivery line of the progress query -------------------------------------------------


@dataclass(frozen=True)
class DeliveryInfo:
    """What the public progress query says about delivery (never the address or receiver)."""

    method: str
    method_label: str
    status: str
    status_label: str
    carrier: str
    tracking_number: str
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None


def delivery_public(case: Case) -> DeliveryInfo | None:
    delivery = delivery_of(case)
    if delivery is None:
        return None
    return DeliveryInfo(
        method=delivery.method,
        method_label=str(DeliveryMethodChoice(delivery.method).label),
        status=delivery.status,
        status_label=str(DeliveryStatus(delivery.status).label),
        carrier=delivery.carrier,
        tracking_number=delivery.tracking_number,
        sent_at=delivery.sent_at,
        delivered_at=delivery.delivered_at,
    )


# --- public verification ------------------------------------------------------------------------


class VerifyState(StrEnum):
    """What the verification page says about a certificate."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    TAMPERED = "tampered"


STATE_LABELS = {
    VerifyState.VALID: gettext_lazy("有效"),
    VerifyState.EXPIRED: gettext_lazy("已过有效期"),
    VerifyState.REVOKED: gettext_lazy("已撤销"),
    VerifyState.WITHDRAWN: gettext_lazy("已撤回"),
    VerifyState.CANCELLED: gettext_lazy("已注销"),
    VerifyState.TAMPERED: gettext_lazy("记录校验不通过（疑似被篡改）"),
}
STATE_COLOURS = {
    VerifyState.VALID: "green",
    VerifyState.EXPIRED: "grey",
    VerifyState.REVOKED: "red",
    VerifyState.WITHDRAWN: "orange",
    VerifyState.CANCELLED: "grey",
    VerifyState.TAMPERED: "red",
}
NOT_FOUND = gettext_lazy("未找到该证照，请核对证书编号或二维码。")


@dataclass(frozen=True)
class Verification:
    """The public answer about one certificate. Tampered rows show nothing but the serial."""

    state: VerifyState
    label: str
    colour: str
    message: str
    serial: str
    title: str = ""
    holder: str = ""
    holder_id: str = ""
    item_code: str = ""
    item_name: str = ""
    department: str = ""
    scope: str = ""
    issued_on: dt.date | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    long_term: bool = False
    status_changed_on: dt.date | None = None
    status_reason: str = ""
    # docs/rules/licensing.md §B9: the wording of the item's kind (许可 / 备案 / 确认 / 办理).
    kind: str = ""
    kind_label: str = ""
    statement: str = ""
    item_label: str = ""
    scope_label: str = ""
    # ALL Art. 50: the last renewal and whether it was deemed (视为准予延续).
    renewed_on: dt.date | None = None
    renewal_deemed: bool = False
    renewal_note: str = ""
    # docs/rules/audit.md §Z12: "sm2" (the SM2 signature checked, with its key) or "hmac" (issued
    # before SM2 signing: the server's HMAC checked)
    signed_with: str = ""
    key_id: str = ""


def mask_number(number: str) -> str:
    """``420704198506150111`` → ``4207**********0111`` (the one mask,
    docs/rules/identity.md §F3)."""
    return mask_id_number(number)


def mask_name(name: str, number: str) -> str:
    """A person's name masked (张伟 → 张*, 欧阳明华 → 欧**华); an organisation's in full."""
    if not check_citizen_id(number).ok or len(name) < 2:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def verify(certificate: Certificate, *, today: dt.date | None = None) -> Verification:
    """Recompute the signature over the stored row; say what a verifier may rely on."""
    if not signing.signature_valid(certificate):
        return Verification(
            state=VerifyState.TAMPERED,
            label=str(STATE_LABELS[VerifyState.TAMPERED]),
            colour=STATE_COLOURS[VerifyState.TAMPERED],
            message=_(
                "该证照的登记信息与发证机关的签名不一致，可能已被篡改，不能作为有效证照使用。"
                "请联系发证机关核实。"
            ),
            serial=certificate.serial,
        )
    state, message = _state(certificate, today or clock.today())
    changed = certificate.status_changed_at
    words = wording(certificate.item_type)
    return Verification(
        state=state,
        label=str(STATE_LABELS[state]),
        colour=STATE_COLOURS[state],
        message=message,
        serial=certificate.serial,
        title=certificate.title,
        holder=mask_name(certificate.holder_name, certificate.holder_id_number),
        holder_id=mask_number(certificate.holder_id_number),
        item_code=certificate.item_code,
        item_name=certificate.item_name,
        department=certificate.department_name,
        scope=certificate.scope,
        issued_on=certificate.issued_on,
        valid_from=certificate.valid_from,
        valid_until=certificate.valid_until,
        long_term=certificate.valid_until is None,
        status_changed_on=clock.local_date(changed) if changed else None,
        status_reason=certificate.status_reason if state != VerifyState.VALID else "",
        kind=certificate.item_type,
        kind_label=str(words.kind),
        statement=str(words.statement),
        item_label=str(words.item),
        scope_label=str(words.scope),
        renewed_on=certificate.renewed_on,
        renewal_deemed=certificate.renewal_deemed,
        renewal_note=renewal_note(certificate) if certificate.renewed_on else "",
        signed_with="sm2" if certificate.sm2_signature else "hmac",
        key_id=certificate.sm2_key_id,
    )


def _state(certificate: Certificate, today: dt.date) -> tuple[VerifyState, str]:
    status = CertificateStatus(certificate.status)
    if status == CertificateStatus.VALID:
        if certificate.valid_until is not None and certificate.valid_until < today:
            return VerifyState.EXPIRED, _("该证照真实，但已超过有效期。")
        return VerifyState.VALID, _("该证照真实有效。")
    state, verb = {
        CertificateStatus.REVOKED: (VerifyState.REVOKED, _("撤销")),
        CertificateStatus.WITHDRAWN: (VerifyState.WITHDRAWN, _("撤回")),
        CertificateStatus.CANCELLED: (VerifyState.CANCELLED, _("注销")),
    }[status]
    changed = certificate.status_changed_at
    return state, _("该证照由发证机关签发，但已于 %(d)s 被%(v)s，不再有效。") % {
        "d": clock.local_date(changed) if changed else "",
        "v": verb,
    }


def verification_by_token(token: str) -> Verification | None:
    """The verification of the QR code's token; None for anything unknown or malformed."""
    token = (token or "").strip()
    if not _TOKEN.match(token):
        return None
    certificate = Certificate.objects.filter(token=token).first()
    return verify(certificate) if certificate is not None else None


def verification_by_serial(serial: str) -> Verification | None:
    """The verification of a serial typed in (case and surrounding spaces ignored)."""
    serial = "".join((serial or "").split()).upper()
    if not 0 < len(serial) <= _LONGEST_SERIAL:
        return None
    certificate = Certificate.objects.filter(serial=serial).first()
    return verify(certificate) if certificate is not None else None


def verify_rate_spend(ip: str | None) -> int:
    """Count one verification for ``ip``: 0 while under the limit, else seconds to wait.

    The progress query's scheme (``core.ratelimit``: a fixed one-minute window in the shared
    cache), with its own budget: ``CERTIFICATE_VERIFY_PER_MINUTE`` (default 30).
    """
    limit: int = getattr(settings, "CERTIFICATE_VERIFY_PER_MINUTE", DEFAULT_VERIFY_PER_MINUTE)
    return rate_spend(scope="certificate-verify", ident=ip, limit=limit)


# --- renewal (ALL Art. 50) ----------------------------------------------------------------------


def certificate_get_for_holder(request: HttpRequest | Request, *, case_id: int) -> Certificate:
    """The certificate issued on ``case_id`` when the user is its holder or the holder's agent
    with a mandate in force (who alone may apply to renew it); anyone else a logged 404."""
    case = _cases().filter(pk=case_id).first()
    certificate = Certificate.objects.filter(case=case).first() if case is not None else None
    if case is None or certificate is None or not acts_for_applicant(request.user, case):
        raise _raise_deny(request, target=f"case:{case_id}:renewal", reason="not the holder")
    certificate.case = case
    return certificate


@dataclass(frozen=True)
class RenewalInfo:
    """What the certificate page and API say about renewing one certificate."""

    renewable: bool  # the item allows renewal and the certificate has an expiry date
    latest_day: dt.date | None  # the last day to apply (30 calendar days before expiry)
    refusal: str  # why the holder cannot apply today ("" when they can)
    open_case: Case | None  # a renewal under way (draft or awaiting a decision)
    history: list[Renewal]


def renewal_info(certificate: Certificate, *, today: dt.date | None = None) -> RenewalInfo:
    today = today or clock.today()
    version = renewal_version(certificate)
    open_ = open_renewal(certificate)
    until = certificate.valid_until
    return RenewalInfo(
        renewable=bool(version and version.renewable and until is not None),
        latest_day=latest_application_day(until) if until else None,
        refusal=renewal_refusal(certificate, today=today),
        open_case=open_.case if open_ else None,
        history=list(certificate.renewals.select_related("case").order_by("-created_at", "-pk")),
    )


def renewal_of(case: Case) -> Renewal | None:
    """The renewal a case applies for, if it is a renewal case."""
    return Renewal.objects.select_related("certificate").filter(case=case).first()


def renewals_for_staff(user: Any) -> QuerySet[Renewal]:
    """延续申请: renewals of the user's department, those still awaiting a decision first and
    the nearest expiry first (the date by which the agency must decide, ALL Art. 50)."""
    department_id = getattr(user, "department_id", None)
    if department_id is None or not staff_in_department(user, department_id):
        return Renewal.objects.none()
    return (
        Renewal.objects.select_related("case", "case__applicant", "certificate")
        .filter(case__department_id=department_id)
        .exclude(case__status=CaseStatus.DRAFT)
        .order_by("outcome", "expires_on", "pk")
    )


# A renewal whose case is still waiting for the agency (no decision, applicant not at fault):
# submitted, accepted, in review or in a special procedure (Art. 45 pauses the agency's own
# periods of Section 3, not Art. 50's expiry date). A case waiting for the applicant's
# corrections is not the agency's silence.
AWAITING_DECISION = (
    CaseStatus.SUBMITTED,
    CaseStatus.ACCEPTED,
    CaseStatus.IN_REVIEW,
    CaseStatus.SUSPENDED,
)


# --- who acts, what a case delivers, renewals under way (reads shared with the services) -----

# The renewal outcomes that extended the certificate (ALL Art. 50).
RENEWED = (RenewalOutcome.GRANTED, RenewalOutcome.DEEMED)


# A renewal whose case may still lead somewhere (a draft, or any status before a decision).
OPEN_STATUSES = (CaseStatus.DRAFT, CaseStatus.CORRECTION, *AWAITING_DECISION)


def acts_for_applicant(user: Any, case: Case, *, today: dt.date | None = None) -> bool:
    """The case's applicant, or an agent holding a mandate from them that is in force today."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.pk == case.applicant_id:
        return has_perm(user, Perm.CASE_APPLY)
    return mandate_covers(
        agent=user,
        applicant_id=case.applicant_id,
        item_id=case.item_version.item_id,
        today=today or clock.today(),
        case=case,
    )


# Apps above certificates that let a clerk hand out another department's result register a check
# here from their AppConfig.ready: ``check(user, case)`` is True when ``user`` may (bundles: the
# comprehensive window's combined delivery, docs/rules/bundles.md §R8).
DELIVERY_DELEGATES: list[Callable[[Any, Case], bool]] = []


def is_delivery_clerk(user: Any, case: Case) -> bool:
    """A window clerk (or chief representative) of the case's department (Perm.CASE_HANDOVER)."""
    return has_perm(user, Perm.CASE_HANDOVER) and (
        staff_in_department(user, case.department_id)
        or any(check(user, case) for check in DELIVERY_DELEGATES)
    )


def result_certificates(case: Case) -> Any:
    """The certificate a case delivers: issued on it, or renewed by it (ALL Art. 50)."""
    return Certificate.objects.filter(
        Q(case=case) | Q(renewals__case=case, renewals__outcome__in=RENEWED)
    )


def renewal_version(certificate: Certificate) -> ItemVersion | None:
    """The item's published version a renewal is applied for (the certificate's case's item)."""
    item_id = certificate.case.item_version.item_id
    return (
        ItemVersion.objects.select_related("item", "item__department")
        .filter(item_id=item_id, status=VersionStatus.PUBLISHED)
        .first()
    )


def renewal_refusal(certificate: Certificate, *, today: dt.date) -> str:
    """Why ``certificate`` cannot be renewed today, or "" when it can (pages show the reason)."""
    if certificate.status != CertificateStatus.VALID:
        return _("证照已%(s)s，不能申请延续。") % {"s": CertificateStatus(certificate.status).label}
    if certificate.valid_until is None:
        return _("本证照长期有效，无需申请延续。")
    if certificate.valid_until < today:
        return _("证照已于 %(d)s 届满有效期，不能再申请延续；如需继续从事该事项，请重新申请。") % {
            "d": certificate.valid_until.isoformat()
        }
    version = renewal_version(certificate)
    if version is None or not version.renewable or version.result_type != RESULT_CERTIFICATE:
        return _("该事项不适用延续（办事指南未规定可申请延续），请按新申请办理。")
    latest = latest_application_day(certificate.valid_until)
    if today > latest:
        return _(
            "延续申请应当在有效期届满三十日前提出（行政许可法第五十条）：本证照有效期至 %(u)s，"
            "最迟应于 %(l)s 提出，现已超过期限，不能申请延续。"
        ) % {"u": certificate.valid_until.isoformat(), "l": latest.isoformat()}
    if not signing.signature_valid(certificate):
        return _("证照记录校验未通过（可能已被篡改），不能申请延续，请联系发证机关核实。")
    return ""


def open_renewal(certificate: Certificate) -> Renewal | None:
    """The certificate's renewal still under way (draft or awaiting a decision), if any."""
    return (
        Renewal.objects.select_related("case")
        .filter(certificate=certificate, outcome="", case__status__in=OPEN_STATUSES)
        .first()
    )
