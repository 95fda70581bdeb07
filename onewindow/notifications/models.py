"""The outbox: every email and SMS, written in the transaction of the change it reports
(docs/product.md §C9)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.personal_data import BlindIndexField, SealedCharField


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class OutboxMessage(models.Model):
    """One email or SMS to one recipient; the row is the record of what was said and when."""

    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    # an email address or a mobile number, sealed (docs/rules/privacy.md §P1)
    recipient = SealedCharField(_("接收地址"), max_length=254)
    recipient_index = BlindIndexField(source="recipient", kind="recipient")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("标题"), max_length=200)
    # Empty until the first delivery attempt composes it from ``event`` (see services.py).
    # Not sealed: the supervision digest appends to it in SQL. Texts name no identity number,
    # phone or full address (a delivery's address is masked: docs/rules/privacy.md §P4).
    body = models.TextField(_("正文"), blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    event = models.ForeignKey(
        "cases.CaseEvent",
        verbose_name=_("办件记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"))
    # Set while one process holds the row; the conditional UPDATE that sets it is the lock.
    claim = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    backend = models.CharField(_("发送通道"), max_length=100, blank=True)
    last_error = models.TextField(_("最近一次错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知消息")
        verbose_name_plural = _("通知消息")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject}"
