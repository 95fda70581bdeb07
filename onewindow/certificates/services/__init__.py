"""Writes on certificates and deliveries (docs/product.md §C6, ALL Arts. 8, 44, 69, 70;
docs/rules/licensing.md §B3, §B6).

* ``certificate_issue``: on a grant, a signed certificate with a serial number per department and
  year and a random token for the QR code.
* ``certificate_revoke`` / ``_withdraw`` / ``_cancel``: the licence lifecycle, re-signed over the
  new status so a lawful revocation reads "revoked", never "tampered".
* ``delivery_*``: 统一送达 — window pickup, express post, e-certificate download — and the
  case's completion (GRANTED → COMPLETED through ``transition``).
* ``certificates_flag_overdue``: the Art. 44 supervision sweep.

Every service is atomic, validates before writing, writes a case event and queues the
applicant's notification in the same transaction. Errors are ``CaseError`` subclasses with a
Chinese message, which the pages and the API already know how to show.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from onewindow.accounts.models import ApplicantKind
from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import staff_in_department
from onewindow.cases.errors import ConcurrentChange, WrongStatus
from onewindow.cases.models import Case, CaseEvent, CaseFlag, CaseStatus, FlagKind
from onewindow.cases.transitions import event_record, flag_raise, transition
from onewindow.catalog.models import ItemVersion
from onewindow.certificates import signing
from onewindow.certificates.errors import CertificateError
from onewindow.certificates.models import (
    Certificate,
    CertificateSequence,
    CertificateStatus,
    Delivery,
    DeliveryMethodChoice,
    DeliveryStatus,
    Renewal,
)
from onewindow.certificates.selectors import (
    acts_for_applicant,
    is_delivery_clerk,
    result_certificates,
)
from onewindow.certificates.services.renewals import renewal_grant
from onewindow.certificates.validity import (
    DEFAULT_VALIDITY_YEARS,
    LONG_TERM_MARK,
    RESULT_CERTIFICATE,
    years_later,
)
from onewindow.core import clock
from onewindow.lib.idnumbers import check_citizen_id, mask_address
from onewindow.review.models import Decision, DecisionKind

_PHONE = re.compile(r"^[0-9+()\- ]{7,20}$")
_TRACKING = re.compile(r"^[0-9A-Za-z\-]{6,40}$")


# --- issue --------------------------------------------------------------------------------------


@transaction.atomic
def certificate_issue(
    *, case: Case, decision: Decision, actor: Any, now: dt.datetime | None = None
) -> Certificate:
    """Issue the certificate of a granted case (on the grant decision, in its transaction:
    ``certificates.events``).

    The serial is ``<department code>-<year>-<6-digit sequence>``, sequential per issuing
    department and year; the token is random so the QR code reveals no other serial.
    """
    now = now or clock.now()
    _issue_check(case, decision, actor)
    renewal = Renewal.objects.filter(case_id=case.pk).first()
    if renewal is not None:  # ALL Art. 50: a renewal extends the certificate it renews
        return renewal_grant(renewal=renewal, case=case, actor=actor, now=now)
    version = case.item_version
    today = clock.local_date(now)
    department = case.department
    sequence = _sequence_next(department.code, today.year)
    certificate = Certificate(
        case=case,
        serial=f"{department.code}-{today.year}-{sequence:06d}",
        token=secrets.token_urlsafe(24),  # 32 characters, Certificate.token max_length
        title=version.result_name or version.name,
        holder_name=str(case.applicant.full_name or case.applicant),
        holder_id_number=_holder_number(case.applicant),
        item_code=version.item.code,
        item_name=version.name,
        item_type=version.item.item_type,
        department_name=department.name,
        scope=decision.conditions.strip() or version.name,
        issued_on=today,
        valid_from=today,
        valid_until=validity_end(version=version, decision=decision, valid_from=today),
        status=CertificateStatus.VALID,
        issued_by=actor,
        created_at=now,
    )
    signing.seal(certificate)
    certificate.save()
    _notify(
        case,
        actor=actor,
        action="certificate_issued",
        now=now,
        reason=_("证书编号 %(s)s") % {"s": certificate.serial},
        data={"serial": certificate.serial, "certificate": certificate.pk},
    )
    return certificate


def _issue_check(case: Case, decision: Decision, actor: Any) -> None:
    if decision.case_id != case.pk or decision.kind != DecisionKind.GRANT:
        raise CertificateError(_("只有准予行政许可的决定才能制发证照。"))
    if case.status != CaseStatus.GRANTED:
        raise WrongStatus(
            _("办件当前状态为“%(s)s”，不能制发证照。") % {"s": CaseStatus(case.status).label}
        )
    if case.item_version.result_type != RESULT_CERTIFICATE:
        raise CertificateError(_("该事项的审批结果不是证照，无需制发证照。"))
    existing = Certificate.objects.filter(case=case).values_list("serial", flat=True).first()
    if existing:
        raise CertificateError(_("该办件已制发证照（编号 %(s)s）。") % {"s": existing})
    # The decision's maker was checked by the decision service; anyone else must be allowed to
    # issue for the case's department.
    if getattr(actor, "pk", None) == decision.decided_by_id:
        return
    allowed = has_perm(actor, Perm.CERTIFICATE_MANAGE) or has_perm(actor, Perm.DECISION_MAKE)
    if not (allowed and staff_in_department(actor, case.department_id)):
        raise CertificateError(_("您无权为该部门制发证照。"))


def _holder_number(applicant: Any) -> str:
    if applicant.applicant_kind == ApplicantKind.ENTERPRISE:
        return str(applicant.credit_code or applicant.id_number)
    return str(applicant.id_number or applicant.credit_code)


def _sequence_next(department_code: str, year: int) -> int:
    """The next number for (department, year); the UPDATE's row lock serialises issuers."""
    rows = CertificateSequence.objects.filter(department_code=department_code, year=year)
    if rows.update(last=F("last") + 1) == 0:
        try:
            with transaction.atomic():
                CertificateSequence.objects.create(
                    department_code=department_code, year=year, last=1
                )
                return 1
        except IntegrityError:  # another transaction created the row first
            rows.update(last=F("last") + 1)
    return rows.values_list("last", flat=True).get()


def validity_end(
    *, version: ItemVersion, decision: Decision, valid_from: dt.date
) -> dt.date | None:
    """The last day of validity; None for a long-term (长期有效) licence."""
    if LONG_TERM_MARK in (version.result_name or "") or LONG_TERM_MARK in decision.conditions:
        return None
    years = version.validity_years or DEFAULT_VALIDITY_YEARS
    return years_later(valid_from, years) - dt.timedelta(days=1)


# --- lifecycle (ALL Arts. 8, 69, 70; docs/rules/licensing.md §B6) ---------------------------------

LIFECYCLE: dict[str, tuple[CertificateStatus, str]] = {
    "revoke": (CertificateStatus.REVOKED, "certificate_revoked"),  # 撤销, Art. 69
    "withdraw": (CertificateStatus.WITHDRAWN, "certificate_withdrawn"),  # 撤回, Art. 8
    "cancel": (CertificateStatus.CANCELLED, "certificate_cancelled"),  # 注销, Art. 70
}


def certificate_revoke(
    *, certificate: Certificate, actor: Any, reason: str, now: dt.datetime | None = None
) -> Certificate:
    """撤销 (ALL Art. 69): the licence was granted unlawfully."""
    return certificate_status_change(
        certificate=certificate, actor=actor, reason=reason, now=now, action="revoke"
    )


def certificate_withdraw(
    *, certificate: Certificate, actor: Any, reason: str, now: dt.datetime | None = None
) -> Certificate:
    """撤回 (ALL Art. 8): the law or the circumstances it was granted under changed."""
    return certificate_status_change(
        certificate=certificate, actor=actor, reason=reason, now=now, action="withdraw"
    )


def certificate_cancel(
    *, certificate: Certificate, actor: Any, reason: str, now: dt.datetime | None = None
) -> Certificate:
    """注销 (ALL Art. 70): expired, holder dissolved, revoked or withdrawn elsewhere …"""
    return certificate_status_change(
        certificate=certificate, actor=actor, reason=reason, now=now, action="cancel"
    )


@transaction.atomic
def certificate_status_change(
    *,
    certificate: Certificate,
    actor: Any,
    reason: str,
    action: str,
    now: dt.datetime | None = None,
) -> Certificate:
    """Move a VALID certificate to revoked / withdrawn / cancelled and re-sign it."""
    if action not in LIFECYCLE:
        raise CertificateError(_("不支持的操作。"))
    to, event_action = LIFECYCLE[action]
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("请填写%(a)s的理由。") % {"a": to.label})
    now = now or clock.now()
    locked = Certificate.objects.select_for_update().select_related("case").get(pk=certificate.pk)
    if not (
        has_perm(actor, Perm.CERTIFICATE_MANAGE)
        and staff_in_department(actor, locked.case.department_id)
    ):
        raise CertificateError(_("只有发证部门的证照管理人员可以变更证照状态。"))
    if not signing.signature_valid(locked):
        # Re-signing a row changed behind our back would launder the change.
        raise CertificateError(
            _("证照记录校验未通过（可能已被篡改），不能变更状态，请联系系统管理员核查。")
        )
    if locked.status != CertificateStatus.VALID:
        raise WrongStatus(
            _("证照当前状态为“%(s)s”，只有有效的证照可以%(a)s。")
            % {"s": CertificateStatus(locked.status).label, "a": _action_word(action)}
        )
    locked.status = to
    locked.status_reason = reason
    locked.status_changed_at = now
    locked.status_changed_by = actor
    sealed = signing.seal(locked)
    locked.save(
        update_fields=[
            *sealed,
            "status",
            "status_reason",
            "status_changed_at",
            "status_changed_by",
        ]
    )
    _notify(
        locked.case,
        actor=actor,
        action=event_action,
        now=now,
        reason=reason,
        data={"serial": locked.serial, "status": str(to)},
    )
    for name in ("status", "status_reason", "status_changed_at", "status_changed_by", "signature"):
        setattr(certificate, name, getattr(locked, name))
    return certificate


def _action_word(action: str) -> str:
    return {"revoke": _("撤销"), "withdraw": _("撤回"), "cancel": _("注销")}[action]


# --- delivery (统一送达, ALL Art. 44) --------------------------------------------------------------


def delivery_methods(version: ItemVersion) -> list[str]:
    """The methods the item offers (catalog DeliveryMethod codes); the window when none listed."""
    offered = [m for m in version.delivery_methods or [] if m in DeliveryMethodChoice.values]
    return list(dict.fromkeys(offered)) or [DeliveryMethodChoice.WINDOW.value]


@transaction.atomic
def delivery_choose(
    *,
    case: Case,
    actor: Any,
    method: str,
    address: str = "",
    phone: str = "",
    now: dt.datetime | None = None,
) -> Delivery:
    """The applicant (or the clerk for them) chooses how the result reaches them."""
    now = now or clock.now()
    if not (
        acts_for_applicant(actor, case, today=clock.local_date(now))
        or is_delivery_clerk(actor, case)
    ):
        raise CertificateError(_("只有申请人（或其代办人）和本部门窗口人员可以选择送达方式。"))
    _require_granted(case)
    offered = delivery_methods(case.item_version)
    if method not in offered:
        raise CertificateError(
            _("该事项不提供这种送达方式，可选：%(m)s。") % {"m": _method_labels(offered)}
        )
    if method == DeliveryMethodChoice.ELECTRONIC and not _has_certificate(case):
        raise CertificateError(_("该办件没有电子证照，请选择其他送达方式。"))
    address, phone = address.strip(), phone.strip()
    if method == DeliveryMethodChoice.POST:
        _check_post_address(address, phone)
    else:
        address, phone = "", ""
    delivery = Delivery.objects.select_for_update().filter(case=case).first()
    if delivery is not None and delivery.status != DeliveryStatus.PENDING:
        raise CertificateError(
            _("证照%(s)s，不能再更改送达方式。") % {"s": DeliveryStatus(delivery.status).label}
        )
    delivery = delivery or Delivery(case=case)
    delivery.method, delivery.address, delivery.recipient_phone = method, address, phone
    try:
        with transaction.atomic():
            delivery.save()
    except IntegrityError as exc:  # someone chose for the same case at the same moment
        raise ConcurrentChange(_("该办件刚刚已被他人处理，请刷新后查看最新状态。")) from exc
    _notify(
        case,
        actor=actor,
        action="delivery_chosen",
        now=now,
        reason=str(DeliveryMethodChoice(method).label),
        # the event (chained, kept for good) holds the address masked; the delivery row holds it
        # sealed (docs/rules/privacy.md §P1, §P4)
        data={"method": method, "address": mask_address(address)},
    )
    return delivery


def _method_labels(methods: list[str]) -> str:
    return "、".join(str(DeliveryMethodChoice(m).label) for m in methods)


def _check_post_address(address: str, phone: str) -> None:
    if len(address) < 5:
        raise CertificateError(_("请填写完整的邮寄地址（省市区、街道门牌）。"))
    if not _PHONE.match(phone):
        raise CertificateError(_("请填写正确的收件电话（7 至 20 位数字）。"))


def _require_granted(case: Case) -> None:
    if case.status != CaseStatus.GRANTED:
        raise WrongStatus(
            _("办件当前状态为“%(s)s”，只有准予许可、尚未送达的办件可以办理送达。")
            % {"s": CaseStatus(case.status).label}
        )


def _has_certificate(case: Case) -> bool:
    """Its own certificate, or for a granted renewal case the certificate it renewed."""
    return result_certificates(case).exists()


def _require_certificate(case: Case) -> None:
    """A certificate item's result cannot be handed out before the certificate exists."""
    if case.item_version.result_type == RESULT_CERTIFICATE and not _has_certificate(case):
        raise CertificateError(_("证照尚未制发，暂不能送达。"))


def _require_clerk(case: Case, actor: Any) -> None:
    if not is_delivery_clerk(actor, case):
        raise CertificateError(_("只有本部门的窗口人员可以办理证照送达。"))


def _pending(case: Case, *, method: str, create: bool) -> Delivery:
    """The case's delivery row, locked, still pending and of ``method``."""
    delivery = Delivery.objects.select_for_update().filter(case=case).first()
    if delivery is None:
        if not create or method not in delivery_methods(case.item_version):
            raise CertificateError(
                _("申请人尚未选择送达方式，请先选择“%(m)s”。")
                % {"m": DeliveryMethodChoice(method).label}
            )
        return Delivery(case=case, method=method)
    if delivery.method != method:
        raise CertificateError(
            _("该办件的送达方式为“%(m)s”。如需改为“%(n)s”，请先更改送达方式。")
            % {
                "m": DeliveryMethodChoice(delivery.method).label,
                "n": DeliveryMethodChoice(method).label,
            }
        )
    if delivery.status == DeliveryStatus.DELIVERED:
        raise CertificateError(_("证照已送达，不能重复办理。"))
    return delivery


@transaction.atomic
def delivery_handover(
    *,
    case: Case,
    actor: Any,
    receiver_name: str,
    receiver_id_number: str,
    now: dt.datetime | None = None,
) -> Delivery:
    """Window pickup: the clerk hands the result over and records who took it (checked ID)."""
    now = now or clock.now()
    _require_clerk(case, actor)
    _require_granted(case)
    name = (receiver_name or "").strip()
    if not name:
        raise CertificateError(_("请填写领取人姓名。"))
    # docs/rules/identity.md §F1: the receiver's citizen ID, check digit and date of birth included.
    check = check_citizen_id(receiver_id_number or "", today=clock.local_date(now))
    if not check.ok:
        raise CertificateError(_("领取人身份证号有误：%(m)s") % {"m": _(check.message)})
    _require_certificate(case)
    delivery = _pending(case, method=DeliveryMethodChoice.WINDOW, create=True)
    if delivery.status != DeliveryStatus.PENDING:
        raise CertificateError(_("证照已送达，不能重复办理。"))
    delivery.receiver_name, delivery.receiver_id_number = name[:100], check.number
    _complete(
        case,
        delivery,
        actor=actor,
        now=now,
        reason=_("窗口领取，领取人：%(n)s") % {"n": name},
    )
    return delivery


@transaction.atomic
def delivery_send(
    *,
    case: Case,
    actor: Any,
    carrier: str,
    tracking_number: str,
    now: dt.datetime | None = None,
) -> Delivery:
    """Express post: the clerk records the carrier and the tracking number when it leaves."""
    now = now or clock.now()
    _require_clerk(case, actor)
    _require_granted(case)
    carrier, tracking = (carrier or "").strip(), (tracking_number or "").strip()
    if not carrier:
        raise CertificateError(_("请填写快递公司。"))
    if not tracking:
        raise CertificateError(_("请填写运单号。"))
    if not _TRACKING.match(tracking):
        raise CertificateError(_("运单号应为 6 至 40 位字母、数字或连字符。"))
    _require_certificate(case)
    delivery = _pending(case, method=DeliveryMethodChoice.POST, create=False)
    if delivery.status != DeliveryStatus.PENDING:
        raise CertificateError(_("证照已寄出（运单号 %(t)s）。") % {"t": delivery.tracking_number})
    delivery.carrier, delivery.tracking_number = carrier[:50], tracking
    delivery.status, delivery.sent_at, delivery.handled_by = DeliveryStatus.SENT, now, actor
    delivery.save()
    _notify(
        case,
        actor=actor,
        action="delivery_sent",
        now=now,
        reason=_("%(c)s，运单号 %(t)s") % {"c": carrier, "t": tracking},
        data={"carrier": carrier, "tracking_number": tracking},
    )
    return delivery


@transaction.atomic
def delivery_confirm(*, case: Case, actor: Any, now: dt.datetime | None = None) -> Delivery:
    """Express post received: confirmed by the clerk (carrier's receipt) or the applicant."""
    now = now or clock.now()
    if not (is_delivery_clerk(actor, case) or acts_for_applicant(actor, case)):
        raise CertificateError(_("只有申请人（或其代办人）和本部门窗口人员可以确认签收。"))
    _require_granted(case)
    delivery = _pending(case, method=DeliveryMethodChoice.POST, create=False)
    if delivery.status != DeliveryStatus.SENT:
        raise CertificateError(_("证照尚未寄出，不能确认签收。"))
    _complete(
        case,
        delivery,
        actor=actor,
        now=now,
        reason=_("邮寄送达，运单号 %(t)s，已签收") % {"t": delivery.tracking_number},
    )
    return delivery


@transaction.atomic
def certificate_download_record(*, case: Case, actor: Any, now: dt.datetime | None = None) -> bool:
    """E-certificate: the applicant's first download delivers it and completes the case.

    Counts when the applicant chose electronic delivery (or it is the only method offered);
    downloads by staff, agents and later downloads change nothing. True when it delivered.
    """
    now = now or clock.now()
    if getattr(actor, "pk", None) != case.applicant_id or case.status != CaseStatus.GRANTED:
        return False
    electronic = DeliveryMethodChoice.ELECTRONIC
    delivery = Delivery.objects.select_for_update().filter(case=case).first()
    if delivery is None:
        if delivery_methods(case.item_version) != [electronic]:
            return False
        delivery = Delivery(case=case, method=electronic)
    if delivery.method != electronic or delivery.status != DeliveryStatus.PENDING:
        return False
    _complete(case, delivery, actor=actor, now=now, reason=_("申请人已下载电子证照"))
    return True


def _complete(case: Case, delivery: Delivery, *, actor: Any, now: dt.datetime, reason: str) -> None:
    """Delivered: GRANTED → COMPLETED (办结); a delivery after the Art. 44 due date is flagged.

    The case's conditional UPDATE runs before the delivery row is written, so of two clerks
    completing the same case at once the second gets ConcurrentChange, never a duplicate row.
    """
    transition(
        case,
        allowed_from=[CaseStatus.GRANTED],
        to=CaseStatus.COMPLETED,
        actor=actor,
        action="delivered",
        reason=reason,
        now=now,
        data={"method": delivery.method},
        closed_at=now,
    )
    delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
    if actor is not None and has_perm(actor, Perm.CASE_HANDOVER):
        delivery.handled_by = actor
    delivery.save()
    due = Decision.objects.filter(case=case).values_list("certificate_due", flat=True).first()
    if due is not None and clock.local_date(now) > due:
        flag_raise(case, kind=FlagKind.CERTIFICATE_OVERDUE, now=now, note=_overdue_note(due))


def _notify(
    case: Case, *, actor: Any, action: str, now: dt.datetime, reason: str, data: dict[str, Any]
) -> CaseEvent:
    """A status-keeping event; its kind asks for the applicant's email/SMS about it
    (docs/product.md §C9)."""
    return event_record(
        case,
        actor=actor,
        action=action,
        old=case.status,
        reason=reason,
        now=now,
        data=data,
    )


# --- supervision: certificate due (ALL Art. 44, docs/rules/licensing.md §B3) ----------------------


def _overdue_note(due: dt.date | None) -> str:
    return _("发证送达期限 %(d)s 已过，证照尚未送达（行政许可法第四十四条）。") % {"d": due}


def certificates_flag_overdue(*, today: dt.date | None = None) -> int:
    """Flag GRANTED cases past their Decision.certificate_due: one set-based pass, idempotent.

    The (case, kind) unique constraint makes concurrent workers and re-runs harmless; returns
    how many cases were found without the flag.
    """
    today = today or clock.today()
    now = clock.now()
    rows = list(
        Case.objects.filter(status=CaseStatus.GRANTED, decision__certificate_due__lt=today)
        .exclude(flags__kind=FlagKind.CERTIFICATE_OVERDUE)
        .values_list("pk", "decision__certificate_due")
    )
    CaseFlag.objects.bulk_create(
        [
            CaseFlag(case_id=pk, kind=FlagKind.CERTIFICATE_OVERDUE, at=now, note=_overdue_note(due))
            for pk, due in rows
        ],
        ignore_conflicts=True,
    )
    return len(rows)
