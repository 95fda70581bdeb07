"""Electronic supervision (电子监察, PRODUCT.md §C10, DOMAIN-RULES D): rules and cards.

A ``Rule`` is one trigger of DOMAIN-RULES D1 with thresholds administrators may edit (D2); the
sweep (``onewindow.supervision.sweep``) issues a ``Card`` when an object crosses a rule's
threshold. The unique constraint on (rule, object kind, object id, level) makes the sweep
idempotent: any number of workers and any restart give exactly one card per crossing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    DEADLINE = "deadline", _("时限监察")
    VIOLATION = "violation", _("违规监察")


class Rule(models.Model):
    """One supervision trigger; its code names the function in ``rules.RULES`` that finds it."""

    code = models.CharField(_("规则编码"), max_length=40, unique=True)
    name = models.CharField(_("规则名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    kind = models.CharField(_("类型"), max_length=10, choices=RuleKind.choices)
    enabled = models.BooleanField(_("启用"), default=True)
    # DOMAIN-RULES D2: yellow on the working day(s) before the due date (0: on the due date) …
    yellow_enabled = models.BooleanField(_("发黄牌预警"), default=True)
    yellow_days_before = models.PositiveSmallIntegerField(_("到期前几个工作日发黄牌"), default=1)
    # … red on the first working day after it (1), or later.
    red_days_after = models.PositiveSmallIntegerField(_("逾期第几个工作日发红牌"), default=1)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("监察规则")
        verbose_name_plural = _("监察规则")
        ordering = ["sort", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(red_days_after__gte=1), name="rule_red_days_after_ge_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CardLevel(models.TextChoices):
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class CardStatus(models.TextChoices):
    """issued → explained → confirmed | cancelled; confirmed → rectified (PRODUCT.md §C10)."""

    ISSUED = "issued", _("已发牌,待说明")
    EXPLAINED = "explained", _("已说明,待确认")
    CONFIRMED = "confirmed", _("已确认,待整改")
    CANCELLED = "cancelled", _("已撤销")
    RECTIFIED = "rectified", _("已整改")


class ObjectKind(models.TextChoices):
    CASE = "case", _("办件")
    TASK = "task", _("审查任务")
    DECISION = "decision", _("审批决定")
    COMMITMENT = "commitment", _("容缺承诺")
    SUSPENSION = "suspension", _("特别程序")
    CORRECTION = "correction", _("补正告知")
    LETTER = "letter", _("督办函")


class Card(models.Model):
    """A yellow or red card issued on one object for one rule."""

    rule = models.ForeignKey(Rule, verbose_name=_("规则"), on_delete=models.PROTECT)
    level = models.CharField(_("级别"), max_length=10, choices=CardLevel.choices)
    object_kind = models.CharField(_("对象类型"), max_length=20, choices=ObjectKind.choices)
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), on_delete=models.CASCADE, related_name="cards"
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="cards",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=CardStatus.choices, default=CardStatus.ISSUED
    )
    detail = models.TextField(_("情况"), blank=True)
    due = models.DateField(_("相关期限"), null=True, blank=True)
    issued_at = models.DateTimeField(_("发牌时间"))
    # The sweep run that inserted the card: tells which rows of a batch were really new.
    sweep_run = models.CharField(max_length=32, blank=True, editable=False)
    explanation = models.TextField(_("部门说明"), blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    explained_at = models.DateTimeField(_("说明时间"), null=True, blank=True)
    review_note = models.TextField(_("监察意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("确认/撤销时间"), null=True, blank=True)
    rectification = models.TextField(_("整改情况"), blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rectified_at = models.DateTimeField(_("整改时间"), null=True, blank=True)
    # Optimistic concurrency: every lifecycle step is a conditional UPDATE on (pk, revision).
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("监察牌")
        verbose_name_plural = _("监察牌")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "object_kind", "object_id", "level"], name="card_once_per_crossing"
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status", "issued_at"], name="card_dept_status"),
            models.Index(fields=["status", "issued_at"], name="card_status_issued"),
            models.Index(fields=["level", "issued_at"], name="card_level_issued"),
            models.Index(fields=["sweep_run"], name="card_sweep_run"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.level} {self.object_kind}#{self.object_id}"


class LetterStatus(models.TextChoices):
    """issued → responded → closed; issued → escalated (no response by the due date)."""

    ISSUED = "issued", _("已发函,待回复")
    RESPONDED = "responded", _("已回复,待办结")
    CLOSED = "closed", _("已办结")
    ESCALATED = "escalated", _("逾期未复,已升级")


class LetterSequence(models.Model):
    """The last letter number used in a year: 督〔2025〕001号, 002号 …"""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("督办函编号")
        verbose_name_plural = _("督办函编号")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class SupervisionLetter(models.Model):
    """A supervision letter (督办函) to a department: it must reply by ``response_due``."""

    number = models.CharField(_("文号"), max_length=40, unique=True)
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("被督办部门"),
        on_delete=models.PROTECT,
        related_name="supervision_letters",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_letters",
    )
    card = models.ForeignKey(
        Card,
        verbose_name=_("监察牌"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters",
    )
    subject = models.CharField(_("事由"), max_length=200)
    text = models.TextField(_("督办内容"))
    response_days = models.PositiveSmallIntegerField(_("回复期限(工作日)"))
    response_due = models.DateField(_("回复截止日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=LetterStatus.choices, default=LetterStatus.ISSUED
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("发函时间"))
    response = models.TextField(_("部门回复"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    close_note = models.TextField(_("办结意见"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("督办函")
        verbose_name_plural = _("督办函")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(response_days__gte=1, response_days__lte=20),
                name="letter_response_days_1_20",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "response_due"], name="letter_status_due"),
            models.Index(fields=["department", "status"], name="letter_dept_status"),
        ]

    def __str__(self) -> str:
        return self.number
