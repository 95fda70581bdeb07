"""Certificates with QR verification and delivery of the result (docs/product.md §C6, ALL Art. 44).

A certificate's fields are signed on the server (HMAC-SHA256 with a key only the server holds);
the public verification page recomputes the signature and says valid, revoked / withdrawn /
cancelled, or tampered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.personal_data import SealedCharField


class CertificateStatus(models.TextChoices):
    """A licence's lifecycle (ALL Arts. 8, 69, 70; docs/rules/licensing.md §B6)."""

    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已撤销")
    WITHDRAWN = "withdrawn", _("已撤回")
    CANCELLED = "cancelled", _("已注销")

    @property
    def colour(self) -> str:
        return {"valid": "green", "revoked": "red", "withdrawn": "orange", "cancelled": "grey"}[
            self.value
        ]


class Certificate(models.Model):
    """A licence issued on a grant; ``signature`` covers every field the holder relies on."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="certificate"
    )
    serial = models.CharField(_("证书编号"), max_length=40, unique=True)
    # Random, unguessable: the QR code opens /verify/<token>/ without revealing other serials.
    token = models.CharField(max_length=32, unique=True)
    title = models.CharField(_("证照名称"), max_length=200)
    holder_name = models.CharField(_("持证人"), max_length=200)
    # docs/rules/privacy.md §P1: sealed with SM4, like every personal value below
    holder_id_number = SealedCharField(_("持证人证件号码"), max_length=30)
    item_code = models.CharField(_("事项编码"), max_length=40)
    item_name = models.CharField(_("事项名称"), max_length=200)
    # The item's kind when issued (catalog.ItemType): the wording follows it (a filing
    # certificate never says 准予行政许可).
    item_type = models.CharField(_("事项类型"), max_length=20, default="licensing")
    department_name = models.CharField(_("发证机关"), max_length=200)
    scope = models.TextField(_("许可内容"), blank=True)
    issued_on = models.DateField(_("发证日期"))
    valid_from = models.DateField(_("有效期自"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)  # None: 长期有效
    # ALL Art. 50 (docs/rules/licensing.md §B6): the last renewal, granted or deemed (视为准予延续).
    renewed_on = models.DateField(_("延续日期"), null=True, blank=True)
    renewal_deemed = models.BooleanField(_("视为准予延续"), default=False)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
        db_index=True,
    )
    status_reason = models.TextField(_("状态变更理由"), blank=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signature = models.CharField(_("签名"), max_length=64)
    # docs/rules/audit.md §Z12: the SM2 signature over the same fields and the key that made it;
    # empty on certificates issued before SM2 signing (their HMAC still covers them).
    sm2_key_id = models.CharField(_("SM2 签名密钥"), max_length=40, blank=True)
    sm2_signature = models.CharField(_("SM2 签名"), max_length=128, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("证照")
        verbose_name_plural = _("证照")
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return self.serial


class RenewalOutcome(models.TextChoices):
    """How a renewal application ended for the certificate (the case keeps its own status)."""

    PENDING = "", _("待决定")
    GRANTED = "granted", _("准予延续")
    DEEMED = "deemed", _("届满未作决定，视为准予延续")


class Renewal(models.Model):
    """An application to renew a certificate (ALL Art. 50): a case against the item's published
    version, linked to the certificate it renews. Granting the case, or no decision by the
    expiry date, extends that certificate's validity (same serial, same QR code)."""

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("证照"), on_delete=models.CASCADE, related_name="renewals"
    )
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("延续申请办件"),
        on_delete=models.CASCADE,
        related_name="renewal",
    )
    # The validity being renewed, as it stood when the renewal was opened.
    expires_on = models.DateField(_("原有效期至"))
    outcome = models.CharField(
        _("结果"), max_length=10, choices=RenewalOutcome.choices, blank=True, default=""
    )
    new_valid_until = models.DateField(_("延续后有效期至"), null=True, blank=True)
    decided_at = models.DateTimeField(_("延续时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("证照延续")
        verbose_name_plural = _("证照延续")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["outcome", "expires_on"], name="renewal_outcome_expiry")]

    def __str__(self) -> str:
        return f"{self.certificate_id} → {self.case_id} {self.outcome}"


class CertificateSequence(models.Model):
    """The last serial number handed out per issuing department and year."""

    department_code = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department_code", "year"], name="certseq_dept_year")
        ]

    def __str__(self) -> str:
        return f"{self.department_code} {self.year} {self.last}"


class DeliveryMethodChoice(models.TextChoices):
    """How the result reaches the applicant (统一送达); codes match catalog.DeliveryMethod."""

    WINDOW = "window", _("窗口领取")
    POST = "post", _("邮政寄递")
    ELECTRONIC = "electronic", _("电子证照下载")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待送达")
    SENT = "sent", _("已寄出")
    DELIVERED = "delivered", _("已送达")


class Delivery(models.Model):
    """Delivery of a case's result: window pickup, express post, or e-certificate download."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="delivery")
    method = models.CharField(_("送达方式"), max_length=12, choices=DeliveryMethodChoice.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    # Window pickup: who collected it, checked against their identity document.
    receiver_name = models.CharField(_("领取人"), max_length=100, blank=True)
    receiver_id_number = SealedCharField(_("领取人证件号码"), max_length=30, blank=True)
    # Express post.
    address = SealedCharField(_("邮寄地址"), max_length=300, blank=True)
    recipient_phone = SealedCharField(_("收件电话"), max_length=30, blank=True)
    carrier = models.CharField(_("快递公司"), max_length=50, blank=True)
    tracking_number = models.CharField(_("运单号"), max_length=50, blank=True)
    sent_at = models.DateTimeField(_("寄出时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("送达")
        verbose_name_plural = _("送达")
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="post", status="sent") | ~Q(tracking_number=""),
                name="delivery_post_has_tracking",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.method} {self.status}"
